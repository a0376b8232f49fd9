-- grain: one row per good report of a body, period and scope that the batch (batch_files) touched,
-- with the one report in force for them: the later arrival (received_at, then file_id).
-- The one supersede rule of the ledger: the intake and the rerun both apply it.
create or replace temp table supersede_plan as
with touched as (
    select distinct s.bin, s.year, s.quarter, s.is_consolidated
    from core_submissions as s
    join batch_files as b using (file_id)
)
select
    s.file_id,
    s.is_in_force as was_in_force,
    first_value(s.file_id) over (
        partition by s.bin, s.year, s.quarter, s.is_consolidated
        order by s.received_at desc, s.file_id desc
    ) as in_force_id
from core_submissions as s
join touched as t using (bin, year, quarter, is_consolidated)
