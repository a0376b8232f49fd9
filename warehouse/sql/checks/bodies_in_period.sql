-- grain: one row per body expected to report for the quarter: its tier, whether it is excluded, its Russian name
select bin, tier, is_excluded, name_ru
from bodies_in_period($year, $quarter)
