-- grain: one row per body whose report in force for the quarter arrived after its deadline, latest first
select b.bin, b.name_kk, b.name_ru, p.name_kk as parent_name_kk, o.received_at, o.deadline_at,
       ceil(epoch(o.received_at - o.deadline_at) / 86400)::integer as days_late
from own_reports_in_period($year, $quarter) as o
join bodies_in_period($year, $quarter) as b using (bin)
left join bodies_in_period($year, $quarter) as p on p.bin = b.parent_bin
where o.is_late
order by o.received_at desc
