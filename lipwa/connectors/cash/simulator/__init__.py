"""Cash has no gateway to imitate: there is nothing to call, so this simulator serves no paths.

The registry mounts every connector's simulator package at /simulators/<connector>/, so the package exists
with an empty urlconf. Cash is "simulated" by recording collections through the API, as a rider would.
"""
