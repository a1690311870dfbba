"""`lipwa run`: the whole product in one process group that Ctrl-C stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable


def _children(host: str, port: int) -> list[tuple[str, list[str]]]:
    python = sys.executable
    # One gunicorn worker with threads: the simulators keep their state in memory, so they need one process.
    web = [python, "-m", "gunicorn", "-c", "python:config.gunicorn", "config.wsgi:application",
           "--bind", f"{host}:{port}", "--workers", "1",
           "--threads", "16", "--timeout", "120", "--access-logfile", "-", "--log-level", "warning"]
    # Verbosity 0: the worker's per-task lines would drown the log (the heartbeat runs every few seconds).
    worker = [python, "-m", "django", "db_worker", "--queue-name", "*", "--interval", "0.5", "--no-startup-delay",
              "--verbosity", "0"]
    scheduler = [python, "-m", "django", "lipwa_scheduler", "--interval", "5"]
    return [("web", web), ("worker", worker), ("scheduler", scheduler)]


def _die_with_parent() -> None:
    """In each child: ask Linux to SIGTERM it if `lipwa run` itself dies, so no orphan keeps the port."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _spawn(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, env=os.environ.copy(), preexec_fn=_die_with_parent)


def run(*, host: str, port: int, setup: Callable[[], None]) -> int:
    public_url = os.environ.setdefault("LIPWA_PUBLIC_URL", f"http://{host}:{port}")
    os.environ.setdefault("LIPWA_ALLOWED_HOSTS", f"{host},localhost,127.0.0.1")
    setup()
    from django.core.management import call_command

    from lipwa.common.errors import LipwaError

    call_command("migrate", interactive=False, verbosity=0)
    _metrics_dir_reset()
    try:
        raw_key = _demo_key(public_url)
    except LipwaError as error:
        print(f"lipwa: {error.message}", file=sys.stderr)
        return 2
    processes = [(name, _spawn(command)) for name, command in _children(host, port)]
    print(_banner(public_url, raw_key), flush=True)
    return _supervise(processes)


def _metrics_dir_reset() -> None:
    """Drop the metric files of dead processes (`counter_<pid>.db`, …) from the Prometheus multiprocess
    directory, which settings chose: an earlier run's would otherwise be summed into this run's counters.
    Files of live processes stay: another lipwa sharing the directory is still writing them."""
    import re
    from pathlib import Path

    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        match = re.search(r"_(\d+)\.db$", stale.name)
        if match is None or not _alive(int(match.group(1))):
            stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _demo_key(public_url: str) -> str:
    from lipwa.merchants.services import demo_merchant_ensure

    merchant, raw_key = demo_merchant_ensure(raw_key=os.environ.get("LIPWA_DEMO_KEY") or None,
                                             simulator_base_url=public_url)
    from lipwa.dashboard.services import demo_staff_ensure

    demo_staff_ensure(merchant=merchant)  # its login is printed by _banner and `lipwa demo`
    return raw_key


def _demo_login() -> str:
    from lipwa.dashboard.services import DEMO_STAFF_EMAIL, demo_staff_password

    return f"{DEMO_STAFF_EMAIL} / {demo_staff_password()}"


def _banner(public_url: str, raw_key: str) -> str:
    return "\n".join([
        "",
        "lipwa is running",
        f"  API          {public_url}/v1/   (docs: {public_url}/v1/docs)",
        f"  OpenAPI      {public_url}/v1/openapi.json",
        f"  simulators   {public_url}/simulators/<connector>/",
        f"  health       {public_url}/healthz  {public_url}/readyz",
        f"  test key     {raw_key}",
        f"  dashboard    {public_url}/dashboard/   login {_demo_login()}",
        "",
        f"  curl -X POST {public_url}/v1/payments -H 'Authorization: Bearer {raw_key}' \\",
        "       -H 'Content-Type: application/json' \\",
        "       -d '{\"amount\": 10000, \"currency\": \"KES\", \"method\": \"mobile_money\", "
        "\"phone\": \"0712345678\"}'",
        "",
        "Press Ctrl-C to stop.",
    ])


def _supervise(processes: list[tuple[str, subprocess.Popen]]) -> int:
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes:
            if process.poll() is not None:
                print(f"lipwa: {name} exited with {process.returncode}; stopping the rest", file=sys.stderr)
                exit_code = 1
                stopping = True
        time.sleep(0.2)
    for _, process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for _, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    print("lipwa stopped.", flush=True)
    return exit_code


def simulate(*, connector: str, host: str, port: int, setup: Callable[[], None]) -> int:
    """Serve /simulators/<connector>/… alone (no database needed), for third-party client tests."""
    os.environ["LIPWA_SIMULATOR_ONLY"] = connector
    os.environ.setdefault("LIPWA_SIMULATORS_ENABLED", "1")
    setup()
    from lipwa.connectors.registry import UnknownConnector, connector_class

    try:
        connector_class(connector)
    except UnknownConnector as exc:
        os.environ.pop("LIPWA_SIMULATOR_ONLY", None)
        print(f"lipwa: {exc}", file=sys.stderr)
        return 2
    print(f"{connector} simulator at http://{host}:{port}/simulators/{connector}/  (Ctrl-C to stop)", flush=True)
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{host}:{port}",
               "--workers", "1", "--threads", "16", "--log-level", "warning"]
    return _supervise([("simulator", _spawn(command))])


def print_demo(public_url: str) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print(_demo_key(public_url))
    # stderr, so that `KEY=$(lipwa demo)` still captures the key alone.
    print(f"dashboard {public_url}/dashboard/ login {_demo_login()}", file=sys.stderr)
    return 0
