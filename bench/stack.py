"""The product as production runs it, on the benchmark's PostgreSQL database: gunicorn web workers, db_worker
processes, and the M-Pesa simulator in a process of its own (a gateway is another machine, and the simulator
keeps its state in memory, so it must be one process).

`merchant_setup` runs in the benchmark's own process, after `migrate_fresh`: a merchant, a test API key and an
M-Pesa account pointed at the simulator, exactly what an operator does with the `lipwa` command.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

from .common import (
    LIPWA_DB,
    PG_URL,
    PYTHON,
    ROOT,
    Children,
    database_recreate,
    django_setup,
    free_port,
    lipwa_env,
    wait_for_http,
)

WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "4"))
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "2"))
TASK_WORKERS = int(os.environ.get("BENCH_TASK_WORKERS", "4"))


@dataclass
class Stack:
    app_url: str
    simulator_url: str
    env: dict[str, str]
    children: Children
    raw_key: str  # the benchmark merchant's test API key
    account: object  # its M-Pesa account on the simulator


@contextlib.contextmanager
def running_stack() -> Iterator[Stack]:
    """A fresh database, the simulator, the benchmark merchant and the web workers, stopped on exit: what every
    HTTP phase starts from (task workers are started by the phases that need them)."""
    app_port, simulator_port = free_port(), free_port()
    env = stack_env(app_port)
    migrate_fresh(env)
    django_setup(env)
    with Children() as children:
        simulator_url = simulator_start(children, simulator_port)
        _, raw_key, account = merchant_setup(simulator_url)
        app_url = web_start(children, env, app_port)
        yield Stack(app_url=app_url, simulator_url=simulator_url, env=env, children=children, raw_key=raw_key,
                    account=account)


def database_url() -> str:
    return f"{PG_URL}/{LIPWA_DB}"


def stack_env(app_port: int) -> dict[str, str]:
    return lipwa_env(database_url=database_url(), public_url=f"http://127.0.0.1:{app_port}")


def migrate_fresh(env: dict[str, str]) -> None:
    database_recreate(LIPWA_DB)
    subprocess.run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)


def simulator_start(children: Children, port: int) -> str:
    """`lipwa simulate mpesa`: the Daraja simulator alone, customers answering at once."""
    env = lipwa_env(database_url=None, LIPWA_SIMULATOR_ONLY="mpesa", LIPWA_SIMULATORS_ENABLED="1",
                    LIPWA_SIMULATOR_DELAY_SECONDS="0", LIPWA_LOG_LEVEL="WARNING")
    children.start("simulator", [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--bind",
                                 f"127.0.0.1:{port}", "--workers", "1", "--threads", "16", "--log-level",
                                 "warning", "--backlog", "2048"], env)
    url = f"http://127.0.0.1:{port}/simulators/mpesa"
    wait_for_http(f"{url}/oauth/v1/generate")
    return url


def web_start(children: Children, env: dict[str, str], port: int) -> str:
    """gunicorn as docs/operations.md describes it, with several worker processes."""
    children.start("web", [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                           "--workers", str(WEB_WORKERS), "--threads", str(WEB_THREADS), "--log-level", "warning",
                           "--backlog", "2048"], env)
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/healthz")
    return url


def task_workers_start(children: Children, env: dict[str, str], count: int = TASK_WORKERS,
                       queue: str = "*") -> None:
    for number in range(count):
        children.start(f"worker-{number}", [PYTHON, "-m", "django", "db_worker", "--queue-name", queue,
                                            "--interval", "0.05", "--no-startup-delay", "--verbosity", "0"], env)


def merchant_setup(simulator_url: str) -> tuple[object, str, object]:
    """A merchant, its test key and its M-Pesa account on the simulator (call after django_setup)."""
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import api_key_create, connector_account_create, merchant_create

    merchant = merchant_create(name="Benchmark merchant")
    _, raw_key = api_key_create(merchant=merchant, mode="test", name="bench")
    account = connector_account_create(merchant=merchant, connector="mpesa", mode="test",
                                       credentials=connector_class("mpesa").simulator_credentials(simulator_url),
                                       timeout_seconds=10.0)
    return merchant, raw_key, account
