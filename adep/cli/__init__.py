"""The adep command line."""
from adep.cli.parser import main

__all__ = ["main"]
