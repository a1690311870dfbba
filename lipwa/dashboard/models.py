"""Who may use the merchant dashboard, for which merchant, and with what role."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lipwa.merchants.models import Merchant


class Role(models.TextChoices):
    # Ordered from least to most trusted; `roles.ROLE_RANK` relies on this order.
    VIEWER = "viewer"  # reads payments, refunds, webhooks and accounts; exports CSV
    OPERATOR = "operator"  # also requests refunds, replays webhooks, tests connections, sees full phone numbers
    ADMIN = "admin"  # also approves refunds, manages API keys, webhook endpoints and connector accounts


class StaffMembership(models.Model):
    """A Django user working for one merchant. A user may belong to several merchants, one role each."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "merchant"], name="staff_membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]), name="staff_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role} of {self.merchant_id})"
