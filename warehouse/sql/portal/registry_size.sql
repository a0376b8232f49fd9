-- The portal's health check: the published copy can be read.
select count(*) from core_registry
