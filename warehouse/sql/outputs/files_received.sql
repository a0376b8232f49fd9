-- grain: one value: how many files named the quarter in their header, whatever became of them
select count(*)
from intake_log
where year = $year and quarter = $quarter
