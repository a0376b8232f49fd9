-- missing_reports: one row per known quarter and expected body with no own-scope report in force.
create or replace view missing_reports as
select m.*
from known_periods as p,
    lateral missing_in_period(p.year, p.quarter) as m
