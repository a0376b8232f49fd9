-- share_changes(before, after): the one rule for how a body's share in a rollup changed between two states of it,
-- used by rollup_input_changes (a version against the previous one), stale_rollups (a published version against the
-- warehouse now) and the rollup's own comparison before it publishes (staged against published).
-- before and after name relations with one row per rollup version and body of its tree: version_id, bin,
-- parent_bin, top_bin, kind, region and file_id (the own-scope report summed, null when none). One row per version
-- and body whose share differs: report_change 'arrived' (not summed before), 'revised' (another report summed),
-- 'withdrawn' (no longer summed); registry_change 'joined', 'left', 'moved' (parent or top-tier body),
-- 'regrouped' (kind or region); change: the report's change, else the registry's.
create or replace macro share_changes(before, after) as table
with pairs as (
    select
        coalesce(a.version_id, b.version_id) as version_id,
        coalesce(a.bin, b.bin) as bin,
        b.file_id as before_file_id,
        a.file_id as after_file_id,
        case
            when b.bin is null then 'joined'
            when a.bin is null then 'left'
            when b.parent_bin is distinct from a.parent_bin or b.top_bin <> a.top_bin then 'moved'
            when b.kind is distinct from a.kind or b.region is distinct from a.region then 'regrouped'
        end as registry_change,
        case
            when b.file_id is not distinct from a.file_id then null
            when b.file_id is null then 'arrived'
            when a.file_id is null then 'withdrawn'
            else 'revised'
        end as report_change
    from query_table(before) as b
    full join query_table(after) as a on a.version_id = b.version_id and a.bin = b.bin
)
select pairs.*, coalesce(report_change, registry_change) as change
from pairs
where report_change is not null or registry_change is not null
