"""Prefect flows of adep: intake, the staged rollups, reruns."""
