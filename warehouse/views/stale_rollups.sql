-- stale_rollups: one row per latest published version and body whose share in it no longer matches the warehouse:
-- its own-scope report in force now differs from the one the version summed (change 'arrived', 'revised',
-- 'withdrawn'), or the registry now puts it elsewhere (registry_change 'joined', 'left', 'moved', 'regrouped').
-- An agency version consolidates a ministry version, so it is stale wherever its basis is (stage_to_run
-- 'ministry': publish the ministry stage, then the agency stage) or where a newer ministry version already holds
-- the change (stage_to_run 'agency').
create or replace view stale_rollups as
with latest as (
    select *
    from core_rollup_versions
    qualify row_number() over (partition by level, year, quarter order by version_id desc) = 1
),
latest_ministry as (
    select year, quarter, version_id from latest where level = 'ministry'
),
periods as (
    select distinct year, quarter from latest
),
tree_now as (
    select p.year, p.quarter, t.bin, t.parent_bin, t.top_bin, t.kind, t.region, t.name_kk, t.name_ru
    from periods as p,
        lateral body_tree(p.year, p.quarter) as t
),
reports_now as (
    select p.year, p.quarter, o.bin, o.file_id
    from periods as p,
        lateral own_reports_in_period(p.year, p.quarter) as o
),
now_state as (
    select t.*, r.file_id
    from tree_now as t
    left join reports_now as r using (year, quarter, bin)
),
published as (
    select t.version_id, t.bin, t.parent_bin, t.top_bin, t.kind, t.region, t.name_kk, t.name_ru, i.file_id
    from core_rollup_tree as t
    left join core_rollup_inputs as i on i.version_id = t.version_id and i.bin = t.bin
    where t.version_id in (select version_id from latest)
),
now_by_version as (
    select latest.version_id, n.* exclude (year, quarter)
    from latest
    join now_state as n using (year, quarter)
),
changes as (
    select * from share_changes(published, now_by_version)
),
stale as (
    select
        c.version_id,
        c.bin,
        coalesce(n.name_kk, p.name_kk) as name_kk,
        coalesce(n.name_ru, p.name_ru) as name_ru,
        coalesce(n.top_bin, p.top_bin) as top_bin,
        p.top_bin as published_top_bin,
        c.before_file_id as published_file_id,
        c.after_file_id as current_file_id,
        c.change,
        c.registry_change,
        n.bin as now_bin,
        n.parent_bin as now_parent_bin,
        n.top_bin as now_top_bin,
        n.kind as now_kind,
        n.region as now_region
    from changes as c
    left join now_by_version as n on n.version_id = c.version_id and n.bin = c.bin
    left join published as p on p.version_id = c.version_id and p.bin = c.bin
)
select
    latest.level,
    latest.year,
    latest.quarter,
    latest.version_id,
    latest.published_at,
    stale.bin,
    stale.name_kk,
    stale.name_ru,
    stale.top_bin,
    stale.change,
    stale.registry_change,
    stale.published_top_bin,
    stale.published_file_id,
    stale.current_file_id,
    s.received_at,
    s.is_late,
    latest.based_on_version_id as basis_version_id,
    case
        when latest.level = 'agency'
            and coalesce(latest.based_on_version_id, -1) < m.version_id
            -- the newer ministry version holds the body as it stands now: only the agency stage is behind
            and mp.bin is not distinct from stale.now_bin
            and mp.file_id is not distinct from stale.current_file_id
            and mp.parent_bin is not distinct from stale.now_parent_bin
            and mp.top_bin is not distinct from stale.now_top_bin
            and mp.kind is not distinct from stale.now_kind
            and mp.region is not distinct from stale.now_region
        then 'agency'
        else 'ministry'
    end as stage_to_run
from stale
join latest using (version_id)
left join latest_ministry as m on m.year = latest.year and m.quarter = latest.quarter
left join published as mp on mp.version_id = m.version_id and mp.bin = stale.bin
left join core_submissions as s on s.file_id = stale.current_file_id
