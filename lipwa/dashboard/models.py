"""Who may use the merchant dashboard, for which merchant, and with what role."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from lipwa.common.ids import new_id
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


def new_upload_id() -> str:
    return new_id("upl")


class StatementUpload(models.Model):
    """A statement file uploaded in the dashboard, waiting for (or done with) its background import.

    The file lives under VAR_DIR/uploads until the import task has run; its progress is a JSON file next to
    it (see `progress.py`), since the import's own transaction hides anything it would write to this table.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.CharField(primary_key=True, max_length=40, default=new_upload_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="statement_uploads")
    mode = models.CharField(max_length=4)
    uploaded_by = models.CharField(max_length=254)
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=20)
    preset = models.CharField(max_length=40, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    path = models.CharField(max_length=1000)
    size_bytes = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error_message = models.TextField(blank=True, default="")
    # The reconciliation app's statement id (not a foreign key: the dashboard only reads it through selectors).
    statement_id = models.CharField(max_length=40, blank=True, default="")
    # Once done: lines_in_file and lines_new of the statement, and matched/confirmed/settled of its reconciliation.
    counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["merchant", "mode", "-created_at"], name="upload_merchant_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                                   name="statement_upload_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.filename}, {self.status})"
