"""Paynow's real paths, mounted at /simulators/paynow/ so that a client only changes its base URL.

Paynow's own links mix cases (`/interface/initiatetransaction`, `/Interface/CheckPayment/`), and clients copy
either, so the first segment matches in both cases.
"""

from django.urls import re_path

from . import checkout, views

urlpatterns = [
    re_path(r"^[Ii]nterface/[Ii]nitiate[Tt]ransaction/?$", views.initiate_web),
    re_path(r"^[Ii]nterface/[Rr]emote[Tt]ransaction/?$", views.initiate_express),
    re_path(r"^[Ii]nterface/[Cc]heck[Pp]ayment/?$", views.poll),
    re_path(r"^[Pp]ayment/[Cc]onfirm[Pp]ayment/(?P<number>[0-9]{1,12})/?$", checkout.confirm_payment),
    # Last: any other path gets a web server's 404 rather than lipwa's JSON one.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
