"""The OpenAPI document declares the answers middleware gives before any view runs (429 everywhere, 413 on
operations with a body), so clients and the fuzzer know them."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db  # the rate limiter counts this request too


def test_every_operation_declares_429_and_writes_413():
    schema = Client().get("/v1/openapi.json").json()
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) > 40
    for path, method, operation in operations:
        responses = operation["responses"]
        assert "429" in responses and "Retry-After" in responses["429"]["headers"], (method, path)
        assert ("413" in responses) == ("requestBody" in operation), (method, path)
        assert responses["429"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
