"""Lipwa (httpx.Client) and AsyncLipwa (httpx.AsyncClient): the same resources, retries and errors."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx

from ._base import DEFAULT_BASE_URL, RequestSpec, backoff_seconds, client_headers, parse_response, should_retry
from .errors import APIConnectionError
from .pagination import AsyncPage, Page
from .resources import (
    BalanceResource,
    Cash,
    CheckoutSessions,
    Events,
    Invoices,
    Payments,
    Payouts,
    ProvidersResource,
    Reconciliation,
    Refunds,
    Riders,
    Schedules,
    WebhookEndpoints,
)


class _Resources:
    def _attach_resources(self) -> None:
        self.payments = Payments(self)
        self.refunds = Refunds(self)
        self.payouts = Payouts(self)
        self.events = Events(self)
        self.webhook_endpoints = WebhookEndpoints(self)
        self.checkout_sessions = CheckoutSessions(self)
        self.invoices = Invoices(self)
        self.balance = BalanceResource(self)
        self.schedules = Schedules(self)
        self.reconciliation = Reconciliation(self)
        self.riders = Riders(self)
        self.cash = Cash(self)
        self.providers = ProvidersResource(self)


def _next_spec(spec: RequestSpec, cursor: str) -> RequestSpec:
    return dataclasses.replace(spec, params={**(spec.params or {}), "starting_after": cursor}, headers={})


def _check_retries(max_retries: int) -> int:
    if not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError("max_retries must be an integer >= 0")
    return max_retries


def _connection_error(spec: RequestSpec, error: httpx.TransportError) -> APIConnectionError:
    return APIConnectionError(f"{spec.method} {spec.path} got no answer: {type(error).__name__}: {error}")


class Lipwa(_Resources):
    """`Lipwa("sk_test_…")`. Writes carry an Idempotency-Key (generated unless given) that every retry reuses,
    so retrying a timed-out charge can never charge twice. `sleep` is injectable for tests."""

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = 30, max_retries: int = 2,
                 *, sleep: Callable[[float], None] = time.sleep, http_client: httpx.Client | None = None) -> None:
        self.max_retries = _check_retries(max_retries)
        self._sleep = sleep
        self._http = http_client or httpx.Client(base_url=base_url, timeout=timeout)
        self._headers = client_headers(api_key)
        self._attach_resources()

    def _call(self, spec: RequestSpec) -> Any:
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                response = self._http.request(spec.method, spec.path, params=spec.params, json=spec.json,
                                              content=spec.content,
                                              headers={**self._headers, **spec.headers})
            except httpx.TransportError as error:
                if last:
                    raise _connection_error(spec, error) from error
                self._sleep(backoff_seconds(attempt, None))
                continue
            if last or not should_retry(response):
                return parse_response(spec, response)
            self._sleep(backoff_seconds(attempt, response))
        raise AssertionError("unreachable")

    def _page(self, spec: RequestSpec) -> Page[Any]:
        answer = self._call(spec)
        return Page(answer["data"], bool(answer.get("has_more")), raw=answer,
                    _next=lambda cursor: self._page(_next_spec(spec, cursor)))

    def _iterate(self, spec: RequestSpec) -> Iterator[Any]:
        return self._page(spec).auto_paging_iter()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Lipwa:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncLipwa(_Resources):
    """The asyncio twin of Lipwa: every resource method returns an awaitable; `list_all` an async iterator."""

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = 30, max_retries: int = 2,
                 *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 http_client: httpx.AsyncClient | None = None) -> None:
        self.max_retries = _check_retries(max_retries)
        self._sleep = sleep
        self._http = http_client or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._headers = client_headers(api_key)
        self._attach_resources()

    async def _call(self, spec: RequestSpec) -> Any:
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                response = await self._http.request(spec.method, spec.path, params=spec.params, json=spec.json,
                                                    content=spec.content,
                                                    headers={**self._headers, **spec.headers})
            except httpx.TransportError as error:
                if last:
                    raise _connection_error(spec, error) from error
                await self._sleep(backoff_seconds(attempt, None))
                continue
            if last or not should_retry(response):
                return parse_response(spec, response)
            await self._sleep(backoff_seconds(attempt, response))
        raise AssertionError("unreachable")

    async def _page(self, spec: RequestSpec) -> AsyncPage[Any]:
        answer = await self._call(spec)
        return AsyncPage(answer["data"], bool(answer.get("has_more")), raw=answer,
                         _next=lambda cursor: self._page(_next_spec(spec, cursor)))

    async def _iterate(self, spec: RequestSpec) -> AsyncIterator[Any]:
        page = await self._page(spec)
        async for item in page.auto_paging_iter():
            yield item

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncLipwa:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
