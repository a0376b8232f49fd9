"""adep: quarterly ethics reports of Kazakhstan's state bodies (form 1-әу) into a DuckDB warehouse."""

__version__ = "0.1.0"
