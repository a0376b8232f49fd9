-- The portal: every body below this one for a period (its whole branch, nothing else), with its state: on_time,
-- late, rejected (with its latest rejected file) or missing; on the views that make `adep status`.
with recursive bodies as (
    select * from bodies_in_period($year, $quarter) where not is_excluded
),
branch as (
    select bin, parent_bin, 1 as depth from bodies where parent_bin = $bin
    union all
    select b.bin, b.parent_bin, branch.depth + 1 from bodies as b join branch on b.parent_bin = branch.bin
    where branch.depth < 64
),
own as (select * from own_reports_in_period($year, $quarter)),
missing as (select * from missing_in_period($year, $quarter))
select b.bin, b.name_kk, b.name_ru, branch.parent_bin, branch.depth,
    case when own.bin is not null and own.is_late then 'late'
         when own.bin is not null then 'on_time'
         when m.missing_reason = 'rejected' then 'rejected'
         else 'missing' end as state,
    coalesce(own.received_at, m.rejected_received_at) as received_at,
    m.rejected_file_id, m.rejected_file_name
from branch
join bodies as b using (bin)
left join own using (bin)
left join missing as m using (bin)
order by branch.depth, b.name_kk, b.bin
