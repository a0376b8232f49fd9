-- rollup_breakdowns: one row per quarter, breakdown member and indicator of the latest agency-level version.
-- breakdown 'kind' and 'region' group the own figures the agency version's ministry version summed by each body's
-- kind or region; 'body' is each top-tier body's consolidated figure as that ministry version published it. Each
-- breakdown sums to the national figure.
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
