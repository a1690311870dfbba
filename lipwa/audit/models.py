"""Who did what and when: every staff action on money or credentials, append-only."""

from django.db import models


class AuditEntry(models.Model):
    merchant_id = models.CharField(max_length=40, db_index=True)
    actor = models.CharField(max_length=150)  # "user:alice", "api_key:key_…", "cli"
    action = models.CharField(max_length=60)  # "refund.approve", "refund.manual_record", "credentials.change"
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=60, db_index=True)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit entries are append-only")
