-- grain: one row per declared-consolidated figure of the quarter that differs from the computed rollup (or has
-- none to compare with), with the body's name
select r.*, coalesce(b.name_kk, r.bin) as name_kk, i.position
from reconciliation as r
left join bodies_in_period($year, $quarter) as b using (bin)
left join indicators as i using (code)
where r.year = $year and r.quarter = $quarter and not r.is_equal
order by r.bin, i.position
