"""Prefect tasks of adep: each works on a batch of files, never one task run per file."""
