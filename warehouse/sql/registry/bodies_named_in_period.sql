-- grain: one row per body of $bins that the registry in force for the quarter ($year, $quarter) holds: its names
select bin, name_kk, name_ru
from bodies_in_period($year, $quarter)
where bin in (select unnest($bins))
