"""`python -m adep.cli`: the command line."""
import sys

from adep.cli.parser import main

sys.exit(main())
