"""Real lipwa processes for the kill tests: a database of their own, gunicorn, db_worker and the scheduler, as
`lipwa run` starts them, plus a standalone simulator (its state is in memory, so it must not die with the web)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "chaos-secret-key-not-for-production-0123456789"
ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE="


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def own_database(base_url: str, prefix: str):
    """CREATE a database for the processes (never the test run's own), DROP it afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = base_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_env(database_url: str, var_dir: Path, public_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "LIPWA_"))}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=database_url, LIPWA_VAR_DIR=str(var_dir),
               LIPWA_SECRET_KEY=SECRET_KEY, LIPWA_ENCRYPTION_KEY=ENCRYPTION_KEY, LIPWA_PUBLIC_URL=public_url,
               LIPWA_ALLOWED_HOSTS="127.0.0.1,localhost", LIPWA_SIMULATOR_DELAY_SECONDS="0.3", **extra)
    return env


def run_python(env: dict[str, str], code: str) -> dict:
    """Run Django code in a fresh interpreter with `env`; it prints one JSON object, returned here."""
    program = "import django, json\ndjango.setup()\n" + code
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"setup failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Process:
    """One child process, its output in a file (a pipe nobody reads would block it)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill9(self) -> None:
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def gunicorn(port: int, *, workers: int, threads: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--timeout", "60", "--log-level", "warning"]


def db_worker(worker_id: str) -> list[str]:
    return [sys.executable, "-m", "django", "db_worker", "--queue-name", "*", "--interval", "0.2",
            "--no-startup-delay", "--verbosity", "0", "--worker-id", worker_id]


def scheduler() -> list[str]:
    return [sys.executable, "-m", "django", "lipwa_scheduler", "--interval", "1"]


def children_of(pid: int) -> list[int]:
    """The worker processes a gunicorn master has forked (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(child) for child in children]
    return found


def wait_until_up(url: str, process: Process, timeout_seconds: float = 60) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited early:\n{process.output()}")
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{process.name} did not answer {url} within {timeout_seconds} s:\n{process.output()}")
