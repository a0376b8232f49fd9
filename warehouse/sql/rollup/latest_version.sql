-- latest version: at most one row: the newest published version of a level for a quarter, with its coverage.
select version_id, expected_count, covered_count
from core_rollup_versions
where level = $level and year = $year and quarter = $quarter
order by version_id desc
limit 1
