-- portal_audit: one row per event of the submission portal's audit trail that an intake run has carried into the
-- warehouse: every sign-in, failed sign-in, upload, refusal, confirmation and submission, who (bin), when (occurred_at, shown
-- in the connection's time zone: adep's connections use the settings' zone, Asia/Almaty) and from which address.
create or replace view portal_audit as
select
    id,
    "at" as occurred_at,
    event,
    bin,
    address,
    detail,
    carried_at
from core_portal_audit
