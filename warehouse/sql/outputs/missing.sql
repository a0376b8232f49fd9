-- grain: one row per expected body with no own-scope report in force for the quarter, with its parent
select *
from missing_in_period($year, $quarter)
order by parent_bin nulls first, name_kk
