-- missing_in_period(year, quarter): one row per expected body with no own-scope report in force, named, and why:
-- 'rejected' (it sent files, all rejected: the latest one and its first finding) or 'nothing_received'.
create or replace macro missing_in_period(p_year, p_quarter) as table
with expected as (
    select * from bodies_in_period(p_year, p_quarter) where not is_excluded
),
parents as (
    select bin, name_kk, name_ru from bodies_in_period(p_year, p_quarter)
),
consolidated as (
    select distinct bin
    from core_submissions
    where is_in_force and is_consolidated and year = p_year::integer and quarter = p_quarter::integer
)
select
    e.parent_bin,
    p.name_kk as parent_name_kk,
    p.name_ru as parent_name_ru,
    e.bin,
    e.name_kk,
    e.name_ru,
    e.kind,
    e.region,
    e.tier,
    consolidated.bin is not null as has_declared_consolidated,
    case when r.bin is null then 'nothing_received' else 'rejected' end as missing_reason,
    r.rejected_file_id,
    r.rejected_file_name,
    r.rejected_received_at,
    r.rejected_file_count,
    r.first_finding_rule,
    r.first_finding,
    e.year,
    e.quarter
from expected as e
left join parents as p on p.bin = e.parent_bin
left join consolidated on consolidated.bin = e.bin
left join rejected_in_period(p_year, p_quarter) as r on r.bin = e.bin
where e.bin not in (select bin from own_reports_in_period(p_year, p_quarter))
