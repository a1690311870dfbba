"""AzamPay's three hosts, each under its own prefix below /simulators/azampay/ (see the package docstring).

    /simulators/azampay/authenticator/   the authenticator host (tokens)
    /simulators/azampay/checkout/        the checkout host
    /simulators/azampay/disbursement/    the disbursement host

Each prefix answers only its own host's paths, as the real hosts do, so a client that sends a request to the
wrong host gets a 404 here instead of a success that the real gateway would never give.
"""

from django.urls import include, path, re_path

from . import disbursement, views

_ELSE = re_path(r"^(?P<path>.*)$", views.not_found)

authenticator_patterns = [
    path("AppRegistration/GenerateToken", views.generate_token),
    _ELSE,
]

checkout_patterns = [
    path("azampay/mno/checkout", views.mno_checkout),
    path("azampay/bank/checkout", views.bank_checkout),
    path("api/v1/Partner/GetPaymentPartners", views.payment_partners),
    _ELSE,
]

disbursement_patterns = [
    path("api/v1/azampay/disburse", disbursement.disburse),
    path("api/v1/azampay/transactionstatus", disbursement.transaction_status),
    path("api/v1/azampay/namelookup", disbursement.name_lookup),
    _ELSE,
]

urlpatterns = [
    path("authenticator/", include(authenticator_patterns)),
    path("checkout/", include(checkout_patterns)),
    path("disbursement/", include(disbursement_patterns)),
    _ELSE,
]
