-- own_reports_in_period(year, quarter): one row per body with an own-scope report in force for the quarter.
-- Declared-consolidated reports (header mark жиынтық / сводный) are kept apart so nothing is counted twice.
create or replace macro own_reports_in_period(p_year, p_quarter) as table
select file_id, bin, received_at, deadline_at, coalesce(is_late, false) as is_late
from core_submissions
where is_in_force
  and not is_consolidated
  and year = p_year::integer
  and quarter = p_quarter::integer
qualify row_number() over (partition by bin order by received_at desc, file_id desc) = 1
