-- Findings carry the catalogue template they were worded from and their parameters (JSON), so every language
-- is filled from the same facts, and the Kazakh and Russian lines beside the English one.
alter table core_findings add column if not exists message_kk varchar;
alter table core_findings add column if not exists message_ru varchar;
alter table core_findings add column if not exists template varchar;
alter table core_findings add column if not exists params varchar;
