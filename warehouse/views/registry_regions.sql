-- registry_regions: one row per region as the registry writes it, with the region it names (NULL region_code when
-- it names none for certain: reported when the registry is loaded, and shown as written).
create or replace view registry_regions as
with written as (
    select region, count(distinct bin) as body_count
    from core_registry
    where nullif(trim(region), '') is not null
    group by region
),
matched as (
    select distinct w.region, s.region_code
    from written as w
    join region_spellings as s on region_key(s.spelling) = region_key(w.region)
)
select
    w.region,
    m.region_code,
    r.name_kk,
    r.name_ru,
    r.name_en,
    r.position,
    w.body_count
from written as w
left join matched as m using (region)
left join regions as r using (region_code)
