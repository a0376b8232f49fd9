-- insert values: one row of core_rollup_values per breakdown member and indicator of the staged rollup.
insert into core_rollup_values (version_id, breakdown, breakdown_key, code, value, expected_count, covered_count)
select $version_id, breakdown, breakdown_key, code, value, expected_count, covered_count
from staged_values
