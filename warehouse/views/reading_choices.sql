-- reading_choices: one row per choice the reader made in each attempt at a file (the same list as
-- `adep check --choices`): what was decided, the choice, the cell it was read from, the sign it rests on, the
-- plausible alternatives (each said in a finding) and what was set aside for a certain reason.
create or replace view reading_choices as
select
    c.file_id,
    f.file_name,
    c.attempt,
    c.seq,
    c.what,
    c.chosen,
    c.cell,
    c.basis,
    c.alternatives,
    c.set_aside,
    f.status as status_now
from core_choices as c
join core_files as f using (file_id)
