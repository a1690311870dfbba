"""`lipwa listen --forward-to URL`: forward a merchant's events to a local URL as they happen, signed like
merchant webhooks (`Lipwa-Signature`, lipwa.webhooks_out.signing) with a secret printed at start.

Events are read from the event log (the same rows `GET /v1/events` and webhook deliveries come from), so what a
receiver sees here is byte for byte what a webhook endpoint would get. Ctrl-C stops it.
"""

from __future__ import annotations

import fnmatch
import time
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import typer

from ..context import EXIT_FAILURE, CommandFailed, Mode, django_setup, echo, merchant_or_demo

LOOKBACK = timedelta(seconds=30)  # events commit out of id order; re-read a window so none is missed
PAGE = 100


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandFailed(f"--forward-to must be an http(s) URL such as http://localhost:3000/hooks, got {url!r}")
    return url


def _patterns(events: str | None) -> list[str]:
    patterns = [p.strip() for p in (events or "*").split(",") if p.strip()]
    if not patterns:
        raise CommandFailed("--events must name event types, e.g. payment.succeeded,refund.*")
    return patterns


class EventFeed:
    """New events of one merchant and mode, oldest first, each once."""

    def __init__(self, merchant, mode: str) -> None:
        from lipwa.common import clock

        self.merchant, self.mode = merchant, mode
        self.started_at = clock.now()
        self.seen: dict[str, object] = {}
        self.seen.update((event.id, event.created_at) for event in self._since(self.started_at - LOOKBACK))

    def _since(self, moment) -> list:
        from lipwa.payments.selectors import events_list

        events, starting_after = [], None
        while True:
            page, has_more = events_list(merchant=self.merchant, mode=self.mode, created_gte=moment,
                                         starting_after=starting_after, limit=PAGE)
            events += page
            if not has_more:
                return events
            starting_after = page[-1].id

    def poll(self) -> list:
        from lipwa.common import clock

        window_start = clock.now() - LOOKBACK
        fresh = [event for event in self._since(window_start) if event.id not in self.seen]
        fresh.sort(key=lambda event: event.id)
        for event in fresh:
            self.seen[event.id] = event.created_at
        # Forget what has left the window (it is not read again), so a long session stays small.
        self.seen = {key: at for key, at in self.seen.items() if at >= window_start}
        return fresh


def forward(client: httpx.Client, url: str, secret: str, event) -> str:
    """POST the event's exact webhook bytes, signed; returns what to print after the arrow."""
    from lipwa.webhooks_out.presenters import event_body
    from lipwa.webhooks_out.signing import HEADER, signature_header

    body = event_body(event)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "lipwa-cli listen",
               HEADER: signature_header(body, [secret], int(time.time()))}
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return f"error: {type(exc).__name__}: {exc}"
    return str(response.status_code)


def listen(forward_to: str = typer.Option(..., "--forward-to", help="where to POST each event, e.g. "
                                                                    "http://localhost:3000/hooks"),
           merchant: str | None = typer.Option(None, envvar="LIPWA_MERCHANT",
                                               help="mer_… (default: the demo merchant)"),
           mode: Mode = typer.Option(Mode.test, help="whose events: test or live"),
           events: str | None = typer.Option(None, help="comma-separated types or patterns, e.g. "
                                                        "payment.succeeded,refund.* (default: all)"),
           interval: float = typer.Option(1.0, min=0.05, max=60, help="seconds between looks at the event log"),
           max_events: int | None = typer.Option(None, min=1, help="stop after forwarding this many "
                                                                   "(exit 1 if any was not answered 2xx)")) -> int:
    """Forward the merchant's events to a local URL, signed like webhooks (like `stripe listen`)."""
    from lipwa.common.crypto import random_token

    url, patterns = _check_url(forward_to), _patterns(events)
    django_setup()
    owner = merchant_or_demo(merchant)
    secret = "whsec_" + random_token(32)
    feed = EventFeed(owner, mode.value)
    echo(f"Ready! Forwarding {mode.value} events of {owner.id} to {url}")
    echo(f"Signing secret: {secret}  (verify the Lipwa-Signature header with it; Ctrl-C to stop)")
    forwarded = failed = 0
    try:
        with httpx.Client(timeout=10, trust_env=False, follow_redirects=False) as client:
            while max_events is None or forwarded < max_events:
                for event in feed.poll():
                    if not any(fnmatch.fnmatchcase(event.type, p) for p in patterns):
                        continue
                    outcome = forward(client, url, secret, event)
                    failed += not outcome.startswith("2")
                    forwarded += 1
                    echo(f"{event.created_at:%Y-%m-%d %H:%M:%S}  {event.type:<28} {event.id}  -> {outcome}")
                    if max_events is not None and forwarded >= max_events:
                        break
                else:
                    time.sleep(interval)
    except KeyboardInterrupt:
        echo("stopped")
        return 0
    return EXIT_FAILURE if failed else 0


def register(app: typer.Typer) -> None:
    app.command()(listen)
