-- The portal: every body that files the form in a period (not excluded), by BIN.
select bin, name_kk, name_ru
from bodies_in_period($year, $quarter)
where not is_excluded
order by bin
