from django.http import HttpResponse
from django.urls import path

from . import views, webhooks

urlpatterns = [
    path("", views.index, name="index"),
    path("orders/", views.order_create, name="order_create"),
    path("orders/<str:reference>/", views.order_detail, name="order_detail"),
    path("webhooks/lipwa/", webhooks.lipwa_webhook, name="lipwa_webhook"),
    path("healthz", lambda request: HttpResponse("ok")),
]
