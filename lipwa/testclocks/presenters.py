"""The public JSON shape of a test clock."""

from __future__ import annotations

from .models import TestClock


def test_clock_to_dict(test_clock: TestClock, *, advanced: dict | None = None) -> dict:
    objects = test_clock.objects_attached.order_by("id").values_list("object_type", "object_id")[:100]
    data = {"id": test_clock.id, "object": "test_clock", "livemode": False, "name": test_clock.name or None,
            "frozen_time": int(test_clock.frozen_time.timestamp()), "status": test_clock.status,
            "created": int(test_clock.created_at.timestamp()),
            "attached": [{"object": object_type, "id": object_id} for object_type, object_id in objects]}
    if advanced is not None:
        data["advanced"] = advanced  # what the last advance ran, for the caller's assertions
    return data
