-- grain: one row per file asked for ($file_ids), superseded by one of them, or superseding one of them: its status,
-- what superseded it, its name
select file_id, file_name, status, superseded_by
from core_files
where file_id in (select unnest($file_ids))
   or superseded_by in (select unnest($file_ids))
   or file_id in (select superseded_by from core_files where file_id in (select unnest($file_ids)))
