-- bodies_by_quarter: one row per known quarter and body with a registry version in force during it, as that body
-- stood on its last day in force in the quarter (name, kind, parent, region, tier); excluded bodies are kept, flagged.
create or replace view bodies_by_quarter as
select b.*
from known_periods as p,
    lateral bodies_in_period(p.year, p.quarter) as b
