"""The API's resources, written once for both clients: each method describes its call as a RequestSpec and
hands it to the client, which answers with the object (Lipwa) or an awaitable of it (AsyncLipwa)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ._base import RequestSpec, body, multipart, query
from .pagination import Page
from .types import (
    Balance,
    CheckoutSession,
    Event,
    Invoice,
    Payment,
    Payout,
    Refund,
    Schedule,
    Statement,
    WebhookEndpoint,
)


def _id(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("an object id is required")
    return quote(value, safe="")


class Resource:
    def __init__(self, client: Any) -> None:
        self._client = client

    def _get(self, path: str, **filters: Any) -> Any:
        return self._client._call(RequestSpec("GET", path, params=query(filters)))

    def _post(self, path: str, params: dict[str, Any] | None, idempotency_key: str | None) -> Any:
        return self._client._call(RequestSpec("POST", path, json=body(params or {}),
                                              idempotency_key=idempotency_key))

    def _page(self, path: str, **filters: Any) -> Any:
        return self._client._page(RequestSpec("GET", path, params=query(filters)))

    def _all(self, path: str, **filters: Any) -> Any:
        return self._client._iterate(RequestSpec("GET", path, params=query(filters)))


class Payments(Resource):
    def create(self, *, idempotency_key: str | None = None, **params: Any) -> Payment:
        """`amount` (minor units), `currency`, `method`, and `phone`, `provider`, `merchant_reference`…"""
        return self._post("/v1/payments", params, idempotency_key)

    def retrieve(self, payment_id: str) -> Payment:
        return self._get(f"/v1/payments/{_id(payment_id)}")

    def list(self, **filters: Any) -> Page[Payment]:
        """Filters: status, provider, created_gte, created_lte (unix seconds), limit, starting_after."""
        return self._page("/v1/payments", **filters)

    def list_all(self, **filters: Any):
        return self._all("/v1/payments", **filters)

    def cancel(self, payment_id: str, *, idempotency_key: str | None = None) -> Payment:
        return self._post(f"/v1/payments/{_id(payment_id)}/cancel", None, idempotency_key)

    def submit_otp(self, payment_id: str, otp: str, *, idempotency_key: str | None = None) -> Payment:
        return self._post(f"/v1/payments/{_id(payment_id)}/submit_otp", {"otp": otp}, idempotency_key)

    def receipt(self, payment_id: str) -> bytes:
        """The receipt of a succeeded payment, as PDF bytes."""
        return self._client._call(RequestSpec("GET", f"/v1/payments/{_id(payment_id)}/receipt", raw=True))

    def assign_rider(self, payment_id: str, rider: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Cash on delivery: the rider or agent who will collect this payment."""
        return self._post(f"/v1/payments/{_id(payment_id)}/assign_rider", {"rider": rider}, idempotency_key)


class Refunds(Resource):
    def create(self, *, payment: str, amount: int | None = None, reason: str | None = None,
               idempotency_key: str | None = None) -> Refund:
        return self._post("/v1/refunds", {"payment": payment, "amount": amount, "reason": reason}, idempotency_key)

    def retrieve(self, refund_id: str) -> Refund:
        return self._get(f"/v1/refunds/{_id(refund_id)}")

    def list(self, **filters: Any) -> Page[Refund]:
        """Filters: payment, limit, starting_after."""
        return self._page("/v1/refunds", **filters)

    def list_all(self, **filters: Any):
        return self._all("/v1/refunds", **filters)


class Payouts(Resource):
    def create(self, *, idempotency_key: str | None = None, **params: Any) -> Payout:
        """`amount`, `currency`, `phone`, and `provider`, `recipient_name`, `merchant_reference`…"""
        return self._post("/v1/payouts", params, idempotency_key)

    def retrieve(self, payout_id: str) -> Payout:
        return self._get(f"/v1/payouts/{_id(payout_id)}")


class Events(Resource):
    def retrieve(self, event_id: str) -> Event:
        return self._get(f"/v1/events/{_id(event_id)}")

    def list(self, **filters: Any) -> Page[Event]:
        """Filters: type (`payment.succeeded` or `payment.*`), created_gte, created_lte, limit, starting_after,
        order (`desc`, the default, or `asc`: oldest first, `starting_after` then means newer than that event)."""
        return self._page("/v1/events", **filters)

    def list_all(self, **filters: Any):
        return self._all("/v1/events", **filters)


