-- completeness: one row per parent body and known quarter (parent_bin NULL = the Agency, for the top tier).
create or replace view completeness as
select c.*
from known_periods as p,
    lateral completeness_in_period(p.year, p.quarter) as c
