-- grain: one row per breakdown member (top-tier body, kind, region) and indicator of agency version $version_id,
-- with the body's name, kind and region from the version's tree
select b.breakdown, coalesce(b.breakdown_key, '') as breakdown_key, b.code, b.value, b.expected_count,
       b.covered_count, t.name_kk, t.kind, t.region
from rollup_breakdowns as b
left join rollup_tree($version_id) as t on t.bin = b.breakdown_key and b.breakdown = 'body'
where b.year = $year and b.quarter = $quarter and b.version_id = $version_id
