"""Bank transfers reach no gateway, so there is nothing to simulate: the package exists only because the
registry mounts every connector's simulator package at /simulators/<connector>/."""
