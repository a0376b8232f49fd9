-- grain: one row per file asked for ($file_ids): what a findings file says about it and where it is kept
select file_id, file_name, stored_path, bin, year, quarter
from core_files
where file_id in (select unnest($file_ids))
