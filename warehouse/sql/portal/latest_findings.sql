-- The portal: the findings of a file's latest attempt, in the order its findings file lists them (errors first).
select f.severity, f.rule, f.code, f.cell, f.message_kk, f.message_ru, f.message
from core_findings as f
join core_files as c on c.file_id = f.file_id and c.attempt_count = f.attempt
where f.file_id = $file_id
order by f.severity <> 'error', f.rowid
