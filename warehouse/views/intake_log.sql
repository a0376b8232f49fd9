-- intake_log: one row per file seen, ever, with its latest outcome; a rejected file shows the later report of its
-- body that resolved it, if any. A file that was loaded as a report (or the duplicate of one) carries the report's
-- deadline and how many days after it the file arrived; a file that never became a report has no established
-- deadline (NULL). channel says how the file came: 'portal' (with a receipt that holds: received_at is the receipt's
-- time, receipt_number its number) or 'folder' (dropped into intake/: received_at is the file's own time).
create or replace view intake_log as
with deadlines as (
    select file_id, deadline_at from core_submissions
)
select
    f.file_id,
    f.file_name,
    f.sha256,
    f.size_bytes,
    f.received_at,
    f.status,
    f.bin,
    f.year,
    f.quarter,
    f.error_count as errors,
    f.warning_count as warnings,
    f.attempt_count as attempts,
    f.duplicate_of,
    f.superseded_by,
    f.stored_path,
    f.processed_at,
    f.resolved_by,
    f.resolved_at,
    coalesce(own.deadline_at, original.deadline_at) as deadline_at,
    days_late(f.received_at, coalesce(own.deadline_at, original.deadline_at)) as days_late,
    coalesce(f.channel, 'folder') as channel,
    f.receipt_number
from core_files as f
left join deadlines as own on own.file_id = f.file_id
left join deadlines as original on original.file_id = f.duplicate_of
