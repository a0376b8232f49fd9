-- file_history: one row per attempt at a file (first pass and reruns): outcome, findings counts, what the attempt
-- was checked against, where the file is now, which file superseded it or which one it duplicates, and for a
-- rejected file the later report of its body that resolved it.
create or replace view file_history as
select
    a.file_id,
    f.file_name,
    f.sha256,
    f.received_at,
    a.attempt,
    a.started_at,
    a.outcome,
    a.error_count,
    a.warning_count,
    a.run_id,
    f.status as status_now,
    f.stored_path,
    f.superseded_by,
    newer.file_name as superseded_by_file_name,
    f.duplicate_of,
    original.file_name as duplicate_of_file_name,
    f.resolved_by,
    resolver.file_name as resolved_by_file_name,
    f.resolved_at,
    a.sha256 as checked_sha256,
    a.registry_load_id as checked_registry_load_id,
    a.rules_sha256 as checked_rules_sha256
from core_attempts as a
join core_files as f using (file_id)
left join core_files as newer on newer.file_id = f.superseded_by
left join core_files as original on original.file_id = f.duplicate_of
left join core_files as resolver on resolver.file_id = f.resolved_by
