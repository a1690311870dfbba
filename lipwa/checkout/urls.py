from django.urls import path

from . import views

app_name = "checkout"
urlpatterns = [
    path("<str:session_id>", views.checkout_page, name="page"),
    path("<str:session_id>/pay", views.checkout_pay, name="pay"),
    path("<str:session_id>/status", views.checkout_status, name="status"),
    path("<str:session_id>/return", views.checkout_return, name="return"),
    path("<str:session_id>/receipt.pdf", views.checkout_receipt, name="receipt"),
]
