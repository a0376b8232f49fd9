-- grain: one row per BIN of $bins (not in force in the quarter starting $first_day): the registry's last version of
-- it before the quarter (ended), or else its first one after
with versions as (
    select * from core_registry where bin in (select unnest($bins::varchar[]))
)
select v.bin, v.name_ru, v.parent_bin, v.valid_from, v.valid_to,
       v.valid_to is not null and v.valid_to < $first_day as ended
from versions as v
qualify row_number() over (
    partition by v.bin
    order by (v.valid_to is not null and v.valid_to < $first_day) desc,
             case when v.valid_to < $first_day then v.valid_to end desc nulls last, v.valid_from) = 1
