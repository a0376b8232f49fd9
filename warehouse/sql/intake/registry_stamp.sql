-- grain: one value: which registry this is: the warehouse file, the registry load in force and its number of rows.
-- A load replaces the whole registry under a new load id, so what is built from the registry's names is built again
-- only after a load (or for another home's warehouse).
select (select path from duckdb_databases() where database_name = current_database())
       || ':' || coalesce(max(registry_load_id), 0) || ':' || count(*)
from core_registry
