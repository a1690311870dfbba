from django.http import HttpResponse
from django.urls import path

from . import views, webhooks

urlpatterns = [
    path("", views.index, name="index"),
    path("consultations/", views.consultation_book, name="consultation_book"),
    path("credits/", views.credits_buy, name="credits_buy"),
    path("purchases/<str:reference>/", views.purchase_detail, name="purchase_detail"),
    path("webhooks/lipwa/", webhooks.lipwa_webhook, name="lipwa_webhook"),
    path("healthz", lambda request: HttpResponse("ok")),
]
