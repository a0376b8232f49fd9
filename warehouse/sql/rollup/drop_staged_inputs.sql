-- drop staged_inputs: the staging table of a stage, once published or refused (no rows).
drop table if exists staged_inputs
