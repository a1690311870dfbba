from django.urls import path

from .views import accounts, assets, auth, keys, overview, payments, reconciliation, refunds, uploads, webhooks

app_name = "dashboard"
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("mode", auth.mode_switch, name="mode"),
    path("merchant", auth.merchant_switch, name="merchant"),
    path("dashboard.css", assets.stylesheet, name="css"),
    path("payments/", payments.payments_list, name="payments"),
    path("payments.csv", payments.payments_csv, name="payments_csv"),
    path("payments/<str:payment_id>", payments.payment_detail, name="payment"),
    path("payments/<str:payment_id>/refund", payments.payment_refund, name="payment_refund"),
    path("refunds/", refunds.refunds_list, name="refunds"),
    path("refunds/<str:refund_id>/approve", refunds.refund_approve_view, name="refund_approve"),
    path("refunds/<str:refund_id>/reject", refunds.refund_reject_view, name="refund_reject"),
    path("webhooks/", webhooks.endpoints, name="webhooks"),
    path("webhooks/<str:endpoint_id>", webhooks.endpoint_detail, name="webhook"),
    path("webhooks/<str:endpoint_id>/delete", webhooks.endpoint_delete, name="webhook_delete"),
    path("webhooks/<str:endpoint_id>/enable", webhooks.endpoint_enable, name="webhook_enable"),
    path("deliveries/<str:delivery_id>/replay", webhooks.delivery_replay, name="delivery_replay"),
    path("accounts/", accounts.accounts, name="accounts"),
    path("accounts/new/<str:connector>", accounts.account_new, name="account_new"),
    path("accounts/<str:account_id>/test", accounts.account_test, name="account_test"),
    path("reconciliation/", reconciliation.statements, name="statements"),
    path("reconciliation/review", reconciliation.review, name="review"),
    path("reconciliation/uploads/<str:upload_id>/", uploads.upload_detail, name="upload"),
    path("reconciliation/uploads/<str:upload_id>/progress.json", uploads.upload_progress, name="upload_progress"),
    path("reconciliation/discrepancies/<str:discrepancy_id>", reconciliation.discrepancy_action,
         name="discrepancy_action"),
    path("keys/", keys.keys, name="keys"),
    path("keys/<str:key_id>/revoke", keys.key_revoke, name="key_revoke"),
]
