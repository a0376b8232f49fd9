-- grain: one value: how many registry rows are loaded
select count(*)
from core_registry
