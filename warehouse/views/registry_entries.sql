-- registry_entries(): one row per BIN in the registry, with a fingerprint of every version the registry holds
-- for it (names, kind, parent, region, dates). What the checks read about a body changes only when this does,
-- so a rejected file whose body's fingerprint is the same as at its last attempt need not be checked again.
create or replace macro registry_entries() as table
select
    bin,
    md5(string_agg(
        concat_ws('|', name_kk, name_ru, kind, coalesce(parent_bin, ''), coalesce(region, ''),
                  valid_from, coalesce(cast(valid_to as varchar), '')),
        ';' order by valid_from
    )) as entry
from core_registry
group by bin
