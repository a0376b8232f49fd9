-- grain: one row per published quarter and indicator of $codes: the national figure
select period, code, value
from national_trend
where code in (select unnest($codes::varchar[]))
