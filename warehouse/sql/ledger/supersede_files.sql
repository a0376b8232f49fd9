-- grain: one row per file whose standing the supersede plan changes: a report that gives way is superseded by
-- the one in force (and stays queryable); one superseded earlier keeps what superseded it then.
update core_files set
    status = case when p.file_id = p.in_force_id then 'loaded' else 'superseded' end,
    superseded_by = case when p.file_id = p.in_force_id then null else p.in_force_id end
from supersede_plan as p
where core_files.file_id = p.file_id
  and p.was_in_force <> (p.file_id = p.in_force_id)
