-- differences: one row: how the staged rollup differs from the published version $v: reports arrived, revised and
-- withdrawn (the one rule of share_changes), registry rows (membership, parent, top-tier body, kind, region),
-- figures, and the ministry version it is based on.
with prev_shares as (
    select t.version_id, t.bin, t.parent_bin, t.top_bin, t.kind, t.region, i.file_id
    from core_rollup_tree as t
    left join core_rollup_inputs as i on i.version_id = t.version_id and i.bin = t.bin
    where t.version_id = $v
),
staged_shares as (
    select $v as version_id, t.bin, t.parent_bin, t.top_bin, t.kind, t.region, i.file_id
    from staged_tree as t
    left join staged_inputs as i using (bin)
),
reports as (
    select report_change from share_changes(prev_shares, staged_shares)
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
    (select count(*) from reports where report_change = 'arrived') as arrived,
    (select count(*) from reports where report_change = 'revised') as revised,
    (select count(*) from reports where report_change = 'withdrawn') as withdrawn,
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
