-- The core tables: registry, intake ledger, submissions, values, findings.
create table if not exists core_registry_loads (
    registry_load_id integer primary key,
    file_name varchar not null,
    sha256 varchar not null,
    loaded_at timestamptz not null,
    row_count integer not null
);

-- one row per version of a reporting body
create table if not exists core_registry (
    bin varchar not null,
    name_kk varchar not null,
    name_ru varchar not null,
    kind varchar not null,
    parent_bin varchar,
    region varchar,
    valid_from date not null,
    valid_to date,
    registry_load_id integer not null
);

-- one row per file ever seen in intake/
create table if not exists core_files (
    file_id integer primary key,
    file_name varchar not null,
    sha256 varchar not null,
    size_bytes bigint not null,
    received_at timestamptz not null,
    status varchar not null,          -- loaded, rejected, duplicate, superseded
    stored_path varchar not null,     -- where the file lives now, relative to the home
    duplicate_of integer,
    superseded_by integer,
    bin varchar,
    year integer,
    quarter integer,
    error_count integer not null default 0,
    warning_count integer not null default 0,
    attempt_count integer not null default 1,
    processed_at timestamptz not null
);

-- one row per processing of a file (the first pass and every rerun)
create table if not exists core_attempts (
    file_id integer not null,
    attempt integer not null,
    started_at timestamptz not null,
    outcome varchar not null,
    error_count integer not null,
    warning_count integer not null,
    run_id varchar
);

-- one row per report that passed its checks (loaded, later maybe superseded)
create table if not exists core_submissions (
    file_id integer primary key,
    bin varchar not null,
    year integer not null,
    quarter integer not null,
    body_name varchar,
    commissioner varchar,
    phone varchar,
    signed_on date,
    is_consolidated boolean not null,
    received_at timestamptz not null,
    deadline_at timestamptz,
    is_late boolean,
    is_in_force boolean not null
);

-- one row per submission and indicator
create table if not exists core_values (
    file_id integer not null,
    code varchar not null,
    value bigint not null,
    was_blank boolean not null,
    cell varchar
);

-- one row per finding of one attempt at one file
create table if not exists core_findings (
    file_id integer not null,
    attempt integer not null,
    severity varchar not null,
    rule varchar not null,
    name varchar not null,
    code varchar,
    field varchar,
    cell varchar,
    message varchar not null
);

create table if not exists core_indicators (
    code varchar primary key,
    parent varchar,
    position integer not null,
    label_kk varchar not null,
    label_ru varchar not null,
    gloss_en varchar not null
);
