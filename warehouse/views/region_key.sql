-- region_key(text): a region as written, compared without regard to case or runs of spaces (contracts.regions).
create or replace macro region_key(t) as lower(trim(regexp_replace(t, '[\s\x{00a0}]+', ' ', 'g')))
