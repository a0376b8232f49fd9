-- The portal: a body's latest names in the registry, whatever the period (a BIN found in a file of another quarter).
select name_kk, name_ru
from core_registry
where bin = $bin
order by valid_from desc
limit 1
