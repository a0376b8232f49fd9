-- grain: one row per new file of the batch (batch_files), as the checks decided it;
-- the supersede rule may then turn a good report into a superseded one.
insert into core_files (file_id, file_name, sha256, size_bytes, received_at, status, stored_path, duplicate_of,
                        superseded_by, bin, year, quarter, error_count, warning_count, attempt_count, processed_at,
                        is_consolidated, channel, receipt_number)
select file_id, file_name, sha256, size_bytes, received_at, status, stored_path, duplicate_of,
       null, bin, year, quarter, error_count, warning_count, attempt, now(), is_consolidated,
       channel, receipt_number
from batch_files
