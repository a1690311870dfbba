"""FeexPay's real paths (under `/api`, PROVIDERS.md 5.1), mounted at /simulators/feexpay/, plus the hosted page."""

from django.urls import path, re_path

from . import checkout, views

urlpatterns = [
    path("api/transactions/public/requesttopay/<str:network>", views.request_to_pay),
    path("api/transactions/public/single/status/<str:reference>", views.transaction_status),
    # Both spellings are seen in integrations (5.5).
    path("api/feexlink/api-create", checkout.link_create),
    path("api/feexlinks/generate", checkout.link_create),
    # checkout.feexpay.me's page, under the simulator's own prefix.
    path("checkout/<str:link_id>", checkout.checkout_page),
    # Last: any other path gets FeexPay's {"message": "Not found"} rather than lipwa's 404 (5.8).
    re_path(r"^(?P<path>.*)$", views.not_found),
]
