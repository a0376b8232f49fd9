-- grain: one value: how many files whose header named the quarter were rejected
select count(*)
from intake_log
where year = $year and quarter = $quarter and status = 'rejected'
