-- report_values_wide: one row per report in force (own-scope or declared-consolidated), one column per indicator.
-- Column row_3_1 holds row code 3.1 of form 1-әу; the body's name, kind, region and parent are those in force on
-- its last day in the quarter. A new edition of the form adds a column here (tests compare it with the contract).
create or replace view report_values_wide as
with source as (
    select * from report_values
),
submissions as (
    select file_id, received_at, is_late from core_submissions
),
bodies as (
    select * from bodies_by_quarter
),
pivoted as (
    select
        v.file_id,
    max(v.value) filter (where v.code = '1') as row_1,
    max(v.value) filter (where v.code = '1.1') as row_1_1,
    max(v.value) filter (where v.code = '1.2') as row_1_2,
    max(v.value) filter (where v.code = '2') as row_2,
    max(v.value) filter (where v.code = '2.1') as row_2_1,
    max(v.value) filter (where v.code = '3') as row_3,
    max(v.value) filter (where v.code = '3.1') as row_3_1,
    max(v.value) filter (where v.code = '3.2') as row_3_2,
    max(v.value) filter (where v.code = '3.3') as row_3_3,
    max(v.value) filter (where v.code = '3.4') as row_3_4,
    max(v.value) filter (where v.code = '3.5') as row_3_5,
    max(v.value) filter (where v.code = '3.6') as row_3_6,
    max(v.value) filter (where v.code = '3.7') as row_3_7,
    max(v.value) filter (where v.code = '4') as row_4,
    max(v.value) filter (where v.code = '4.1') as row_4_1,
    max(v.value) filter (where v.code = '4.2') as row_4_2,
    max(v.value) filter (where v.code = '4.3') as row_4_3,
    max(v.value) filter (where v.code = '5') as row_5,
    max(v.value) filter (where v.code = '5.1') as row_5_1,
    max(v.value) filter (where v.code = '5.2') as row_5_2,
    max(v.value) filter (where v.code = '5.3') as row_5_3,
    max(v.value) filter (where v.code = '5.4') as row_5_4,
    max(v.value) filter (where v.code = '6') as row_6,
    max(v.value) filter (where v.code = '6.1') as row_6_1,
    max(v.value) filter (where v.code = '6.2') as row_6_2,
    max(v.value) filter (where v.code = '6.3') as row_6_3,
    max(v.value) filter (where v.code = '6.4') as row_6_4,
    max(v.value) filter (where v.code = '7') as row_7,
    max(v.value) filter (where v.code = '7.1') as row_7_1,
    max(v.value) filter (where v.code = '7.2') as row_7_2,
    max(v.value) filter (where v.code = '7.3') as row_7_3,
    max(v.value) filter (where v.code = '7.4') as row_7_4,
    max(v.value) filter (where v.code = '8') as row_8,
    max(v.value) filter (where v.code = '9') as row_9,
    max(v.value) filter (where v.code = '9.1') as row_9_1,
    max(v.value) filter (where v.code = '10') as row_10,
    max(v.value) filter (where v.code = '11') as row_11,
    max(v.value) filter (where v.code = '11.1') as row_11_1,
    max(v.value) filter (where v.code = '11.2') as row_11_2,
    max(v.value) filter (where v.code = '11.3') as row_11_3
    from source as v
    group by v.file_id
)
select
    s.bin,
    b.name_kk,
    b.name_ru,
    b.kind,
    b.region,
    b.parent_bin,
    s.year,
    s.quarter,
    s.year || 'Q' || s.quarter as period,
    s.is_consolidated,
    sub.received_at,
    coalesce(sub.is_late, false) as is_late,
    s.file_id,
    p.* exclude (file_id)
from (select distinct bin, year, quarter, is_consolidated, file_id from source) as s
join pivoted as p using (file_id)
join submissions as sub using (file_id)
left join bodies as b on b.bin = s.bin and b.year = s.year and b.quarter = s.quarter
