"""JSON log lines carry the request id (also into the worker), the merchant and the payment; console format."""

from __future__ import annotations

import io
import json
import logging

import pytest

from lipwa.ops.logs import StructuredFormatter, bind_context, clear_context, logging_config


@pytest.fixture
def log_lines():
    """Everything logged through the root logger, rendered by the production formatter, as parsed JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(StructuredFormatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)
    clear_context()


def test_a_line_is_one_json_object_with_the_standard_keys(log_lines):
    bind_context(request_id="req_abc", payment_id="pay_xyz", merchant_id=None)
    logging.getLogger("lipwa.example").warning("charging %s", "+254712345678", extra={"attempt": 2})
    (line,) = log_lines()
    assert list(line)[:6] == ["ts", "level", "logger", "event", "request_id", "payment_id"]
    assert line["level"] == "warning" and line["logger"] == "lipwa.example"
    assert line["event"] == "charging +254******678" and line["attempt"] == 2
    assert "merchant_id" not in line  # empty values are not bound


def test_exceptions_are_rendered_and_masked(log_lines):
    try:
        raise ValueError("bad key sk_test_abcdefghijklmnopqrstu")
    except ValueError:
        logging.getLogger("lipwa.example").exception("failed for 0712345678")
    (line,) = log_lines()
    assert line["event"] == "failed for 0******678"
    assert "ValueError: bad key sk_test_****rstu" in line["exception"]


def test_console_format_is_readable_and_masked():
    record = logging.LogRecord("lipwa.example", logging.INFO, __file__, 1, "paying %s", ("+254712345678",), None)
    text = StructuredFormatter("console").format(record)
    assert "paying +254******678" in text and "[lipwa.example]" in text and not text.startswith("{")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="LIPWA_LOG_FORMAT must be one of json, console"):
        StructuredFormatter("xml")


def test_gunicorn_loggers_use_the_same_handler():
    config = logging_config("json", "INFO")
    assert config["loggers"]["gunicorn.error"]["handlers"] == ["console"]
    assert config["handlers"]["console"]["formatter"] == "structured"


@pytest.mark.django_db
def test_request_lines_carry_request_id_merchant_and_payment(client, test_key, log_lines):
    response = client.get("/v1/payments/pay_01JDNOTEXISTING0000000000", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert response.status_code == 404
    request_id = response["Request-Id"]
    (line,) = [line for line in log_lines() if line["logger"] == "lipwa.request"]
    assert line["request_id"] == request_id
    assert line["payment_id"] == "pay_01JDNOTEXISTING0000000000"
    assert line["merchant_id"].startswith("mer_")
    assert line["route"] == "/v1/payments/<payment_id>" and line["status"] == 404 and line["method"] == "GET"


@pytest.mark.django_db
def test_the_api_key_of_a_failed_authentication_is_not_logged(client, log_lines):
    response = client.get("/v1/payments", HTTP_AUTHORIZATION="Bearer sk_test_not_a_real_key_at_all_0000")
    assert response.status_code == 401
    text = json.dumps(log_lines())
    assert "sk_test_not_a_real_key_at_all_0000" not in text


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_during_a_request_logs_with_that_request_id(log_lines, run_tasks):
    from lipwa.ops.models import TaskOrigin
    from lipwa.ops.tasks import worker_heartbeat

    bind_context(request_id="req_origin", merchant_id="mer_origin")
    result = worker_heartbeat.enqueue()
    clear_context()
    assert TaskOrigin.objects.filter(task_id=result.id, request_id="req_origin").exists()
    run_tasks()
    task_lines = [line for line in log_lines() if line.get("task_id") == str(result.id)]
    assert task_lines, log_lines()
    assert all(line["request_id"] == "req_origin" and line["merchant_id"] == "mer_origin" for line in task_lines)
    assert not TaskOrigin.objects.filter(task_id=result.id).exists()  # forgotten once the task finished
