-- grain: one row per file of the batch (batch_files) that passed its checks; each starts in force,
-- and the supersede rule then leaves only the latest arrival in force for its body, period and scope.
insert into core_submissions (file_id, bin, year, quarter, body_name, commissioner, phone, signed_on,
                              is_consolidated, received_at, deadline_at, is_late, is_in_force)
select file_id, bin, year, quarter, body_name, commissioner, phone, try_cast(signed_on as date),
       is_consolidated, received_at, deadline_at, is_late, true
from batch_files
where status = 'loaded'
