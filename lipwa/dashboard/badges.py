"""Colour-coded status badges, the same in the dashboard and the Django admin.

The colours live here, once, and are written inline, so the admin (which does not load the dashboard's
stylesheet) shows exactly the badges the dashboard does. Each pair passes WCAG AA contrast; the status is
always written out too, so colour is never the only signal.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

# tone: (text colour, background colour)
TONES = {
    "success": ("#05603a", "#d1fadf"),
    "danger": ("#912018", "#fee4e2"),
    "warning": ("#7a2e0e", "#fef0c7"),
    "info": ("#1849a9", "#d1e9ff"),
    "neutral": ("#344054", "#eaecf0"),
}
STATUS_TONES = {
    # payments, attempts, refunds, payouts, deliveries, callbacks, endpoints
    "succeeded": "success", "processed": "success", "enabled": "success", "balanced": "success",
    "resolved": "success", "matched": "success",
    "failed": "danger", "rejected": "danger", "disabled": "danger", "discrepancy": "danger",
    "requires_approval": "warning", "requires_action": "warning", "needs_review": "warning",
    "unmatched": "warning", "awaiting_confirmation": "warning", "open": "warning",
    "pending": "info", "processing": "info", "received": "info",
    "done": "success", "queued": "info", "running": "info",  # statement uploads
    "cancelled": "neutral", "expired": "neutral", "duplicate": "neutral", "revoked": "neutral",
}


def tone_of(status: str) -> str:
    return STATUS_TONES.get(str(status), "neutral")


def badge_html(status: str) -> SafeString:
    colour, background = TONES[tone_of(status)]
    return format_html('<span class="badge" style="color:{};background:{};padding:.1em .55em;border-radius:1em;'
                       'font-size:.85em;font-weight:600;white-space:nowrap">{}</span>',
                       colour, background, str(status).replace("_", " "))
