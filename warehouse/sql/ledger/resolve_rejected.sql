-- grain: one row per rejected file not yet resolved for which its body has since filed a good report for the
-- same period and scope (a later arrival: received_at, then file_id); the first such report resolves it.
-- A file whose scope is unknown (recorded before scopes were kept) is resolved by a report of either scope.
-- resolved_at is when the resolving report arrived (its received_at), not when this statement ran.
update core_files set resolved_by = r.resolved_by, resolved_at = r.resolved_at
from (
    select f.file_id, arg_min(s.file_id, s.received_at) as resolved_by, min(s.received_at) as resolved_at
    from core_files as f
    join core_submissions as s
      on s.bin = f.bin and s.year = f.year and s.quarter = f.quarter
     and (f.is_consolidated is null or s.is_consolidated = f.is_consolidated)
     and (s.received_at > f.received_at or (s.received_at = f.received_at and s.file_id > f.file_id))
    where f.status = 'rejected' and f.resolved_by is null
    group by f.file_id
) as r
where core_files.file_id = r.file_id
