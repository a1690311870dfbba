"""The public error family: status, type, code and the exact JSON shape of DESIGN.md §6."""

from __future__ import annotations

import pickle

import pytest

from lipwa.common import errors
from lipwa.common.errors import (
    AuthenticationFailed,
    Conflict,
    IdempotencyError,
    InvalidRequest,
    InvalidTransition,
    LipwaError,
    NotFound,
    PermissionDenied,
    ProviderError,
    RateLimited,
)

PUBLIC_TYPES = {
    "invalid_request_error", "authentication_error", "permission_error", "not_found", "idempotency_error",
    "rate_limit_error", "provider_error", "api_error",
}

CASES = [
    (LipwaError, 400, "invalid_request_error", "invalid_request"),
    (InvalidRequest, 400, "invalid_request_error", "invalid_request"),
    (AuthenticationFailed, 401, "authentication_error", "invalid_api_key"),
    (PermissionDenied, 403, "permission_error", "permission_denied"),
    (NotFound, 404, "not_found", "resource_missing"),
    (Conflict, 409, "invalid_request_error", "invalid_state"),
    (IdempotencyError, 409, "idempotency_error", "idempotency_key_in_use"),
    (RateLimited, 429, "rate_limit_error", "rate_limited"),
    (ProviderError, 502, "provider_error", "provider_unavailable"),
]


@pytest.mark.parametrize(("cls", "status", "type_", "code"), CASES)
def test_defaults(cls, status, type_, code):
    error = cls("something precise")
    assert isinstance(error, LipwaError)
    assert error.status == status
    assert error.type == type_
    assert error.code == code
    assert error.param is None
    assert error.message == "something precise"
    assert str(error) == "something precise"


@pytest.mark.parametrize(("cls", "status", "type_", "code"), CASES)
def test_to_dict_shape(cls, status, type_, code):
    body = cls("amount must be positive", param="amount").to_dict(request_id="req_123")
    assert body == {"error": {"type": type_, "code": code, "message": "amount must be positive",
                              "param": "amount", "request_id": "req_123"}}
    assert list(body) == ["error"]
    assert set(body["error"]) == {"type", "code", "message", "param", "request_id"}


@pytest.mark.parametrize(("cls", "status", "type_", "code"), CASES)
def test_to_dict_defaults_to_null_param_and_request_id(cls, status, type_, code):
    assert cls("x").to_dict() == {"error": {"type": type_, "code": code, "message": "x", "param": None,
                                            "request_id": None}}


def test_every_type_is_a_public_type():
    for name in dir(errors):
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, LipwaError):
            assert value.type in PUBLIC_TYPES, name
            assert 400 <= value.status <= 599, name


def test_code_and_status_can_be_overridden_per_instance():
    error = IdempotencyError("body differs from the first request", code="idempotency_key_mismatch", status=422)
    assert error.status == 422
    assert error.code == "idempotency_key_mismatch"
    assert error.type == "idempotency_error"
    # The override is per instance, never on the class.
    assert IdempotencyError.status == 409
    assert IdempotencyError("x").code == "idempotency_key_in_use"


def test_errors_survive_pickling():
    error = NotFound("no such payment", param="id", code="payment_missing")
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is NotFound
    assert clone.to_dict("req_1") == error.to_dict("req_1")
    assert clone.status == 404


def test_invalid_transition_names_both_statuses():
    error = InvalidTransition("payment", "succeeded", "failed")
    assert "'succeeded'" in str(error)
    assert "'failed'" in str(error)
    assert "payment" in str(error)
    assert (error.entity, error.current, error.target) == ("payment", "succeeded", "failed")


def test_invalid_transition_is_our_fault_not_an_api_error():
    # It must never be rendered as a 4xx for the caller: it is a bug in our code.
    assert not issubclass(InvalidTransition, LipwaError)


def test_invalid_transition_survives_pickling():
    error = InvalidTransition("refund", "pending", "succeeded")
    clone = pickle.loads(pickle.dumps(error))
    assert str(clone) == str(error)
    assert (clone.entity, clone.current, clone.target) == ("refund", "pending", "succeeded")
