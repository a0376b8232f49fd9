-- grain: one row per region that appears in a published breakdown, with its Kazakh and Russian names
select distinct breakdown_key, member_name_kk, member_name_ru
from breakdown_trend
where breakdown = 'region'
