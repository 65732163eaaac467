"""``python -m umpolicy``: the command line."""

import sys

from umpolicy.cli import main

sys.exit(main())
