-- staged_inputs (agency stage): one row per own-scope report the ministry version $basis summed, so the national
-- figure still traces back to the files (rollup_sources).
create or replace temp table staged_inputs as
select file_id, bin
from core_rollup_inputs
where version_id = $basis
