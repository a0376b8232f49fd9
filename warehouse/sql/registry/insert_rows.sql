-- grain: one row per body version of the file loaded (registry_rows), under the load $load_id
insert into core_registry
select bin, name_kk, name_ru, kind, parent_bin, region, valid_from::date, valid_to::date, $load_id
from registry_rows
