-- latest_rollup_values: one row per level, quarter, breakdown member and indicator, from the latest published
-- version of that level and quarter. The building block of rollup_values, rollup_breakdowns and breakdown_trend.
create or replace view latest_rollup_values as
with latest as (
    select *
    from core_rollup_versions
    qualify row_number() over (partition by level, year, quarter order by version_id desc) = 1
)
select
    latest.level,
    latest.year,
    latest.quarter,
    v.breakdown,
    v.breakdown_key,
    v.code,
    v.value,
    v.expected_count,
    v.covered_count,
    latest.version_id,
    latest.published_at
from latest
join core_rollup_values as v using (version_id)
