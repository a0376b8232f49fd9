-- grain: one row per file a run ($run_id) processed: its outcome in that run, body, period, errors, warnings, where
-- it went; rejected first
select f.file_name as file, a.outcome, f.bin, f.year || 'Q' || f.quarter as period,
       a.error_count as errors, a.warning_count as warnings, f.stored_path as filed_as, f.file_id
from core_attempts as a
join core_files as f using (file_id)
where a.run_id = $run_id
order by case a.outcome when 'rejected' then 0 when 'loaded' then 1 else 2 end, f.file_name
