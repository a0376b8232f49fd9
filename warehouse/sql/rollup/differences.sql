-- differences: one row: how the staged rollup differs from the published version $v: reports arrived, revised and
-- withdrawn, registry rows (membership, parent, top-tier body, kind, region), figures, and the ministry version it
-- is based on.
with prev_inputs as (
    select bin, file_id from core_rollup_inputs where version_id = $v
),
prev_tree as (
    select bin, parent_bin, top_bin, kind, region from core_rollup_tree where version_id = $v
),
prev_values as (
    select breakdown, breakdown_key, code, value, expected_count, covered_count
    from core_rollup_values
    where version_id = $v
),
staged_tree_rows as (
    select bin, parent_bin, top_bin, kind, region from staged_tree
),
staged_value_rows as (
    select breakdown, breakdown_key, code, value, expected_count, covered_count from staged_values
)
select
    (select count(*) from staged_inputs as s where s.bin not in (select bin from prev_inputs)) as arrived,
    (select count(*) from staged_inputs as s join prev_inputs as p using (bin) where p.file_id <> s.file_id) as revised,
    (select count(*) from prev_inputs as p where p.bin not in (select bin from staged_inputs)) as withdrawn,
    (select count(*) from (
        (select * from staged_tree_rows except select * from prev_tree)
        union all
        (select * from prev_tree except select * from staged_tree_rows))) as tree,
    (select count(*) from (
        (select * from staged_value_rows except select * from prev_values)
        union all
        (select * from prev_values except select * from staged_value_rows))) as "values",
    (select (based_on_version_id is distinct from $basis)::integer
     from core_rollup_versions where version_id = $v) as basis
