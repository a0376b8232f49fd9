-- intake_log: one row per file seen, ever, with its latest outcome; a rejected file shows the later report of its
-- body that resolved it, if any.
create or replace view intake_log as
select
    file_id,
    file_name,
    sha256,
    size_bytes,
    received_at,
    status,
    bin,
    year,
    quarter,
    error_count as errors,
    warning_count as warnings,
    attempt_count as attempts,
    duplicate_of,
    superseded_by,
    stored_path,
    processed_at,
    resolved_by,
    resolved_at
from core_files
