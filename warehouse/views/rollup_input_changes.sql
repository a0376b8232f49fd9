-- rollup_input_changes: one row per version and body whose share differs from the previous version's: its summed
-- report (change 'arrived': not summed before, 'revised': a newer report replaced it, 'withdrawn': no longer summed)
-- or its place in the registry tree (registry_change 'joined', 'left', 'moved', 'regrouped').
create or replace view rollup_input_changes as
with versions as (
    select version_id, previous_version_id, level, year, quarter
    from core_rollup_versions
    where previous_version_id is not null
),
shares as (
    select t.version_id, t.bin, t.parent_bin, t.top_bin, t.kind, t.region, i.file_id
    from core_rollup_tree as t
    left join core_rollup_inputs as i on i.version_id = t.version_id and i.bin = t.bin
),
current_shares as (
    select v.version_id, s.* exclude (version_id)
    from versions as v
    join shares as s using (version_id)
),
previous_shares as (
    select v.version_id, s.* exclude (version_id)
    from versions as v
    join shares as s on s.version_id = v.previous_version_id
),
pairs as (
    select
        coalesce(c.version_id, p.version_id) as version_id,
        coalesce(c.bin, p.bin) as bin,
        p.file_id as previous_file_id,
        c.file_id as file_id,
        case
            when p.bin is null then 'joined'
            when c.bin is null then 'left'
            when p.parent_bin is distinct from c.parent_bin or p.top_bin <> c.top_bin then 'moved'
            when p.kind is distinct from c.kind or p.region is distinct from c.region then 'regrouped'
        end as registry_change
    from current_shares as c
    full join previous_shares as p on p.version_id = c.version_id and p.bin = c.bin
)
select
    pairs.version_id,
    v.previous_version_id,
    v.level,
    v.year,
    v.quarter,
    pairs.bin,
    case
        when pairs.previous_file_id is not distinct from pairs.file_id then pairs.registry_change
        when pairs.previous_file_id is null then 'arrived'
        when pairs.file_id is null then 'withdrawn'
        else 'revised'
    end as change,
    pairs.registry_change,
    pairs.previous_file_id,
    pairs.file_id,
    s.received_at,
    s.is_late
from pairs
join versions as v using (version_id)
left join core_submissions as s on s.file_id = pairs.file_id
where pairs.previous_file_id is distinct from pairs.file_id or pairs.registry_change is not null
