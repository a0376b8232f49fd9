-- The portal: the findings of the latest attempt at each file asked for ($file_ids), each file's in the order its
-- findings file lists them (errors first).
select f.file_id, f.severity, f.rule, f.code, f.cell, f.message_kk, f.message_ru, f.message
from core_findings as f
join core_files as c on c.file_id = f.file_id and c.attempt_count = f.attempt
where f.file_id in (select unnest($file_ids))
order by f.file_id, f.severity <> 'error', f.rowid
