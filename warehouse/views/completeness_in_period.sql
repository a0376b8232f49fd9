-- completeness_in_period(year, quarter): one row per parent body (NULL = the Agency, for the top tier).
-- expected: bodies expected to report (not excluded); received: with an own-scope report in force;
-- on_time / late by the report's deadline; missing = expected - received, split into rejected (the body sent
-- only files that were rejected) and nothing_received.
create or replace macro completeness_in_period(p_year, p_quarter) as table
with expected as (
    select * from bodies_in_period(p_year, p_quarter) where not is_excluded
),
own as (
    select * from own_reports_in_period(p_year, p_quarter)
),
consolidated as (
    select distinct bin
    from core_submissions
    where is_in_force and is_consolidated and year = p_year::integer and quarter = p_quarter::integer
),
rejected as (
    select bin from rejected_in_period(p_year, p_quarter)
),
parents as (
    select bin, name_kk, name_ru from bodies_in_period(p_year, p_quarter)
),
counted as (
    select
        e.parent_bin,
        any_value(e.tier) as tier,
        count(*) as expected,
        count(own.bin) as received,
        count(*) filter (where own.bin is not null and not own.is_late) as on_time,
        count(*) filter (where own.is_late) as late,
        count(*) filter (where own.bin is null and rejected.bin is not null) as rejected,
        count(consolidated.bin) as declared_consolidated
    from expected as e
    left join own using (bin)
    left join rejected using (bin)
    left join consolidated using (bin)
    group by e.parent_bin
)
select
    c.parent_bin,
    coalesce(p.name_kk, case when c.parent_bin is null then 'Мемлекеттік қызмет істері агенттігі' end) as parent_name_kk,
    coalesce(p.name_ru, case when c.parent_bin is null then 'Агентство по делам государственной службы' end) as parent_name_ru,
    p_year::integer as year,
    p_quarter::integer as quarter,
    c.tier,
    c.expected::integer as expected,
    c.received::integer as received,
    c.on_time::integer as on_time,
    c.late::integer as late,
    (c.expected - c.received)::integer as missing,
    c.rejected::integer as rejected,
    (c.expected - c.received - c.rejected)::integer as nothing_received,
    c.declared_consolidated::integer as declared_consolidated,
    round(c.received / c.expected, 4) as received_share
from counted as c
left join parents as p on p.bin = c.parent_bin
