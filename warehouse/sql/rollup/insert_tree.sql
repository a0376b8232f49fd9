-- insert tree: one row of core_rollup_tree per expected body of the staged rollup, as the registry stood.
insert into core_rollup_tree (version_id, bin, parent_bin, top_bin, depth, name_kk, name_ru, kind, region)
select $version_id, bin, parent_bin, top_bin, depth, name_kk, name_ru, kind, region
from staged_tree
