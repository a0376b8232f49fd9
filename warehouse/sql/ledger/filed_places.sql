-- grain: one row per file in the ledger: where it belongs and its bytes' fingerprint, to find it if a crash
-- left it elsewhere
select file_id, file_name, stored_path, sha256
from core_files
