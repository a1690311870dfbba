"""Daraja's real paths, mounted at /simulators/mpesa/ so that a client only changes its base URL."""

from django.urls import path, re_path

from . import c2b, views

urlpatterns = [
    path("oauth/v1/generate", views.oauth_generate),
    path("mpesa/stkpush/v1/processrequest", views.stk_push),
    path("mpesa/stkpushquery/v1/query", views.stk_query),
    # v2 is current; v1 still answers and older SDKs use it (PROVIDERS.md 1.7).
    re_path(r"^mpesa/c2b/(?P<version>v[12])/registerurl$", c2b.register_url),
    re_path(r"^mpesa/c2b/(?P<version>v[12])/simulate$", c2b.simulate),
    # Last: any other path gets Daraja's own "Resource not found" envelope rather than lipwa's 404.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
