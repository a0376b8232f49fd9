-- grain: one value: how many declared-consolidated reports are in force for the quarter
select count(*)
from report_values_wide
where is_consolidated and year = $year and quarter = $quarter
