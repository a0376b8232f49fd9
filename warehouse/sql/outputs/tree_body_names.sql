-- grain: one row, or none: the names of body $bin in the tree of rollup version $version_id
select name_kk, name_ru
from rollup_tree($version_id)
where bin = $bin
