"""The overview: summary cards and charts of volume and success rate by method, provider and day."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ..charts import bar_chart
from ..roles import staff_required
from ..selectors import summary, volume_by
from .common import page

CHART_DAYS = 30


@require_GET
@staff_required("viewer")
def overview(request: HttpRequest) -> HttpResponse:
    merchant, mode = request.merchant, request.mode
    groups = []
    for field, heading in (("day", f"By day (last {CHART_DAYS} days)"), ("method", "By method"),
                           ("provider", "By provider")):
        rows = volume_by(merchant=merchant, mode=mode, field=field, days=CHART_DAYS)
        groups.append({
            "heading": heading, "rows": rows, "id": field,
            "volume": bar_chart([(r["label"], r["total"]) for r in rows], title=f"Payments {heading.lower()}"),
            "rate": bar_chart([(r["label"], r["rate"]) for r in rows], title=f"Success rate {heading.lower()}",
                              scale_max=100, unit="%", colour="#1849a9"),
        })
    return page(request, "overview.html", {"summary": summary(merchant=merchant, mode=mode), "groups": groups,
                                           "section": "overview"})
