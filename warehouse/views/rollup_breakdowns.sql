-- rollup_breakdowns: one row per quarter, breakdown member and indicator of the latest agency-level version.
-- breakdown 'kind' and 'region' group every body's own figures by that body's kind or region (each sums to the
-- national figure); 'body' is each top-tier body's consolidated figure as the agency stage summed it.
create or replace view rollup_breakdowns as
select
    year,
    quarter,
    breakdown,
    breakdown_key,
    code,
    value,
    expected_count,
    covered_count,
    version_id,
    published_at
from latest_rollup_values
where level = 'agency' and breakdown in ('kind', 'region', 'body')
