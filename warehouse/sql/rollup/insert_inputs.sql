-- insert inputs: one row of core_rollup_inputs per own-scope report the staged rollup summed.
insert into core_rollup_inputs (version_id, file_id, bin)
select $version_id, file_id, bin
from staged_inputs
