-- grain: one row per rerun file (batch_files): its new outcome, place and header, and its attempt count;
-- a file no longer rejected is no longer waiting for a resolution. Its time of arrival and channel are those its
-- receipt proves now (a receipt that did not hold at the first attempt may hold once the home's key is restored).
update core_files set
    status = b.status,
    superseded_by = null,
    stored_path = b.stored_path,
    received_at = b.received_at,
    channel = b.channel,
    receipt_number = b.receipt_number,
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
