-- grain: one row per version of a body in the registry: its names in Kazakh and Russian and the days it was in force.
select bin, name_kk, name_ru, valid_from, valid_to
from core_registry
order by bin, valid_from
