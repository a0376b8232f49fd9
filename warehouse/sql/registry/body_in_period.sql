-- grain: one row, or none: the body $bin as the registry in force for the quarter ($year, $quarter) names it
select name_kk, name_ru, is_excluded
from bodies_in_period($year, $quarter)
where bin = $bin
