-- grain: one row per ledger file behind the copied good reports (temp core_submissions): a temporary copy under the
-- ledger's own name, for a dry run of the ledger's statements.
create temp table core_files as
select f.*
from core_files as f
where f.file_id in (select file_id from temp.main.core_submissions)
