from django.http import HttpResponse
from django.urls import path

from . import views, webhooks

urlpatterns = [
    path("", views.index, name="index"),
    path("policies/", views.policy_create, name="policy_create"),
    path("policies/<str:number>/", views.policy_detail, name="policy_detail"),
    path("premiums/<int:premium_id>/mpesa/", views.premium_pay_mpesa, name="premium_pay_mpesa"),
    path("premiums/<int:premium_id>/card/", views.premium_pay_card, name="premium_pay_card"),
    path("payments/<str:payment_id>/receipt/", views.receipt, name="receipt"),
    path("history/", views.history, name="history"),
    path("webhooks/lipwa/", webhooks.lipwa_webhook, name="lipwa_webhook"),
    path("healthz", lambda request: HttpResponse("ok")),
]
