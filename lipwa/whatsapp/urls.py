from django.urls import path

from .views import data_exchange

urlpatterns = [path("<str:merchant_id>", data_exchange, name="whatsapp-flow-data-exchange")]
