-- grain: one row: the registry load $load_id, its file's name and hash and how many rows it holds
insert into core_registry_loads values ($load_id, $file_name, $sha256, now(), $row_count)
