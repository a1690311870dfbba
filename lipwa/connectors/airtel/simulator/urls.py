"""Airtel's real paths, mounted at /simulators/airtel/ so that a client only changes its base URL."""

from django.urls import path, re_path

from . import disbursements, views

urlpatterns = [
    path("auth/oauth2/token", views.oauth_token),
    path("v1/rsa/encryption-keys", views.encryption_keys),
    # The trailing slash is part of Airtel's collection and disbursement paths (PROVIDERS.md §3.4).
    re_path(r"^merchant/(?P<version>v[12])/payments/$", views.collect),
    re_path(r"^standard/(?P<version>v[12])/payments/refund$", views.refund),
    re_path(r"^standard/v1/payments/(?P<transaction_id>[^/]+)$", views.enquiry),
    re_path(r"^standard/(?P<version>v[12])/disbursements/$", disbursements.disburse),
    re_path(r"^standard/v1/disbursements/(?P<transaction_id>[^/]+)$", disbursements.disbursement_enquiry),
    re_path(r"^standard/v1/users/(?P<msisdn>[^/]+)$", disbursements.user_enquiry),
    # Last: any other path gets an Airtel-shaped 404 rather than lipwa's.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
