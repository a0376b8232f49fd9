-- grain: one value: how many reports (own-scope and declared-consolidated) are in force for the quarter
select count(*)
from report_values_wide
where year = $year and quarter = $quarter
