"""Worker heartbeat and readiness."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection

from lipwa.common import clock

from .models import Heartbeat

WORKER = "worker"


def heartbeat_record(name: str = WORKER) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": clock.now()})


def readiness() -> dict[str, str]:
    """What /readyz reports: each check is "ok" or says what is wrong."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
        checks["worker"] = "unknown (database unreachable)"
        return checks
    beat = Heartbeat.objects.filter(name=WORKER).first()
    max_age = timedelta(seconds=settings.LIPWA_WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    if beat is None:
        checks["worker"] = "no heartbeat yet: is the worker running?"
    elif clock.now() - beat.seen_at > max_age:
        checks["worker"] = f"last heartbeat {int((clock.now() - beat.seen_at).total_seconds())} s ago"
    else:
        checks["worker"] = "ok"
    return checks
