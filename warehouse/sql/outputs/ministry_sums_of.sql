-- grain: one row per quarter with a published ministry stage and indicator of $codes: the sum of the top-tier
-- bodies' figures
select year || 'Q' || quarter as period, code, sum(value)::bigint as value
from rollup_values
where level = 'ministry' and code in (select unnest($codes::varchar[]))
group by all
