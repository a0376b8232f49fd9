-- grain: none; the supersede plan is dropped once applied
drop table if exists supersede_plan
