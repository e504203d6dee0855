"""``python -m depgraph``: the same as the ``depgraph`` console script."""

from depgraph.cli import main

main()
