-- grain: one row per rejected file (those asked for by $file_ids, of the period $year/$quarter, or all): where it
-- is, whether a later report resolved it, what its latest attempt was checked against, its body's registry
-- entry now, and whether that attempt refused the file's portal receipt (P01: the home's key may have been restored
-- since, which no fingerprint of the attempt records).
select
    f.file_id,
    f.file_name,
    f.stored_path,
    f.received_at,
    f.channel,
    f.attempt_count,
    f.resolved_by,
    a.sha256 as checked_sha256,
    a.registry_entry as checked_registry_entry,
    a.rules_sha256 as checked_rules_sha256,
    coalesce(e.entry, 'none') as registry_entry,
    exists (select 1 from core_findings as x
            where x.file_id = f.file_id and x.attempt = f.attempt_count and x.rule = 'P01') as receipt_refused
from core_files as f
left join core_attempts as a on a.file_id = f.file_id and a.attempt = f.attempt_count
left join registry_entries() as e on e.bin = f.bin
where f.status = 'rejected'
  and ($file_ids is null or f.file_id in (select unnest($file_ids)))
  and ($year is null or (f.year = $year and f.quarter = $quarter))
order by f.received_at, f.file_id
