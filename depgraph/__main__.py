"""``python -m depgraph``: the same as the ``depgraph`` console script."""

import sys

from depgraph.cli import main

sys.exit(main())
