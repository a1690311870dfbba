from django.http import HttpResponse
from django.urls import path

from . import staff, views, webhooks

urlpatterns = [
    path("", views.index, name="index"),
    path("orders/", views.order_create, name="order_create"),
    path("orders/<str:reference>/", views.order_detail, name="order_detail"),
    path("orders/<str:reference>/retry/", views.order_retry, name="order_retry"),
    path("orders/<str:reference>/invoice.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("staff/", staff.orders, name="staff_orders"),
    path("staff/statements/", staff.statement_upload, name="staff_statement_upload"),
    path("staff/orders/<str:reference>/dispatch/", staff.dispatch, name="staff_dispatch"),
    path("staff/orders/<str:reference>/collect/", staff.collect, name="staff_collect"),
    path("webhooks/lipwa/", webhooks.lipwa_webhook, name="lipwa_webhook"),
    path("healthz", lambda request: HttpResponse("ok")),
]
