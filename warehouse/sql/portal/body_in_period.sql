-- The portal: a body's registry entry for a period (names, parent, tier, whether it files the form).
select bin, name_kk, name_ru, parent_bin, tier, is_excluded, kind
from bodies_in_period($year, $quarter)
where bin = $bin
