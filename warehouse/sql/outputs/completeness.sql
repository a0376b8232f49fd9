-- grain: one row per parent body (the Agency first, then those missing most): expected, received, on time, late,
-- missing
select *
from completeness_in_period($year, $quarter)
order by parent_bin is not null, missing desc, late desc, parent_name_kk
