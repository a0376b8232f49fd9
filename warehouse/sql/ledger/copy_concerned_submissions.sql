-- grain: one row per good report, in force or superseded, of a body, period and scope of the batch (batch_files):
-- a temporary copy under the ledger's own name, so the ledger's statements can be tried on it (a dry run) and leave
-- the ledger as it was. Temporary tables come first in name resolution.
create temp table core_submissions as
select s.*
from core_submissions as s
join (select distinct bin, year, quarter, is_consolidated from batch_files) as t
  using (bin, year, quarter, is_consolidated)
