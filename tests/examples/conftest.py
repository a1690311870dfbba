"""The harness for the reference integrations in examples/: lipwa runs as the live server (with its simulators),
each example project runs as a subprocess with its own settings and SQLite file, and the test plays the
customer over real HTTP. Webhook deliveries are sent by draining lipwa's task queue in this process, so a test
says exactly when the merchant hears about a payment instead of sleeping."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from lipwa_sdk import Lipwa

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
STARTUP_SECONDS = 30.0
SETTLE_ROUNDS = 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ExampleApp:
    """One example project: `manage.py migrate`, then `manage.py runserver` on a loopback port."""

    def __init__(self, name: str, port: int, env: dict[str, str], workdir: Path) -> None:
        self.name, self.port, self.workdir = name, port, workdir
        self.url = f"http://127.0.0.1:{port}"
        self.log = workdir / f"{name}.log"
        # The example's manage.py names its own settings; pytest's DJANGO_SETTINGS_MODULE must not leak in.
        self.env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
        self.env.update(env, PYTHONUNBUFFERED="1")
        self.process: subprocess.Popen | None = None
        self.http = httpx.Client(base_url=self.url, timeout=20, trust_env=False)

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=EXAMPLES_DIR / self.name, env=self.env,
                       check=True, capture_output=True, timeout=STARTUP_SECONDS)

    def start(self) -> ExampleApp:
        self.manage("migrate", "--noinput")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"],
                cwd=EXAMPLES_DIR / self.name, env=self.env, stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
            try:
                if self.http.get("/healthz").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # polling for the port to open, bounded by the deadline
        raise AssertionError(f"{self.name} did not answer within {STARTUP_SECONDS} s: {self.log.read_text()[-3000:]}")

    def submit(self, path: str, data: dict[str, str], **kwargs) -> httpx.Response:
        """A form post as a browser sends it: with the CSRF cookie the example's pages set, and its token."""
        if "csrftoken" not in self.http.cookies:
            self.http.get("/")
        return self.http.post(path, data={**data, "csrfmiddlewaretoken": self.http.cookies["csrftoken"]}, **kwargs)

    def stop(self) -> None:
        self.http.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def sdk(lipwa_server, test_key):
    with Lipwa(test_key, base_url=lipwa_server.url, timeout=20) as client:
        yield client


@pytest.fixture
def start_example(lipwa_server, test_key, sdk, tmp_path, settings):
    """Factory: register the example's webhook endpoint with lipwa, then start the example pointed at lipwa with
    that endpoint's secret."""
    settings.LIPWA_WEBHOOK_TIMEOUT_SECONDS = 5
    started: list[ExampleApp] = []

    def start(name: str, **extra_env: str) -> ExampleApp:
        port = free_port()
        endpoint = sdk.webhook_endpoints.create(url=f"http://127.0.0.1:{port}/webhooks/lipwa/",
                                                enabled_events=["*"], description=f"{name} example")
        app = ExampleApp(name, port, workdir=tmp_path, env={
            "LIPWA_API_URL": lipwa_server.url, "LIPWA_API_KEY": test_key,
            "LIPWA_WEBHOOK_SECRET": endpoint["secret"], "EXAMPLE_DATABASE_PATH": str(tmp_path / f"{name}.sqlite3"),
            # lipwa's clock moves forward in these tests (see `settle`) while the example's does not: widen the
            # window in which a signature's timestamp is accepted accordingly.
            "LIPWA_WEBHOOK_TOLERANCE_SECONDS": "3600", **extra_env})
        app.endpoint = endpoint
        started.append(app)
        return app.start()

    yield start
    for app in started:
        app.stop()


@pytest.fixture
def settle(run_tasks) -> Callable[..., None]:
    """Drain lipwa's queue (callbacks applied, webhooks delivered to the example) until `check()` holds. While it
    does not, move lipwa's clock past the next status re-query and run the re-query janitor, as the worker would:
    some gateways' callbacks are only hints that lipwa confirms by asking the gateway."""
    from lipwa.common import clock
    from lipwa.payments.tasks import attempts_sync_due

    def wait(check: Callable[[], bool], what: str, rounds: int = SETTLE_ROUNDS) -> None:
        for _ in range(rounds):
            run_tasks()
            if check():
                return
            clock.advance(61)
            attempts_sync_due.call()
        run_tasks()
        if not check():
            raise AssertionError(f"{what} did not happen within {rounds} re-query rounds")

    return wait

def html_row(page: str, row_id: str) -> str:
    """The `<tr id="row_id">…</tr>` of a page (the examples' templates give every row an id)."""
    found = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page, re.S)
    assert found, f"no row {row_id} in the page"
    return found.group(1)


def form_action(html: str, ends_with: str) -> str:
    found = re.search(rf'action="([^"]*{re.escape(ends_with)})"', html)
    assert found, f"no form posting to …{ends_with}"
    return found.group(1)


def redeliver_every_event(sdk, endpoint_id: str) -> int:
    """Queue every event already delivered to the endpoint again (what a replay after an incident does)."""
    deliveries = list(sdk.webhook_endpoints.deliveries(endpoint_id, limit=100).auto_paging_iter())
    for delivery in deliveries:
        sdk.webhook_endpoints.replay(endpoint_id, event=delivery["event"])
    return len(deliveries)


def answers_to_redeliveries(sdk, endpoint_id: str) -> set[str]:
    """What the example answered to the newest attempt of every delivery."""
    return {d["attempts"][0]["response_excerpt"]
            for d in sdk.webhook_endpoints.deliveries(endpoint_id, limit=100).auto_paging_iter() if d["attempts"]}


class CloudApiStandIn:
    """WhatsApp's Cloud API on 127.0.0.1: records the messages an example sends and answers as Meta does."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
                answer = json.dumps({"messaging_product": "whatsapp",
                                     "messages": [{"id": f"wamid.{len(recorder.requests)}"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v21.0"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
