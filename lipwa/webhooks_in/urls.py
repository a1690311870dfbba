from django.urls import path

from .views import gateway_callback

urlpatterns = [
    path("<slug:slug>/<str:account_id>/<str:token>/", gateway_callback),
    path("<slug:slug>/<str:account_id>/", gateway_callback),
]
