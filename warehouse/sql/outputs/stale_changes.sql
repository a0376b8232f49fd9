-- grain: one row per body whose share in rollup version $version_id no longer matches the warehouse, within the
-- tree of the top-tier body $top_bin (every body when null)
select change, bin, name_kk, received_at
from stale_rollups
where version_id = $version_id and (cast($top_bin as varchar) is null or top_bin = $top_bin)
order by change, received_at, name_kk
