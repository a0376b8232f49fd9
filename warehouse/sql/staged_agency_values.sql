-- staged_values (agency): one row per breakdown member and indicator. 'national' = the sum of every top-tier
-- body's consolidated figure; 'body' = each of those figures; 'kind' and 'region' group each body's own figure
-- by that body's kind and region, so every breakdown sums to the national figure.
create or replace temp table staged_values as
with members as (
    select bin, 'national' as breakdown, null::varchar as breakdown_key from staged_tree
    union all
    select bin, 'body', top_bin from staged_tree
    union all
    select bin, 'kind', kind from staged_tree
    union all
    select bin, 'region', region from staged_tree
),
coverage as (
    select m.breakdown, m.breakdown_key, count(*) as expected_count, count(i.file_id) as covered_count
    from members as m
    left join staged_inputs as i using (bin)
    group by m.breakdown, m.breakdown_key
),
summed as (
    select m.breakdown, m.breakdown_key, v.code, sum(v.value) as value
    from members as m
    join staged_inputs as i using (bin)
    join core_values as v using (file_id)
    group by m.breakdown, m.breakdown_key, v.code
)
select
    c.breakdown,
    c.breakdown_key,
    ind.code,
    coalesce(s.value, 0)::bigint as value,
    c.expected_count::integer as expected_count,
    c.covered_count::integer as covered_count
from coverage as c
cross join core_indicators as ind
left join summed as s
  on s.breakdown = c.breakdown and s.breakdown_key is not distinct from c.breakdown_key and s.code = ind.code
