-- staged_values (agency stage): one row per breakdown member and indicator, consolidated from the ministry version
-- $basis. 'body' = each top-tier body's figure as that version published it; 'national' = the sum of those figures;
-- 'kind' and 'region' group the reports that version summed (staged_inputs) by each body's kind and region, so
-- every breakdown sums to the national figure.
create or replace temp table staged_values as
with bodies as (
    select breakdown_key, code, value, expected_count, covered_count
    from core_rollup_values
    where version_id = $basis and breakdown = 'body'
),
national as (
    select code, sum(value) as value, sum(expected_count) as expected_count, sum(covered_count) as covered_count
    from bodies
    group by code
),
members as (
    select bin, 'kind' as breakdown, kind as breakdown_key from staged_tree
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
    'national' as breakdown,
    null::varchar as breakdown_key,
    code,
    value::bigint as value,
    expected_count::integer as expected_count,
    covered_count::integer as covered_count
from national
union all
select 'body', breakdown_key, code, value, expected_count, covered_count
from bodies
union all
select
    c.breakdown,
    c.breakdown_key,
    ind.code,
    coalesce(s.value, 0)::bigint,
    c.expected_count::integer,
    c.covered_count::integer
from coverage as c
cross join core_indicators as ind
left join summed as s
    on s.breakdown = c.breakdown and s.breakdown_key is not distinct from c.breakdown_key and s.code = ind.code
