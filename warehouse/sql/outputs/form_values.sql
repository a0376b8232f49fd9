-- grain: one row per indicator of the form, in the form's order: the published figure of the level ($level) and body
-- ($bin, null for the national figure) for the quarter, with the reports it covers
select i.code, i.label_kk, i.position, r.value, r.expected_count, r.covered_count
from indicators as i
left join rollup_values as r
  on r.code = i.code and r.level = $level and r.year = $year and r.quarter = $quarter
 and r.bin is not distinct from $bin
order by i.position
