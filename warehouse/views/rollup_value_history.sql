-- rollup_value_history: one row per published version, top-tier body (NULL at agency level) and indicator:
-- what was published when, to compare versions.
create or replace view rollup_value_history as
select
    r.level,
    case when r.level = 'ministry' then v.breakdown_key end as bin,
    r.year,
    r.quarter,
    v.code,
    v.value,
    v.expected_count,
    v.covered_count,
    r.version_id,
    r.published_at
from core_rollup_versions as r
join core_rollup_values as v using (version_id)
where (r.level = 'ministry' and v.breakdown = 'body')
   or (r.level = 'agency' and v.breakdown = 'national')
