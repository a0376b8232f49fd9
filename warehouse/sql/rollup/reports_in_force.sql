-- reports in force: one row: bodies expected for the quarter and how many of them have an own-scope report in force.
select count(*) as expected_count, count(o.file_id) as in_force_count
from body_tree($year, $quarter) as t
left join own_reports_in_period($year, $quarter) as o using (bin)
