-- grain: one row per good report whose standing the supersede plan changes: only the one in force stays so
update core_submissions set is_in_force = (p.file_id = p.in_force_id)
from supersede_plan as p
where core_submissions.file_id = p.file_id
  and p.was_in_force <> (p.file_id = p.in_force_id)
