-- grain: one row per file of the batch (keys) and indicator: the median and spread of that body's own figures in
-- its earlier quarters (own-scope reports in force), where it has at least $min_quarters of them.
-- Only the earlier reports of the batch's bodies are read: the values grow every quarter, the batch does not.
with earlier as (
    select k.key, s.file_id
    from keys as k
    join core_submissions as s
      on s.bin = k.bin and s.is_in_force and not s.is_consolidated
     and s.year * 4 + s.quarter - 1 < k.period_index
)
select e.key, v.code, median(v.value) as median, mad(v.value) as mad, count(*) as quarters
from earlier as e
join core_values as v on v.file_id = e.file_id
group by e.key, v.code
having count(*) >= $min_quarters
