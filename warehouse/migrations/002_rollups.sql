-- Published rollups: every publication is a numbered version, kept with the tree and the submissions it used.

-- one row per published rollup (a level and a period, at one moment)
create table if not exists core_rollup_versions (
    version_id integer primary key,
    level varchar not null,               -- ministry, agency
    year integer not null,
    quarter integer not null,
    published_at timestamptz not null,
    submission_count integer not null,    -- own-scope reports summed
    expected_count integer not null,      -- bodies expected in the tree (excluded bodies left out)
    covered_count integer not null,       -- expected bodies whose own-scope report was summed
    previous_version_id integer,          -- the version this one replaced, if any
    note varchar not null,                -- why it differs from the previous version
    flow_run_id varchar
);

-- one row per version, breakdown member and indicator.
-- breakdown: 'body' (consolidated figure of one top-tier body, key = its BIN) at both levels;
-- 'national' (key NULL), 'kind' (key = kind of the reporting body), 'region' (key = its region) at agency level.
create table if not exists core_rollup_values (
    version_id integer not null,
    breakdown varchar not null,
    breakdown_key varchar,
    code varchar not null,
    value bigint not null,
    expected_count integer not null,
    covered_count integer not null
);

-- one row per version and own-scope submission it summed
create table if not exists core_rollup_inputs (
    version_id integer not null,
    file_id integer not null,
    bin varchar not null
);

-- one row per version and expected body: the registry tree as it stood for the publication
create table if not exists core_rollup_tree (
    version_id integer not null,
    bin varchar not null,
    parent_bin varchar,
    top_bin varchar not null,
    depth integer not null,
    name_kk varchar,
    name_ru varchar,
    kind varchar,
    region varchar
);
