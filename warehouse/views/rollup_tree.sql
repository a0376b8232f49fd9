-- rollup_tree(version_id): one row per body of a published rollup version's tree, as the version kept it: its names,
-- parent, depth, top-tier body, kind and region, and the own-scope report it summed (file_id, and the body's name as
-- that report's header gave it; null when the body had not filed).
create or replace macro rollup_tree(p_version_id) as table
select
    t.version_id,
    t.bin,
    t.name_kk,
    t.name_ru,
    t.parent_bin,
    t.top_bin,
    t.depth,
    t.kind,
    t.region,
    i.file_id,
    s.body_name as body_name_as_filed
from core_rollup_tree as t
left join core_rollup_inputs as i on i.version_id = t.version_id and i.bin = t.bin
left join core_submissions as s on s.file_id = i.file_id
where t.version_id = p_version_id
