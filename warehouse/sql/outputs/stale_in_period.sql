-- grain: one row per level and body whose share in the quarter's latest version no longer matches the warehouse
select *
from stale_rollups
where year = $year and quarter = $quarter
order by level desc, change, name_kk
