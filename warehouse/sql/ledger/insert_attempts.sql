-- grain: one row per file of the batch (batch_files): this attempt, its outcome after the supersede rule, and what
-- it was checked against (the bytes read, the registry load and the body's entry in it, the rules file).
insert into core_attempts (file_id, attempt, started_at, outcome, error_count, warning_count, run_id,
                           sha256, registry_load_id, registry_entry, rules_sha256)
select b.file_id, b.attempt, now(), f.status, b.error_count, b.warning_count, b.run_id,
       b.sha256, (select max(registry_load_id) from core_registry), coalesce(e.entry, 'none'), b.rules_sha256
from batch_files as b
join core_files as f using (file_id)
left join registry_entries() as e on e.bin = b.bin
