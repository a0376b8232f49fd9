-- grain: one row per finding of the latest attempt at each file asked for ($file_ids), in the findings file's order
select *
from findings
where file_id in (select unnest($file_ids))
order by file_id, severity, code, rule
