-- grain: one value, the ledger id the next new file gets
select coalesce(max(file_id), 0) + 1 from core_files
