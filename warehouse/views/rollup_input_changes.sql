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
changes as (
    select * from share_changes(previous_shares, current_shares)
)
select
    changes.version_id,
    v.previous_version_id,
    v.level,
    v.year,
    v.quarter,
    changes.bin,
    changes.change,
    changes.registry_change,
    changes.before_file_id as previous_file_id,
    changes.after_file_id as file_id,
    s.received_at,
    s.is_late
from changes
join versions as v using (version_id)
left join core_submissions as s on s.file_id = changes.after_file_id
