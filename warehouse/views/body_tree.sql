-- body_tree(year, quarter): one row per expected body reachable from a top-tier body, with that top-tier body.
-- The parent is the one in force on the body's last day in the quarter (bodies_in_period). Excluded bodies
-- (law-enforcement, special bodies, Ministry of Defence) do not file, and neither is anything under them walked.
create or replace macro body_tree(p_year, p_quarter) as table
with recursive bodies as (
    select * from bodies_in_period(p_year, p_quarter) where not is_excluded
),
walk as (
    select bin, bin as top_bin, 0 as depth
    from bodies
    where parent_bin is null
    union all
    select child.bin, walk.top_bin, walk.depth + 1
    from bodies as child
    join walk on child.parent_bin = walk.bin
    where walk.depth < 64  -- the registry refuses cycles; this only bounds a damaged one
)
select
    b.bin,
    b.parent_bin,
    walk.top_bin,
    walk.depth,
    b.name_kk,
    b.name_ru,
    b.kind,
    b.region,
    b.tier,
    b.year,
    b.quarter
from walk
join bodies as b using (bin)
