"""``python -m wholesale_sim``: the same entry point as the ``wholesale-sim`` console script."""

import sys

from wholesale_sim.cli import main

sys.exit(main())
