"""Statement uploads are the one large body: they get their own limit and are streamed, while every other
request keeps the small body limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db
STATEMENT = (Path(__file__).parents[2] / "reconciliation/tests/fixtures/statement__mpesa_paybill.csv").read_bytes()


def upload(client, key, content: bytes, **extra):
    return client.post("/v1/reconciliation/statements", HTTP_AUTHORIZATION=f"Bearer {key}", **extra,
                       data={"file": SimpleUploadedFile("nov.csv", content, content_type="text/csv"),
                             "format": "mpesa_csv"})


def test_a_statement_larger_than_the_body_limit_is_accepted(client, test_key, settings):
    settings.LIPWA_MAX_BODY_BYTES = len(STATEMENT) // 2
    response = upload(client, test_key, STATEMENT)
    assert response.status_code == 201, response.content
    assert response.json()["counts"]["lines_new"] == 4


def test_a_statement_over_the_upload_limit_is_413(client, test_key, settings):
    settings.LIPWA_MAX_UPLOAD_BYTES = len(STATEMENT) // 2
    response = upload(client, test_key, STATEMENT)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_a_statement_upload_must_declare_its_length(client, test_key):
    response = upload(client, test_key, STATEMENT, CONTENT_LENGTH="")
    assert response.status_code == 411
    assert response.json()["error"]["code"] == "length_required"


def test_other_requests_keep_the_small_limit(client, test_key, settings):
    settings.LIPWA_MAX_BODY_BYTES = 100
    response = client.post("/v1/payments", data={"description": "x" * 200}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert response.status_code == 413
    # A JSON body sent to the upload path is not an upload: the small limit applies there too.
    response = client.post("/v1/reconciliation/statements", data={"x": "y" * 200}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert response.status_code == 413
