-- report_values_labelled: one row per report in force and indicator, with the indicator's labels (Kazakh, Russian,
-- English gloss) and the body's names, kind and region (as registered, and named in Kazakh and Russian) as they
-- stood on its last day in force in the quarter.
create or replace view report_values_labelled as
with source as (
    select * from report_values
),
bodies as (
    select * from bodies_by_quarter
)
select
    v.bin,
    b.name_kk,
    b.name_ru,
    b.kind,
    k.label_kk as kind_label_kk,
    k.label_ru as kind_label_ru,
    b.region,
    b.region_code,
    b.region_kk,
    b.region_ru,
    b.parent_bin,
    b.tier,
    v.year,
    v.quarter,
    v.year || 'Q' || v.quarter as period,
    v.code,
    i.parent as parent_code,
    i.position,
    i.label_kk,
    i.label_ru,
    i.gloss_en,
    v.value,
    v.was_blank,
    v.is_consolidated,
    v.file_id
from source as v
join core_indicators as i using (code)
left join bodies as b on b.bin = v.bin and b.year = v.year and b.quarter = v.quarter
left join body_kinds as k on k.kind = b.kind
