-- staged_values (ministry stage): one row per top-tier body and indicator: its own report plus every subordinate's
-- own report, at any depth.
create or replace temp table staged_values as
with own as (
    select t.top_bin, v.code, v.value
    from staged_inputs as i
    join staged_tree as t using (bin)
    join core_values as v using (file_id)
),
summed as (
    select top_bin, code, sum(value) as value
    from own
    group by top_bin, code
),
coverage as (
    select t.top_bin, count(*) as expected_count, count(i.file_id) as covered_count
    from staged_tree as t
    left join staged_inputs as i using (bin)
    group by t.top_bin
)
select
    'body' as breakdown,
    c.top_bin as breakdown_key,
    ind.code,
    coalesce(s.value, 0)::bigint as value,
    c.expected_count::integer as expected_count,
    c.covered_count::integer as covered_count
from coverage as c
cross join core_indicators as ind
left join summed as s on s.top_bin = c.top_bin and s.code = ind.code
