from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from lipwa.api.v1.api import api
from lipwa.connectors.registry import simulator_urlpatterns
from lipwa.ops.views import healthz, metrics_view, readyz

urlpatterns = [
    path("v1/", api.urls),
    path("hooks/", include("lipwa.webhooks_in.urls")),
    path("pay/", include("lipwa.checkout.urls")),
    path("flows/whatsapp/", include("lipwa.whatsapp.urls")),
    path("healthz", healthz),
    path("readyz", readyz),
    path("metrics", metrics_view),
    path("admin/", admin.site.urls),
    path("dashboard/", include("lipwa.dashboard.urls")),
]

if settings.LIPWA_SIMULATOR_ONLY:
    # `lipwa simulate <connector>`: nothing but that simulator.
    urlpatterns = simulator_urlpatterns(only=settings.LIPWA_SIMULATOR_ONLY)
elif settings.LIPWA_SIMULATORS_ENABLED:
    urlpatterns += simulator_urlpatterns()

handler404 = "lipwa.ops.views.not_found"
handler500 = "lipwa.ops.views.server_error"
