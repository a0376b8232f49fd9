-- grain: one row per indicator: the quarter's national figure and its trend, in the form's order
select *
from national_trend
where year = $year and quarter = $quarter
order by position
