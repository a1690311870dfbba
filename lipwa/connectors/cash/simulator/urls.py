"""No paths: cash on delivery has no gateway (see the package docstring)."""

urlpatterns: list = []
