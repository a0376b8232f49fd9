-- The portal: whether the published copy has a column yet (a copy published before a migration that added it).
select count(*) > 0
from duckdb_columns()
where table_name = $table and column_name = $column
