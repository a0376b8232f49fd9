-- grain: one row per body in force in the quarter whose registration began the day after $ended_on, under the parent
-- $parent_bin, other than $bin: what the registry knows of who took over from a body whose registration ended
select b.name_ru || ' (' || b.bin || ')'
from bodies_in_period($year, $quarter) as b
join core_registry as r on r.bin = b.bin and r.valid_from = $ended_on::date + 1
where r.parent_bin = $parent_bin and b.bin <> $bin
order by b.bin
