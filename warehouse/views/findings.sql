-- findings: one row per finding of the latest attempt at each file.
create or replace view findings as
with latest as (
    select file_id, max(attempt) as attempt from core_findings group by file_id
)
select
    f.file_id,
    files.file_name,
    f.attempt,
    f.severity,
    f.rule,
    f.name as rule_name,
    f.code,
    f.field,
    f.cell,
    f.message
from core_findings as f
join latest using (file_id, attempt)
join core_files as files using (file_id)
