-- rollup_input_changes: one row per version and body whose summed report differs from the previous version's:
-- 'arrived' (a report that was not there), 'revised' (a newer report replaced it), 'withdrawn' (no longer summed).
create or replace view rollup_input_changes as
with versions as (
    select version_id, previous_version_id, level, year, quarter
    from core_rollup_versions
    where previous_version_id is not null
),
current_inputs as (
    select i.version_id, i.bin, i.file_id
    from core_rollup_inputs as i
    join versions using (version_id)
),
previous_inputs as (
    select v.version_id, i.bin, i.file_id
    from versions as v
    join core_rollup_inputs as i on i.version_id = v.previous_version_id
),
pairs as (
    select
        coalesce(c.version_id, p.version_id) as version_id,
        coalesce(c.bin, p.bin) as bin,
        p.file_id as previous_file_id,
        c.file_id as file_id
    from current_inputs as c
    full join previous_inputs as p on p.version_id = c.version_id and p.bin = c.bin
)
select
    pairs.version_id,
    v.previous_version_id,
    v.level,
    v.year,
    v.quarter,
    pairs.bin,
    case
        when pairs.previous_file_id is null then 'arrived'
        when pairs.file_id is null then 'withdrawn'
        else 'revised'
    end as change,
    pairs.previous_file_id,
    pairs.file_id,
    s.received_at,
    s.is_late
from pairs
join versions as v using (version_id)
left join core_submissions as s on s.file_id = pairs.file_id
where pairs.previous_file_id is distinct from pairs.file_id
