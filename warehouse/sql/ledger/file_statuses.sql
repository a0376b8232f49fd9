-- grain: one row per ledger id asked for ($file_ids): the file's status now and how many attempts it has had
select file_id, status, attempt_count
from core_files
where file_id in (select unnest($file_ids))
