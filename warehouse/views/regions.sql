-- regions: one row per region of Kazakhstan (17 oblasts and 3 cities of republican significance), named in
-- English, Kazakh and Russian. Generated from contracts/data/regions.csv (warehouse/generated.py).
create or replace view regions as
select *
from (
    values
{{region_rows}}
) as regions(region_code, position, kind, name_en, name_kk, name_ru)
