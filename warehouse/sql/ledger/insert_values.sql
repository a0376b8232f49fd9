-- grain: one row per good report of the batch and indicator (batch_values)
insert into core_values (file_id, code, value, was_blank, cell)
select file_id, code, value, was_blank, cell
from batch_values
