-- next version id: one row: the number the next published version takes (versions are numbered across levels).
select coalesce(max(version_id), 0) + 1 from core_rollup_versions
