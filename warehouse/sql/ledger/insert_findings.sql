-- grain: one row per finding of this attempt at a file of the batch (batch_findings)
insert into core_findings (file_id, attempt, severity, rule, name, code, field, cell, message)
select file_id, attempt, severity, rule, name, code, field, cell, message
from batch_findings
