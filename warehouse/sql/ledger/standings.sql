-- grain: one row per file asked for ($file_ids) or superseded by one of them: its status, what superseded it, its name
select file_id, file_name, status, superseded_by
from core_files
where file_id in (select unnest($file_ids)) or superseded_by in (select unnest($file_ids))
