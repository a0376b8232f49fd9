-- grain: one row per column of the views named ($views), in their order: its view, name, type and comment
select c.table_name as view, c.column_name as column, c.data_type as type, c.comment
from duckdb_columns() as c
where c.table_name in (select unnest($views::varchar[]))
order by list_position($views::varchar[], c.table_name), c.column_index
