"""The DuckDB warehouse: schema migrations, views, the single-writer lock and the published read-only copy."""
