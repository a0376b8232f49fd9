-- grain: one row per rerun file (batch_files): its new outcome, place and header, and its attempt count;
-- a file no longer rejected is no longer waiting for a resolution.
update core_files set
    status = b.status,
    superseded_by = null,
    stored_path = b.stored_path,
    bin = b.bin,
    year = b.year,
    quarter = b.quarter,
    is_consolidated = b.is_consolidated,
    error_count = b.error_count,
    warning_count = b.warning_count,
    attempt_count = b.attempt,
    processed_at = now(),
    resolved_by = case when b.status = 'rejected' then core_files.resolved_by end,
    resolved_at = case when b.status = 'rejected' then core_files.resolved_at end
from batch_files as b
where core_files.file_id = b.file_id
