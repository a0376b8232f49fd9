-- grain: every row of the registry in force, replaced as a whole by the next load
delete from core_registry
