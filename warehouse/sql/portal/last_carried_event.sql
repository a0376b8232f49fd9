-- grain: one value: the id of the latest portal audit event already carried into the warehouse (0 when none).
select coalesce(max(id), 0) from core_portal_audit
