-- The portal's warm-up: any one body that files the form in a period.
select bin, name_kk
from bodies_in_period($year, $quarter)
where not is_excluded
limit 1
