-- grain: one row per region: bodies expected for the quarter (excluded left out), received, on time, late, missing
select
    coalesce(nullif(b.region, ''), '(no region)') as region,
    count(*) as expected,
    count(o.bin) as received,
    count(*) filter (where o.bin is not null and not o.is_late) as on_time,
    count(*) filter (where o.is_late) as late,
    count(*) - count(o.bin) as missing
from bodies_in_period($year, $quarter) as b
left join own_reports_in_period($year, $quarter) as o using (bin)
where not b.is_excluded
group by all
order by region
