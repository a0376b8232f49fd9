-- The portal channel: a report delivered with a signed receipt is dated by the receipt and keeps its number; and the
-- portal's audit trail, carried into the warehouse by the intake so the operator can read it (view portal_audit).

-- on core_files (one row per file): how it came ('portal': with a receipt that holds; 'folder': anything else,
-- dated by the file's own time) and the number of its receipt
alter table core_files add column channel varchar default 'folder';
alter table core_files add column receipt_number varchar;
update core_files set channel = 'folder' where channel is null;

-- one row per event of the portal's audit trail (portal/portal.sqlite3, table audit_events), under the portal's id
create table if not exists core_portal_audit (
    id bigint primary key,            -- the portal's own id: events are carried once, in order of id
    "at" timestamptz not null,         -- when it happened, by the portal's clock
    event varchar not null,           -- sign_in, sign_in_failed, sign_out, upload, refusal, confirmation, submission, ...
    bin varchar,                      -- the body that acted (or claimed to, at a failed sign-in)
    address varchar,                  -- the client's address
    detail varchar not null,          -- JSON: upload id, receipt number, file name, reason of a refusal, ...
    carried_at timestamptz not null   -- when an intake run carried it into the warehouse
);
