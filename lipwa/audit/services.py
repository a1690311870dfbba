from lipwa.common import clock

from .models import AuditEntry


def audit_record(*, merchant_id: str, actor: str, action: str, object_type: str, object_id: str,
                 details: dict | None = None) -> AuditEntry:
    """Record a staff action; call it inside the transaction of the action itself."""
    return AuditEntry.objects.create(merchant_id=merchant_id, actor=actor[:150], action=action,
                                     object_type=object_type, object_id=object_id, details=details or {},
                                     created_at=clock.now())


def audit_trail(*, object_id: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_id=object_id).order_by("created_at", "id"))
