-- The portal: how many bodies report to this one in a period (a parent sees its branch).
select count(*)
from bodies_in_period($year, $quarter)
where parent_bin = $bin
