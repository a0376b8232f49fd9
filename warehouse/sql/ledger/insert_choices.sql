-- grain: one row per choice the reader made in this attempt at a file of the batch (batch_choices), in its order
insert into core_choices (file_id, attempt, seq, what, chosen, cell, basis, alternatives, set_aside)
select file_id, attempt, seq, what, chosen, cell, basis, alternatives, set_aside
from batch_choices
