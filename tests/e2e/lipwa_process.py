"""Start the real product (`lipwa run`: gunicorn + db_worker + scheduler) for an e2e test, on a database of its
own, and stop its whole process group afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.chaos.processes import free_port
from tests.chaos.processes import own_database as database_of_its_own

ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def own_database() -> Iterator[str]:
    """A PostgreSQL database of its own when the suite runs on PostgreSQL (the server processes must not share
    the test run's); "" (SQLite under the server's var dir) otherwise."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        yield ""
        return
    with database_of_its_own(base, "lipwa_e2e") as url:
        yield url


@contextlib.contextmanager
def lipwa_run(var_dir: Path, database_url: str, **env_overrides: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`lipwa run` on a free loopback port; yields (base URL, process) once /healthz answers. The process has
    `.output()` (everything it wrote) and `.var_dir`."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "LIPWA_", "PROMETHEUS_"))}
    env.update(PORT=str(port), LIPWA_VAR_DIR=str(var_dir), DATABASE_URL=database_url, **env_overrides)
    # Output goes to a file, not a pipe: a straggling grandchild holding a pipe open would block the reader.
    log = open(var_dir / "run.log", "w+")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen([sys.executable, "-m", "lipwa.cli.main", "run"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    process.output = lambda: (var_dir / "run.log").read_text()
    process.var_dir = var_dir
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:  # whatever is left of the process group (a worker stuck in shutdown) goes too
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"lipwa run exited early:\n{process.output()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("lipwa run did not answer /healthz within 60 s")
