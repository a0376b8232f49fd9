-- grain: one row per audit event of the portal not carried yet (batch_audit_events: id, at, event, bin, address,
-- detail); an id already carried is left as it is, so carrying the same events twice changes nothing.
insert into core_portal_audit (id, "at", event, bin, address, detail, carried_at)
select e.id, cast(e."at" as timestamptz), e.event, e.bin, e.address, e.detail, now()
from batch_audit_events as e
where e.id not in (select id from core_portal_audit)
order by e.id
