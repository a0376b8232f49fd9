-- report_values: one row per report in force and indicator (own-scope and declared-consolidated reports).
create or replace view report_values as
select
    s.bin,
    s.year,
    s.quarter,
    v.code,
    v.value,
    v.was_blank,
    s.is_consolidated,
    s.file_id
from core_submissions as s
join core_values as v using (file_id)
where s.is_in_force