class WebhookEndpoints(Resource):
    def create(self, *, url: str, enabled_events: list[str], description: str | None = None,
               idempotency_key: str | None = None) -> WebhookEndpoint:
        """The answer carries `secret` (whsec_…), shown this once."""
        return self._post("/v1/webhook_endpoints",
                          {"url": url, "enabled_events": enabled_events, "description": description},
                          idempotency_key)

    def list(self) -> Page[WebhookEndpoint]:
        return self._page("/v1/webhook_endpoints")

    def retrieve(self, endpoint_id: str) -> WebhookEndpoint:
        return self._get(f"/v1/webhook_endpoints/{_id(endpoint_id)}")

    def delete(self, endpoint_id: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._client._call(RequestSpec("DELETE", f"/v1/webhook_endpoints/{_id(endpoint_id)}",
                                              idempotency_key=idempotency_key))

    def rotate_secret(self, endpoint_id: str, *, overlap_seconds: int | None = None,
                      idempotency_key: str | None = None) -> WebhookEndpoint:
        return self._post(f"/v1/webhook_endpoints/{_id(endpoint_id)}/rotate_secret",
                          {"overlap_seconds": overlap_seconds}, idempotency_key)

    def enable(self, endpoint_id: str, *, idempotency_key: str | None = None) -> WebhookEndpoint:
        return self._post(f"/v1/webhook_endpoints/{_id(endpoint_id)}/enable", None, idempotency_key)

    def replay(self, endpoint_id: str, *, event: str | None = None, since: int | None = None,
               status: str | None = None, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._post(f"/v1/webhook_endpoints/{_id(endpoint_id)}/replay",
                          {"event": event, "since": since, "status": status}, idempotency_key)

    def deliveries(self, endpoint_id: str, **filters: Any) -> Page[dict[str, Any]]:
        return self._page(f"/v1/webhook_endpoints/{_id(endpoint_id)}/deliveries", **filters)


class CheckoutSessions(Resource):
    def create(self, *, idempotency_key: str | None = None, **params: Any) -> CheckoutSession:
        return self._post("/v1/checkout_sessions", params, idempotency_key)

    def retrieve(self, session_id: str) -> CheckoutSession:
        return self._get(f"/v1/checkout_sessions/{_id(session_id)}")


class Invoices(Resource):
    def create(self, *, idempotency_key: str | None = None, **params: Any) -> Invoice:
        """`currency`, `due_date` (YYYY-MM-DD), `lines` [{description, quantity, unit_amount, tax_rate}]…"""
        return self._post("/v1/invoices", params, idempotency_key)

    def issue(self, invoice_id: str, *, idempotency_key: str | None = None) -> Invoice:
        return self._post(f"/v1/invoices/{_id(invoice_id)}/issue", None, idempotency_key)

    def void(self, invoice_id: str, *, idempotency_key: str | None = None) -> Invoice:
        return self._post(f"/v1/invoices/{_id(invoice_id)}/void", None, idempotency_key)

    def pay(self, invoice_id: str, *, idempotency_key: str | None = None, **params: Any) -> Payment:
        """A payment for what the invoice still owes: `method`, `phone`, `provider`, `amount`."""
        return self._post(f"/v1/invoices/{_id(invoice_id)}/pay", params, idempotency_key)

    def retrieve(self, invoice_id: str) -> Invoice:
        return self._get(f"/v1/invoices/{_id(invoice_id)}")

    def list(self, **filters: Any) -> Page[Invoice]:
        return self._page("/v1/invoices", **filters)

    def pdf(self, invoice_id: str) -> bytes:
        return self._client._call(RequestSpec("GET", f"/v1/invoices/{_id(invoice_id)}/pdf", raw=True))


class BalanceResource(Resource):
    def retrieve(self) -> Balance:
        return self._get("/v1/balance")


class Schedules(Resource):
    def create(self, *, idempotency_key: str | None = None, **params: Any) -> Schedule:
        """`currency`, `total` (minor units), `description`, `instalments` [{due_date, share?}], `customer`.
        Every instalment is an issued invoice, paid like any other (`invoices.pay`)."""
        return self._post("/v1/schedules", params, idempotency_key)

    def retrieve(self, schedule_id: str) -> Schedule:
        return self._get(f"/v1/schedules/{_id(schedule_id)}")


class Reconciliation(Resource):
    def upload_statement(self, *, file: bytes, format: str, filename: str = "statement", preset: str | None = None,
                         currency: str | None = None, idempotency_key: str | None = None) -> Statement:
        """A provider or bank statement (`format`: mpesa_csv, bank_csv, mt940, camt053); all lines or none."""
        if not isinstance(file, bytes | bytearray):
            raise ValueError("file must be the statement's bytes")
        content, content_type = multipart(body({"format": format, "preset": preset, "currency": currency}),
                                          {"file": (filename, bytes(file), "application/octet-stream")})
        return self._client._call(RequestSpec("POST", "/v1/reconciliation/statements", content=content,
                                              headers={"Content-Type": content_type},
                                              idempotency_key=idempotency_key))

    def reconcile(self, statement_id: str, *, window_minutes: int | None = None,
                  idempotency_key: str | None = None) -> Statement:
        """Match the statement's lines to payments: a matched bank transfer succeeds, the rest are discrepancies."""
        return self._client._call(RequestSpec(
            "POST", f"/v1/reconciliation/statements/{_id(statement_id)}/reconcile",
            params=query({"window_minutes": window_minutes}), idempotency_key=idempotency_key))

    def retrieve_statement(self, statement_id: str) -> Statement:
        return self._get(f"/v1/reconciliation/statements/{_id(statement_id)}")


class Riders(Resource):
    def create(self, *, name: str, phone: str | None = None, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._post("/v1/riders", {"name": name, "phone": phone}, idempotency_key)

    def list(self) -> Page[dict[str, Any]]:
        return self._page("/v1/riders")


class Cash(Resource):
    def collect(self, *, idempotency_key: str | None = None, **params: Any) -> dict[str, Any]:
        """`payment`, `rider`, `receipt_number`, `amount`, and `customer_pin`, `photo` (base64)…: the payment
        succeeds."""
        return self._post("/v1/cash/collections", params, idempotency_key)

    def remit(self, *, idempotency_key: str | None = None, **params: Any) -> dict[str, Any]:
        """`rider`, `amount`, `currency`, `reference`: cash a rider handed in."""
        return self._post("/v1/cash/remittances", params, idempotency_key)

    def cash_up(self, *, rider: str, day: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._post("/v1/cash/cash_ups", {"rider": rider, "day": day}, idempotency_key)


class ProvidersResource(Resource):
    def list(self, *, country: str | None = None) -> Page[dict[str, Any]]:
        """The gateways available to this key with their networks (per country when `country` is given)."""
        return self._page("/v1/providers", country=country)
