-- grain: one row per ledger id asked for ($file_ids): where that file is kept now
select file_id, stored_path
from core_files
where file_id in (select unnest($file_ids))
