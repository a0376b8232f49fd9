-- rollup_values: one row per level, top-tier body (NULL at agency level), quarter and indicator, from the
-- latest published version. Ministry level: each top-tier body's consolidated figure (own + all subordinates).
-- Agency level: the national figure. Breakdowns by kind and region are in rollup_breakdowns.
create or replace view rollup_values as
select
    level,
    case when level = 'ministry' then breakdown_key end as bin,
    year,
    quarter,
    code,
    value,
    expected_count,
    covered_count,
    version_id,
    published_at
from latest_rollup_values
where (level = 'ministry' and breakdown = 'body')
   or (level = 'agency' and breakdown = 'national')
