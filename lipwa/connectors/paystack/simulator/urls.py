"""Paystack's real paths, mounted at /simulators/paystack/ so that a client only changes its base URL.

Old clients add a trailing slash (`/transaction/initialize/`, PROVIDERS.md 6.1), so every API path takes one.
The hosted page lives under `checkout/`, where `authorization_url` points (real Paystack: checkout.paystack.com).
"""

from django.urls import re_path

from . import checkout, refunds, views

urlpatterns = [
    re_path(r"^transaction/initialize/?$", views.initialize),
    re_path(r"^transaction/verify/(?P<reference>[^/]+)/?$", views.verify),
    re_path(r"^transaction/charge_authorization/?$", views.charge_authorization),
    re_path(r"^charge/submit_otp/?$", views.submit_otp),
    re_path(r"^charge/?$", views.charge),
    re_path(r"^charge/(?P<reference>[^/]+)/?$", views.check_charge),
    re_path(r"^balance/?$", views.balance),
    re_path(r"^refund/?$", refunds.refunds),
    re_path(r"^refund/(?P<refund_id>[^/]+)/?$", refunds.refund_detail),
    re_path(r"^checkout/(?P<access_code>[A-Za-z0-9]+)$", checkout.checkout),
    re_path(r"^checkout/(?P<access_code>[A-Za-z0-9]+)/otp$", checkout.checkout_otp),
    # Last: any other path gets a Paystack-shaped refusal rather than lipwa's 404 page.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
