-- rollup_values: one row per level, top-tier body (NULL at agency level), quarter and indicator, from the
-- latest published version. Ministry level: each top-tier body's consolidated figure (own + all subordinates).
-- Agency level: the national figure. Breakdowns by kind and region are in rollup_breakdowns.
create or replace view rollup_values as
with latest as (
    select *
    from core_rollup_versions
    qualify row_number() over (partition by level, year, quarter order by version_id desc) = 1
)
select
    latest.level,
    case when latest.level = 'ministry' then v.breakdown_key end as bin,
    latest.year,
    latest.quarter,
    v.code,
    v.value,
    v.expected_count,
    v.covered_count,
    latest.version_id,
    latest.published_at
from latest
join core_rollup_values as v using (version_id)
where (latest.level = 'ministry' and v.breakdown = 'body')
   or (latest.level = 'agency' and v.breakdown = 'national')
