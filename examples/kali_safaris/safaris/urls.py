from django.http import HttpResponse
from django.urls import path

from . import views, webhooks

urlpatterns = [
    path("", views.index, name="index"),
    path("bookings/", views.booking_create, name="booking_create"),
    path("bookings/<str:reference>/", views.booking_detail, name="booking_detail"),
    path("bookings/<str:reference>/balance/", views.balance_request, name="balance_request"),
    path("charges/<int:charge_id>/pay/", views.charge_pay_web, name="charge_pay_web"),
    path("webhooks/lipwa/", webhooks.lipwa_webhook, name="lipwa_webhook"),
    path("healthz", lambda request: HttpResponse("ok")),
]
