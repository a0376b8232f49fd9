-- staged_inputs (ministry stage): one row per body of staged_tree with an own-scope report in force (the report
-- summed).
create or replace temp table staged_inputs as
select o.file_id, o.bin
from own_reports_in_period($year, $quarter) as o
join staged_tree using (bin)
