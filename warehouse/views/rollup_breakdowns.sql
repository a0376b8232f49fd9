-- rollup_breakdowns: one row per quarter, breakdown member and indicator of the latest agency-level version.
-- breakdown 'kind' and 'region' group every body's own figures by that body's kind or region (each sums to the
-- national figure); 'body' is each top-tier body's consolidated figure as the agency stage summed it.
create or replace view rollup_breakdowns as
with latest as (
    select *
    from core_rollup_versions
    where level = 'agency'
    qualify row_number() over (partition by year, quarter order by version_id desc) = 1
)
select
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
where v.breakdown in ('kind', 'region', 'body')
