-- findings: one row per finding of the latest attempt at each file (earlier attempts: core_findings).
create or replace view findings as
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
    f.message,
    f.message_kk,
    f.message_ru,
    f.template,
    f.params
from core_findings as f
join core_files as files
  on files.file_id = f.file_id
 and files.attempt_count = f.attempt
