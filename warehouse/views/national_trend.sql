-- national_trend: one row per quarter and indicator of the national figure (the latest agency-level rollup), with
-- the previous quarter, the same quarter last year and the year to date (see breakdown_trend).
create or replace view national_trend as
select * exclude (breakdown, breakdown_key, member_name_kk, member_name_ru)
from breakdown_trend
where breakdown = 'national'
