-- report_values_wide: one row per report in force (own-scope or declared-consolidated), one column per indicator.
-- Column row_3_1 holds row code 3.1 of form 1-әу; the body's name, kind and region are those in force on its last
-- day in the quarter. The indicator columns are generated from contracts/data/indicators.csv where the views are
-- made (the placeholder below, warehouse/generated.py): a new edition of the form needs no edit here.
create or replace view report_values_wide as
with source as (
    select * from report_values
),
submissions as (
    select file_id, received_at, deadline_at, is_late from core_submissions
),
bodies as (
    select * from bodies_by_quarter
),
pivoted as (
    select
        v.file_id,
{{indicator_columns}}
    from source as v
    group by v.file_id
)
select
    s.bin,
    b.name_kk,
    b.name_ru,
    b.kind,
    b.region,
    b.region_code,
    b.region_kk,
    b.region_ru,
    b.parent_bin,
    s.year,
    s.quarter,
    s.year || 'Q' || s.quarter as period,
    s.is_consolidated,
    sub.received_at,
    sub.deadline_at,
    coalesce(sub.is_late, false) as is_late,
    days_late(sub.received_at, sub.deadline_at) as days_late,
    s.file_id,
    p.* exclude (file_id)
from (select distinct bin, year, quarter, is_consolidated, file_id from source) as s
join pivoted as p using (file_id)
join submissions as sub using (file_id)
left join bodies as b on b.bin = s.bin and b.year = s.year and b.quarter = s.quarter
