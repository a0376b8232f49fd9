-- reconciliation: one row per declared-consolidated report in force and indicator, against the computed
-- consolidated figure of the latest published ministry-level rollup (NULL when none is published for the body).
create or replace view reconciliation as
with declared as (
    select s.file_id, s.bin, s.year, s.quarter, v.code, v.value
    from core_submissions as s
    join core_values as v using (file_id)
    where s.is_in_force and s.is_consolidated
),
computed as (
    select bin, year, quarter, code, value, version_id, expected_count, covered_count
    from rollup_values
    where level = 'ministry'
)
select
    d.bin,
    d.year,
    d.quarter,
    d.code,
    d.value as declared_value,
    c.value as computed_value,
    d.value - c.value as difference,
    c.value is not null and d.value = c.value as is_equal,
    d.file_id,
    c.version_id,
    c.expected_count,
    c.covered_count
from declared as d
left join computed as c using (bin, year, quarter, code)
