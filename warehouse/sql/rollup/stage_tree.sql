-- staged_tree (ministry stage): one row per expected body reachable from a top-tier body, for the quarter being
-- rolled up, as the registry in force puts it.
create or replace temp table staged_tree as
select bin, parent_bin, top_bin, depth, name_kk, name_ru, kind, region
from body_tree($year, $quarter)
