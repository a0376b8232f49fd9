-- grain: one value: how many bodies' shares in the quarter's latest version of a level ($level) no longer match
select count(*)
from stale_rollups
where level = $level and year = $year and quarter = $quarter
