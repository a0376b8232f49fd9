-- rollup_versions: one row per published rollup version, what it covered, what changed since the one before and,
-- for the agency level, the ministry version it consolidated.
create or replace view rollup_versions as
with source as (
    select * from core_rollup_versions
),
changes as (
    select
        version_id,
        count(*) filter (where change = 'arrived') as arrived_count,
        count(*) filter (where change = 'revised') as revised_count,
        count(*) filter (where change = 'withdrawn') as withdrawn_count,
        count(*) filter (where registry_change is not null) as registry_change_count
    from rollup_input_changes
    group by version_id
)
select
    s.version_id,
    s.level,
    s.year,
    s.quarter,
    s.published_at,
    s.submission_count,
    s.expected_count,
    s.covered_count,
    s.expected_count - s.covered_count as missing_count,
    s.previous_version_id,
    coalesce(c.arrived_count, 0)::integer as arrived_count,
    coalesce(c.revised_count, 0)::integer as revised_count,
    coalesce(c.withdrawn_count, 0)::integer as withdrawn_count,
    coalesce(c.registry_change_count, 0)::integer as registry_change_count,
    s.based_on_version_id,
    s.note,
    s.flow_run_id,
    s.version_id = max(s.version_id) over (partition by s.level, s.year, s.quarter) as is_latest
from source as s
left join changes as c using (version_id)
