-- grain: one row per body of the top-tier body $top_bin's tree in rollup version $version_id and indicator of the
-- report it summed (one row with a null code for a body that had not filed)
select bin, name_kk, coalesce(parent_bin, '') as parent_bin, depth, kind, coalesce(region, '') as region,
       file_id is not null as filed, coalesce(body_name_as_filed, '') as body_name_as_filed, code, value
from rollup_tree_values($version_id)
where top_bin = $top_bin
