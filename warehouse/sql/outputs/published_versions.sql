-- grain: one row per level: its latest published version for the quarter
select v.*
from rollup_versions as v
where v.is_latest and v.year = $year and v.quarter = $quarter
order by v.level desc
