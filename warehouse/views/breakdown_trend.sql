-- breakdown_trend: one row per quarter, breakdown member and indicator of the latest agency-level rollup, with the
-- previous quarter, the same quarter last year and the year to date. breakdown: 'national' (the country; key NULL),
-- 'kind' and 'region' (every body's own figures grouped by its kind or region; each sums to the national figure),
-- 'body' (a top-tier body's consolidated figure; key = its BIN). Values are counts for the quarter, so the year to
-- date is the sum of the year's quarters up to this one; ytd_quarter_count says how many of them were published.
-- A region member is named by the region it stands for (registry_regions), or as the registry writes it when it
-- names none for certain.
create or replace view breakdown_trend as
with source as (
    select
        year,
        quarter,
        year * 4 + quarter - 1 as quarter_index,
        breakdown,
        breakdown_key,
        code,
        value,
        expected_count,
        covered_count,
        version_id,
        published_at
    from latest_rollup_values
    where level = 'agency' and breakdown in ('national', 'kind', 'region', 'body')
),
year_to_date as (
    select
        *,
        (sum(value) over ytd)::bigint as ytd_value,
        count(*) over ytd as ytd_quarter_count
    from source
    window ytd as (partition by breakdown, breakdown_key, code, year order by quarter rows unbounded preceding)
),
top_bodies as (
    select distinct on (t.bin) t.bin, t.name_kk, t.name_ru
    from core_rollup_tree as t
    where t.depth = 0
    order by t.bin, t.version_id desc
)
select
    cur.year,
    cur.quarter,
    cur.year || 'Q' || cur.quarter as period,
    cur.breakdown,
    cur.breakdown_key,
    case cur.breakdown
        when 'national' then 'Қазақстан Республикасы'
        when 'kind' then k.label_kk
        when 'body' then tb.name_kk
        when 'region' then coalesce(rr.name_kk, cur.breakdown_key, 'Өңірі көрсетілмеген')
    end as member_name_kk,
    case cur.breakdown
        when 'national' then 'Республика Казахстан'
        when 'kind' then k.label_ru
        when 'body' then tb.name_ru
        when 'region' then coalesce(rr.name_ru, cur.breakdown_key, 'Регион не указан')
    end as member_name_ru,
    cur.code,
    i.position,
    i.label_kk,
    i.label_ru,
    i.gloss_en,
    cur.value,
    prev.value as previous_quarter_value,
    cur.value - prev.value as change_from_previous_quarter,
    last_year.value as same_quarter_last_year_value,
    cur.value - last_year.value as change_from_same_quarter_last_year,
    cur.ytd_value,
    cur.ytd_quarter_count::integer as ytd_quarter_count,
    last_year.ytd_value as ytd_value_last_year,
    cur.expected_count,
    cur.covered_count,
    cur.version_id,
    cur.published_at
from year_to_date as cur
left join year_to_date as prev
    on prev.breakdown = cur.breakdown
    and prev.breakdown_key is not distinct from cur.breakdown_key
    and prev.code = cur.code
    and prev.quarter_index = cur.quarter_index - 1
left join year_to_date as last_year
    on last_year.breakdown = cur.breakdown
    and last_year.breakdown_key is not distinct from cur.breakdown_key
    and last_year.code = cur.code
    and last_year.quarter_index = cur.quarter_index - 4
left join core_indicators as i on i.code = cur.code
left join body_kinds as k on cur.breakdown = 'kind' and k.kind = cur.breakdown_key
left join top_bodies as tb on cur.breakdown = 'body' and tb.bin = cur.breakdown_key
left join registry_regions as rr on cur.breakdown = 'region' and rr.region = cur.breakdown_key
