"""One module per command; each defines ``register(app)``. ``depgraph.cli`` discovers them."""
