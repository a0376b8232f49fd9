-- Staged rollups: an agency version consolidates one published ministry version, and records which.

-- core_rollup_versions, one row per published rollup: for the agency level, the ministry version whose figures,
-- tree and inputs it consolidated; NULL at the ministry level (and for agency versions published before staging).
alter table core_rollup_versions add column based_on_version_id integer;
