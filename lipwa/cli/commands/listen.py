"""`lipwa listen --forward-to URL`: follow a merchant's events through the public API and forward each to a
local URL, signed like merchant webhooks (`Lipwa-Signature`, lipwa.webhooks_out.signing) with a secret printed
at start, like `stripe listen`.

It needs only an API key and lipwa's URL (it polls `GET /v1/events?order=asc` with lipwa_sdk), so it runs on a
developer's machine as well as on the lipwa host. The body forwarded is byte for byte what a webhook delivery
of the event carries.
"""

from __future__ import annotations

import fnmatch
import json
import re
import secrets
import time
from urllib.parse import urlsplit

import httpx
import typer

from ..context import EXIT_FAILURE, CommandFailed, echo, warn

# Events commit out of id order (an id is minted before its transaction commits), so every poll re-reads the
# events of the last LOOKBACK_MS (by the time in their ids) and skips those already seen: none is missed.
LOOKBACK_MS = 30_000
PAGE = 100
MAX_BACKOFF_SECONDS = 30.0
# A proxy in front of a restarting dev server answers these; the event is tried again rather than skipped.
DOWN_STATUSES = frozenset({502, 503, 504})
API_KEY = re.compile(r"^sk_(test|live)_[A-Za-z0-9_-]{16,100}\Z")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # lipwa.common.ids: the first 10 characters are the ms time


def sleep(seconds: float) -> None:
    """The one place listen waits; tests replace it so they never sleep."""
    time.sleep(seconds)


def _id_ms(event_id: str) -> int:
    value = 0
    for char in event_id.partition("_")[2][:10]:
        value = value * 32 + _CROCKFORD.index(char)
    return value


def _check_url(url: str, option: str, example: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandFailed(f"{option} must be an http(s) URL such as {example}, got {url!r}")
    return url.rstrip("/") if option == "--api-url" else url


def _check_key(api_key: str | None) -> str:
    if not api_key:
        raise CommandFailed("--api-key is required (or set LIPWA_API_KEY); `lipwa demo` prints the demo "
                            "merchant's test key")
    if not API_KEY.match(api_key):
        raise CommandFailed("--api-key must be a secret key, sk_test_… or sk_live_…")
    return api_key


def _patterns(events: str | None) -> list[str]:
    patterns = [p.strip() for p in (events or "*").split(",") if p.strip()]
    if not patterns:
        raise CommandFailed("--events must name event types, e.g. payment.succeeded,refund.*")
    return patterns


def event_bytes(event: dict) -> bytes:
    """The bytes a webhook delivery sends for this event (lipwa.webhooks_out.presenters.event_body): the API's JSON
    round-trips exactly, and keys are sorted there too."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


class EventFollower:
    """The merchant's new events, oldest first, each once, through `client` (a lipwa_sdk.Lipwa)."""

    def __init__(self, client) -> None:
        self.client = client
        self.anchor: str | None = None  # every event up to this id has been seen (or predates the start)
        self.seen: set[str] = set()  # ids newer than the anchor already seen

    def start_now(self) -> None:
        """Only events from now on: what exists (back to LOOKBACK_MS before the newest) counts as seen."""
        newest_ms = None
        for event in self.client.events.list(limit=PAGE).auto_paging_iter():
            event_ms = _id_ms(event["id"])
            newest_ms = event_ms if newest_ms is None else newest_ms
            if event_ms < newest_ms - LOOKBACK_MS:
                self.anchor = event["id"]
                return
            self.seen.add(event["id"])

    def start_after(self, event_id: str) -> None:
        self.client.events.retrieve(event_id)  # NotFoundError for an id that is not this key's
        self.anchor = event_id

    def poll(self) -> list[dict]:
        listed = self.client.events.list(order="asc", starting_after=self.anchor, limit=PAGE)
        fresh = [event for event in listed.auto_paging_iter() if event["id"] not in self.seen]
        self.seen.update(event["id"] for event in fresh)
        self._forget_old()
        return fresh

    def _forget_old(self) -> None:
        if not self.seen:
            return
        horizon = max(_id_ms(event_id) for event_id in self.seen) - LOOKBACK_MS
        old = sorted(event_id for event_id in self.seen if _id_ms(event_id) < horizon)
        if old:  # ids sort by their time first, so everything forgotten is at or before the new anchor
            self.anchor = old[-1]
            self.seen.difference_update(old)


def forward(http: httpx.Client, url: str, secret: str, event: dict) -> int:
    """POST the event signed until the target answers (anything but a gateway error); returns its status.
    A target that is down is retried with backoff, never skipped."""
    from lipwa.webhooks_out.signing import HEADER, signature_header

    body = event_bytes(event)
    attempt = 0
    while True:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "lipwa-cli listen",
                   HEADER: signature_header(body, [secret], int(time.time()))}
        try:
            response = http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code not in DOWN_STATUSES:
                return response.status_code
            problem = f"HTTP {response.status_code}"
        delay = min(0.5 * 2 ** attempt, MAX_BACKOFF_SECONDS)
        warn(f"warning: {event['type']} {event['id']} not delivered to {url} ({problem}); retrying in {delay:g} s")
        sleep(delay)
        attempt += 1


