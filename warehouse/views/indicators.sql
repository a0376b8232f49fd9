-- indicators: one row per indicator (row) of form 1-әу, in the order of the printed form: its code, the row it is
-- part of, its position and labels. Join on code to sort any view by the form's order (position), not as text.
create or replace view indicators as
select code, parent as parent_code, position, label_kk, label_ru, gloss_en
from core_indicators
