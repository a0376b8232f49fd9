-- grain: one row per finding of this attempt at a file of the batch (batch_findings), in three languages
insert into core_findings (file_id, attempt, severity, rule, name, code, field, cell, message,
                           message_kk, message_ru, template, params)
select file_id, attempt, severity, rule, name, code, field, cell, message,
       message_kk, message_ru, template, params
from batch_findings
