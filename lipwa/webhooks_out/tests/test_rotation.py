"""Rotating a signing secret: both secrets sign during the overlap window, only the new one after it."""

from __future__ import annotations

import pytest

from lipwa.webhooks_out.models import WebhookEndpoint
from lipwa.webhooks_out.services import webhook_endpoint_delete, webhook_endpoint_rotate_secret
from lipwa.webhooks_out.signing import NoMatchingSignature, parse_header, verify_signature

pytestmark = pytest.mark.django_db


def rotate(endpoint, **kwargs):
    return webhook_endpoint_rotate_secret(merchant=endpoint.merchant, mode="test", endpoint_id=endpoint.id, **kwargs)


def last_delivery(receiver):
    request = receiver.requests[-1]
    return request.body, request.headers["lipwa-signature"]


def test_both_secrets_sign_during_the_overlap_and_only_the_new_one_after(receiver, make_endpoint, record_event,
                                                                          run_tasks, frozen_clock):
    endpoint, old = make_endpoint(receiver.url)
    endpoint, new = rotate(endpoint)
    assert new != old and new.startswith("whsec_")
    assert endpoint.previous_secret_expires_at.timestamp() == int(frozen_clock.now().timestamp()) + 86400
    record_event()
    run_tasks()
    body, header = last_delivery(receiver)
    assert len(parse_header(header)[1]) == 2
    now = frozen_clock.now().timestamp()
    for secret in (old, new):
        verify_signature(body, header, secret, now=now)
    frozen_clock.advance(86400)
    record_event("payment.failed")
    run_tasks()
    body, header = last_delivery(receiver)
    now = frozen_clock.now().timestamp()
    assert len(parse_header(header)[1]) == 1
    verify_signature(body, header, new, now=now)
    with pytest.raises(NoMatchingSignature):
        verify_signature(body, header, old, now=now)


def test_rotating_with_no_overlap_retires_the_old_secret_at_once(make_endpoint, frozen_clock):
    endpoint, old = make_endpoint("http://127.0.0.1:9/")
    endpoint, new = rotate(endpoint, overlap_seconds=0)
    assert endpoint.active_secrets(frozen_clock.now()) == [new]
    assert endpoint.previous_secret_expires_at is None


def test_rotating_twice_never_extends_an_older_secret(make_endpoint, frozen_clock):
    endpoint, first = make_endpoint("http://127.0.0.1:9/")
    endpoint, second = rotate(endpoint)
    frozen_clock.advance(3600)
    endpoint, third = rotate(endpoint, overlap_seconds=600)
    assert endpoint.active_secrets(frozen_clock.now()) == [third, second, first]
    frozen_clock.advance(601)
    assert endpoint.active_secrets(frozen_clock.now()) == [third]


def test_secrets_are_stored_encrypted_and_destroyed_with_the_endpoint(make_endpoint):
    endpoint, secret = make_endpoint("http://127.0.0.1:9/")
    stored = WebhookEndpoint.objects.get()
    assert secret not in stored.secrets_encrypted and "whsec_" not in stored.secrets_encrypted
    assert secret not in repr(stored)
    webhook_endpoint_delete(merchant=endpoint.merchant, mode="test", endpoint_id=endpoint.id)
    assert WebhookEndpoint.objects.get().secrets_encrypted == ""
