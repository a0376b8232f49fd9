-- grain: one row per finding of the files a run ($run_id) processed (that run's attempt), errors first
select f.file_name as file, x.severity, x.rule, x.name as rule_name, x.code as row_code, x.field, x.cell, x.message
from core_attempts as a
join core_findings as x on x.file_id = a.file_id and x.attempt = a.attempt
join core_files as f on f.file_id = a.file_id
where a.run_id = $run_id
order by x.severity, f.file_name, x.rule
