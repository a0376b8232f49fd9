-- grain: one row per kind of body, in the form's order, with its Kazakh and Russian labels
select kind, label_kk, label_ru
from body_kinds
order by position
