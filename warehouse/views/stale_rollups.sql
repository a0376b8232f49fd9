-- stale_rollups: one row per latest published version and body whose own-scope report in force now differs from
-- the one the version summed: 'arrived' after publication (late or not), 'revised' (a newer report), 'withdrawn'.
-- Run the stage again to publish figures that include them.
create or replace view stale_rollups as
with latest as (
    select *
    from core_rollup_versions
    qualify row_number() over (partition by level, year, quarter order by version_id desc) = 1
),
published as (
    select latest.version_id, i.bin, i.file_id
    from latest
    join core_rollup_inputs as i using (version_id)
),
now_in_force as (
    select latest.version_id, o.bin, o.file_id
    from latest,
        lateral own_reports_in_period(latest.year, latest.quarter) as o
    where o.bin in (select t.bin from core_rollup_tree as t where t.version_id = latest.version_id)
),
pairs as (
    select
        coalesce(n.version_id, p.version_id) as version_id,
        coalesce(n.bin, p.bin) as bin,
        p.file_id as published_file_id,
        n.file_id as current_file_id
    from now_in_force as n
    full join published as p on p.version_id = n.version_id and p.bin = n.bin
)
select
    latest.level,
    latest.year,
    latest.quarter,
    latest.version_id,
    latest.published_at,
    pairs.bin,
    t.name_kk,
    t.name_ru,
    t.top_bin,
    case
        when pairs.published_file_id is null then 'arrived'
        when pairs.current_file_id is null then 'withdrawn'
        else 'revised'
    end as change,
    pairs.published_file_id,
    pairs.current_file_id,
    s.received_at,
    s.is_late
from pairs
join latest using (version_id)
left join core_rollup_tree as t on t.version_id = pairs.version_id and t.bin = pairs.bin
left join core_submissions as s on s.file_id = pairs.current_file_id
where pairs.published_file_id is distinct from pairs.current_file_id
