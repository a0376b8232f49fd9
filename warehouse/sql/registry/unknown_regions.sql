-- grain: one row per region the registry writes that names no oblast or city for certain
select region
from registry_regions
where region_code is null
order by region
