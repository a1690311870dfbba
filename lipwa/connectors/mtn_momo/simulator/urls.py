"""MTN MoMo's real paths, mounted at /simulators/mtn_momo/ so that a client only changes its base URL."""

from django.urls import path, re_path

from . import operations, views

_UUID = r"(?P<reference>[0-9A-Fa-f-]{36})"

urlpatterns = [
    # Sandbox provisioning (PROVIDERS.md 2.2).
    path("v1_0/apiuser", views.api_user_create),
    path("v1_0/apiuser/<str:api_user>", views.api_user_get),
    path("v1_0/apiuser/<str:api_user>/apikey", views.api_key_create),
    # Tokens, one per product; the trailing slash is part of the path (2.3).
    path("collection/token/", views.token, {"product": "collection"}),
    path("disbursement/token/", views.token, {"product": "disbursement"}),
    # Collection (2.4, 2.5, 2.9).
    path("collection/v1_0/requesttopay", operations.request_to_pay),
    re_path(rf"^collection/v1_0/requesttopay/{_UUID}$", operations.request_to_pay_status),
    path("collection/v1_0/accountholder/msisdn/<str:msisdn>/active", views.account_holder_active),
    path("collection/v1_0/accountholder/msisdn/<str:msisdn>/basicuserinfo", views.basic_user_info),
    # Disbursement: transfers and refunds of collections (2.10).
    path("disbursement/v1_0/transfer", operations.transfer),
    re_path(rf"^disbursement/v1_0/transfer/{_UUID}$", operations.transfer_status),
    re_path(r"^disbursement/v[12]_0/refund$", operations.refund),
    re_path(rf"^disbursement/v1_0/refund/{_UUID}$", operations.refund_status),
    # Last: any other path gets the API gateway's own 404 rather than lipwa's.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
