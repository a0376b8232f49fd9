-- grain: one value: a fingerprint of every version of every body in the registry (names, dates, ...), which changes
-- whenever the registry does, so what is built from the registry's names is built again only then.
select coalesce(md5(string_agg(bin || ':' || entry, ',' order by bin)), '') from registry_entries()
