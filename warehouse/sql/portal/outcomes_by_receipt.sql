-- The portal: the ledger's outcome of the files delivered with these receipts.
select receipt_number as key, file_id, status, received_at, days_late, channel
from intake_log
where receipt_number in (select unnest($keys::varchar[]))
order by file_id
