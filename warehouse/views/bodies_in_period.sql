-- bodies_in_period(year, quarter): one row per body expected to report for the quarter.
-- A body is expected if one of its versions is in force on any day of the quarter; the version in
-- force on the last such day gives its name, parent, kind and tier (SPEC.md, registry).
create or replace macro bodies_in_period(p_year, p_quarter) as table
with bounds as (
    select
        make_date(p_year::integer, p_quarter::integer * 3 - 2, 1) as first_day,
        (make_date(p_year::integer, p_quarter::integer * 3 - 2, 1) + interval 3 month - interval 1 day)::date as last_day
),
overlapping as (
    select
        r.*,
        least(coalesce(r.valid_to, b.last_day), b.last_day) as last_day_in_force
    from core_registry as r, bounds as b
    where r.valid_from <= b.last_day
      and coalesce(r.valid_to, b.last_day) >= b.first_day
),
latest as (
    select *
    from overlapping
    qualify row_number() over (partition by bin order by last_day_in_force desc, valid_from desc) = 1
)
select
    bin,
    name_kk,
    name_ru,
    kind,
    nullif(parent_bin, '') as parent_bin,
    region,
    case when coalesce(parent_bin, '') = '' then 'top' else 'lower' end as tier,
    kind = 'excluded' as is_excluded,
    p_year::integer as year,
    p_quarter::integer as quarter
from latest
