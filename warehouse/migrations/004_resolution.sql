-- A rejected file resolved by a later good report of its body, and what each attempt was checked against,
-- so a rerun can leave alone the files that nothing has changed for.

-- on core_files (one row per file): the good report that resolved a rejected file, and when
alter table core_files add column resolved_by integer;
alter table core_files add column resolved_at timestamptz;
-- the scope the file's header declared (own or consolidated), for rejected files too
alter table core_files add column is_consolidated boolean;

-- on core_attempts (one row per processing of a file): the bytes read, the registry and the rules checked against
alter table core_attempts add column sha256 varchar;
alter table core_attempts add column registry_load_id integer;
alter table core_attempts add column registry_entry varchar;
alter table core_attempts add column rules_sha256 varchar;
