-- rollup_sources: one row per published rollup figure and report it was summed from (the audit trail of a figure).
-- For a ministry figure the reports are those of the top-tier body's subtree; for the national figure, all of them.
-- Filter by version_id (see rollup_versions), or by level, year, quarter, top_bin and code for the latest version.
create or replace view rollup_sources as
with versions as (
    select
        version_id,
        level,
        year,
        quarter,
        published_at,
        version_id = max(version_id) over (partition by level, year, quarter) as is_latest
    from core_rollup_versions
),
inputs as (
    select
        v.version_id,
        v.level,
        v.year,
        v.quarter,
        v.published_at,
        v.is_latest,
        i.file_id,
        i.bin as source_bin,
        t.top_bin,
        t.depth
    from versions as v
    join core_rollup_inputs as i using (version_id)
    left join core_rollup_tree as t on t.version_id = v.version_id and t.bin = i.bin
)
select
    inputs.version_id,
    inputs.level,
    case when inputs.level = 'ministry' then inputs.top_bin end as bin,
    inputs.year,
    inputs.quarter,
    inputs.is_latest,
    inputs.published_at,
    val.code,
    inputs.source_bin,
    inputs.depth as source_depth,
    val.value as source_value,
    inputs.file_id,
    files.file_name,
    files.stored_path,
    files.sha256,
    files.received_at,
    files.status as file_status_now
from inputs
join core_values as val using (file_id)
join core_files as files using (file_id)
