-- grain: one row per good report the supersede plan takes out of force: it was in force and a later arrival is now
select file_id, in_force_id
from supersede_plan
where was_in_force and file_id <> in_force_id
