-- The portal, on a copy published before migration 007: the outcome of the files delivered under these names (each
-- name holds its receipt number, so it is unique).
select file_name as key, file_id, status, received_at, days_late, null as channel
from intake_log
where file_name in (select unnest($keys::varchar[]))
order by file_id
