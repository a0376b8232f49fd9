-- grain: one value, the number the next registry load gets
select coalesce(max(registry_load_id), 0) + 1 from core_registry_loads
