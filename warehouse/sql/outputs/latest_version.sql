-- grain: one row, or none: the latest published rollup version of a level ($level) for the quarter
select *
from rollup_versions
where is_latest and level = $level and year = $year and quarter = $quarter
