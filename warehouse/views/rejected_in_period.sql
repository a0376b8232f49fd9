-- rejected_in_period(year, quarter): one row per body with a rejected file for the quarter (as its header named
-- body and quarter): the latest such file, how many there are, and its first finding (errors first, in the order
-- the checks found them, as in its findings file).
create or replace macro rejected_in_period(p_year, p_quarter) as table
with rejected as (
    select file_id, file_name, bin, received_at, attempt_count
    from core_files
    where status = 'rejected'
      and bin is not null
      and year = p_year::integer
      and quarter = p_quarter::integer
),
first_finding as (
    select f.file_id, f.rule, f.message
    from core_findings as f
    join rejected as r on r.file_id = f.file_id and r.attempt_count = f.attempt
    qualify row_number() over (partition by f.file_id order by f.severity <> 'error', f.rowid) = 1
)
select
    r.bin,
    r.file_id as rejected_file_id,
    r.file_name as rejected_file_name,
    r.received_at as rejected_received_at,
    (count(*) over (partition by r.bin))::integer as rejected_file_count,
    ff.rule as first_finding_rule,
    ff.message as first_finding
from rejected as r
left join first_finding as ff using (file_id)
qualify row_number() over (partition by r.bin order by r.received_at desc, r.file_id desc) = 1
