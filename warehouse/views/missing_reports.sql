-- missing_reports: one row per known quarter and expected body with no own-scope report in force.
create or replace view missing_reports as
select
    m.* exclude (year, quarter),
    r.region_code,
    r.name_kk as region_kk,
    r.name_ru as region_ru,
    m.year,
    m.quarter
from known_periods as p,
    lateral missing_in_period(p.year, p.quarter) as m
left join registry_regions as r on r.region = m.region
