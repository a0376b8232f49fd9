-- grain: one row per indicator of $codes: the quarter's national figure and its changes, in the form's order
select code, label_kk, value, previous_quarter_value, change_from_previous_quarter,
       same_quarter_last_year_value, change_from_same_quarter_last_year, ytd_value
from national_trend
where year = $year and quarter = $quarter and code in (select unnest($codes::varchar[]))
order by position
