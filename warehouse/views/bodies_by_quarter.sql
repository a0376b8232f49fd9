-- bodies_by_quarter: one row per known quarter and body with a registry version in force during it, as that body
-- stood on its last day in force in the quarter (name, kind, parent, region, tier); excluded bodies are kept, flagged.
-- The region comes as the registry writes it and, when it names one for certain, as a region code with its names.
create or replace view bodies_by_quarter as
select
    b.* exclude (year, quarter),
    r.region_code,
    r.name_kk as region_kk,
    r.name_ru as region_ru,
    b.year,
    b.quarter
from known_periods as p,
    lateral bodies_in_period(p.year, p.quarter) as b
left join registry_regions as r on r.region = b.region
