-- How each attempt at a file was read: every choice the reader made (which sheet, which table, which value column,
-- each header field, how each cell became a number), with the cell it was read from, the sign it rests on, the
-- plausible alternatives (each of which came with a finding) and the candidates set aside for a certain reason.
-- With it an operator or an auditor sees how any report in force was read, without the file.

-- one row per choice of one attempt at a file, in the order the reader made them (seq from 1)
create table if not exists core_choices (
    file_id integer not null,
    attempt integer not null,
    seq integer not null,
    what varchar not null,
    chosen varchar not null,
    cell varchar,
    basis varchar not null,
    alternatives varchar[] not null,
    set_aside varchar[] not null
);
