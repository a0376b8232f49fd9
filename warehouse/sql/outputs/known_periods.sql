-- grain: one row per quarter the warehouse knows, in order
select year, quarter
from known_periods
order by year, quarter
