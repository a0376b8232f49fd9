-- known_periods: one row per quarter the warehouse has heard of (a file, a report or a published rollup).
create or replace view known_periods as
with source as (
    select year, quarter from core_files where year is not null and quarter is not null
    union
    select year, quarter from core_submissions
    union
    select year, quarter from core_rollup_versions
)
select distinct year::integer as year, quarter::integer as quarter
from source
where quarter between 1 and 4
