-- grain: one row, or none: the ledger file $file_id's name and status
select file_name, status
from core_files
where file_id = $file_id