def _follow(step, interval: float, api_url: str, *, not_found: str):
    """Call `step` (start or poll) until lipwa answers; an outage is one warning, not a crash."""
    import lipwa_sdk

    warned = False
    while True:
        try:
            result = step()
            if warned:
                warn(f"lipwa at {api_url} answers again")
            return result
        except lipwa_sdk.AuthenticationError as exc:
            raise CommandFailed(f"lipwa at {api_url} refused the API key: {exc.message}") from None
        except lipwa_sdk.PermissionDeniedError as exc:
            raise CommandFailed(f"the API key may not read events: {exc.message}") from None
        except lipwa_sdk.NotFoundError:
            raise CommandFailed(not_found) from None
        except lipwa_sdk.InvalidRequestError as exc:
            raise CommandFailed(f"lipwa at {api_url} refused the events request: {exc.message}") from None
        except (lipwa_sdk.APIConnectionError, lipwa_sdk.APIError, lipwa_sdk.RateLimitError) as exc:
            if not warned:
                warn(f"warning: lipwa at {api_url} is unreachable ({exc.message}); still trying")
                warned = True
        sleep(interval)


def listen(forward_to: str = typer.Option(..., "--forward-to", help="where to POST each event, e.g. "
                                                                    "http://localhost:3000/hooks"),
           api_url: str = typer.Option("http://127.0.0.1:8000", envvar="LIPWA_API_URL",
                                       help="lipwa's base URL"),
           api_key: str | None = typer.Option(None, envvar="LIPWA_API_KEY", show_default=False,
                                              help="sk_test_… or sk_live_…: whose events (merchant and mode)"),
           events: str | None = typer.Option(None, help="comma-separated types or patterns, e.g. "
                                                        "payment.succeeded,refund.* (default: all)"),
           since: str | None = typer.Option(None, help="forward the events after this evt_… first "
                                                       "(default: only events from now on)"),
           interval: float = typer.Option(1.0, min=0.05, max=60, help="seconds between polls of lipwa"),
           max_events: int | None = typer.Option(None, min=1, help="stop after forwarding this many "
                                                                   "(exit 1 if any was not answered 2xx)")) -> int:
    """Forward the merchant's events to a local URL, signed like webhooks (like `stripe listen`)."""
    import lipwa_sdk

    url = _check_url(forward_to, "--forward-to", "http://localhost:3000/hooks")
    api_url = _check_url(api_url, "--api-url", "http://lipwa-host:8000")
    key, patterns = _check_key(api_key), _patterns(events)
    secret = "whsec_" + secrets.token_urlsafe(32)  # this session's own secret, like an endpoint's
    client = lipwa_sdk.Lipwa(key, base_url=api_url, timeout=10, max_retries=0)
    follower = EventFollower(client)
    forwarded = failed = 0
    try:
        with client, httpx.Client(timeout=10, trust_env=False, follow_redirects=False) as http:
            no_events_api = f"{api_url}/v1/events is not there: is --api-url lipwa's base URL?"
            if since:
                _follow(lambda: follower.start_after(since), interval, api_url,
                        not_found=f"--since names no event of this key's merchant and mode: {since}")
            else:
                _follow(follower.start_now, interval, api_url, not_found=no_events_api)
            echo(f"Ready! Forwarding {key.split('_')[1]} events from {api_url} to {url}")
            echo(f"Signing secret: {secret}  (verify the Lipwa-Signature header with it; Ctrl-C to stop)")
            while max_events is None or forwarded < max_events:
                fresh = [event for event in _follow(follower.poll, interval, api_url, not_found=no_events_api)
                         if any(fnmatch.fnmatchcase(event["type"], p) for p in patterns)]
                for event in fresh[:None if max_events is None else max_events - forwarded]:
                    status = forward(http, url, secret, event)
                    failed += not 200 <= status < 300
                    forwarded += 1
                    echo(f"→ {event['type']} {event['id']} [{status}]")
                if not fresh:
                    sleep(interval)
    except KeyboardInterrupt:
        warn("stopped")
        raise typer.Exit(130) from None
    return EXIT_FAILURE if failed else 0


def register(app: typer.Typer) -> None:
    app.command()(listen)
