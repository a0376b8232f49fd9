-- rollup_tree_values(version_id): one row per body of a published rollup version's tree and indicator of the report
-- it summed (rollup_tree with code and value; one row with a null code for a body that had not filed).
create or replace macro rollup_tree_values(p_version_id) as table
select t.*, v.code, v.value
from rollup_tree(p_version_id) as t
left join core_values as v on v.file_id = t.file_id
