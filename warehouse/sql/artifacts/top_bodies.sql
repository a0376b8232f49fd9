-- grain: one row per top-tier body with a published ministry figure for the quarter: its latest name, the reports
-- summed and expected; those missing most first
select v.bin, coalesce(t.name_kk, v.bin) as name, max(v.covered_count) as covered, max(v.expected_count) as expected
from rollup_values as v
left join (select distinct on (bin) bin, name_kk from core_rollup_tree order by bin, version_id desc) as t using (bin)
where v.level = 'ministry' and v.year = $year and v.quarter = $quarter
group by all
order by expected - covered desc, name
