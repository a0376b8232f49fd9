-- staged_tree (agency stage): one row per body of the tree the ministry version $basis consolidated; the agency
-- stage takes the tree with the figures, so its breakdowns group exactly what that version summed.
create or replace temp table staged_tree as
select bin, parent_bin, top_bin, depth, name_kk, name_ru, kind, region
from core_rollup_tree
where version_id = $basis
