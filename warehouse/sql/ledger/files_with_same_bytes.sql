-- grain: one row per fingerprint of the batch (shas) already in the ledger: the first file with those bytes,
-- where it is kept and under what name.
select sha256, min(file_id) as prior_id, arg_min(stored_path, file_id) as prior_path,
       arg_min(file_name, file_id) as prior_name
from core_files
where sha256 in (select sha256 from shas)
group by sha256
