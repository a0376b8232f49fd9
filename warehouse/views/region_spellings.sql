-- region_spellings: one row per accepted way of writing a region in the registry (its code, its names in English,
-- Kazakh and Russian, the usual short forms), generated from contracts/data/regions.csv. A spelling that could
-- name two regions ('Алматы': the city or the oblast) is not listed, so it is never guessed.
create or replace view region_spellings as
select *
from (
    values
{{region_spelling_rows}}
) as spellings(spelling, region_code)
