"""What every benchmark shares: results, ports, child processes, PostgreSQL databases, wrk and pgbench.

Each benchmark module runs in a process of its own (Django can be set up once per process, and the phases
use different databases), prints one `Result` as a JSON line prefixed with RESULT_PREFIX, and exits.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULT_PREFIX = "BENCH-RESULT "
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"
LIPWA_DB = os.environ.get("BENCH_LIPWA_DB", "lipwa_bench")
PGBENCH_DB = os.environ.get("BENCH_PGBENCH_DB", "pgbench_bench")
# Fixed keys: the benchmark databases are throw-away and dropped at the end.
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"
ENCRYPTION_KEY = "YmVuY2gtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMtISE="


def var_dir() -> Path:
    path = Path(os.environ.get("LIPWA_VAR_DIR", ROOT / "var" / "bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def duration_seconds() -> int:
    return int(os.environ.get("BENCH_DURATION_SECONDS", "20"))


def clients() -> int:
    return int(os.environ.get("BENCH_CLIENTS", "8"))


@dataclass
class Result:
    """One measured figure against its baseline; `ratio` is value / baseline (or baseline / value for
    "at most" targets, so that a ratio ≥ 1 always reads "as good as required")."""

    name: str
    metric: str
    value: float
    unit: str
    target: str
    passed: bool
    baseline: float | None = None
    baseline_unit: str = ""
    ratio: float | None = None
    details: dict = field(default_factory=dict)

    def emit(self) -> None:
        print(RESULT_PREFIX + json.dumps(asdict(self)), flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout_seconds: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0, trust_env=False).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_seconds:g} s")


class Children:
    """Child processes started by a benchmark, stopped (SIGTERM, then SIGKILL) when it ends."""

    def __init__(self) -> None:
        self.processes: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(var_dir() / f"{name}.log", "wb")  # noqa: SIM115 - the child keeps it open
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append((name, process))
        return process

    def stop(self) -> None:
        for _, process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def __enter__(self) -> Children:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", database, "-tAc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def database_recreate(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')


def database_drop(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pgbench_tps(*, client_count: int, seconds: int, scale: int = 10) -> dict:
    """TPC-B (pgbench's default script) on the same server: the hardware baseline for the HTTP phases."""
    database_recreate(PGBENCH_DB)
    base = ["-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER]
    try:
        subprocess.run(["pgbench", *base, "-i", "-q", "-s", str(scale), PGBENCH_DB], check=True,
                       capture_output=True, text=True)
        out = subprocess.run(["pgbench", *base, "-c", str(client_count), "-j", str(min(client_count, 2)), "-T",
                              str(seconds), "-n", PGBENCH_DB], check=True, capture_output=True, text=True).stdout
    finally:
        database_drop(PGBENCH_DB)
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    return {"tps": tps, "latency_avg_ms": float(latency.group(1)) if latency else None, "clients": client_count,
            "seconds": seconds, "scale": scale}


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed (make bench installs it with apt-get)")
    return found


def wrk_run(*, url: str, script: str, script_args: list[str], connections: int, seconds: int,
            threads: int = 2, timeout_seconds: int = 10) -> dict:
    """Run wrk with a Lua script from bench/lua whose done() prints one JSON line starting with WRK-JSON."""
    command = [wrk_binary(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout",
               f"{timeout_seconds}s", "-s", str(ROOT / "bench" / "lua" / script), url, "--", *script_args]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("WRK-JSON "):
            return json.loads(line.removeprefix("WRK-JSON "))
    raise RuntimeError(f"wrk printed no summary:\n{out}")


def lipwa_env(*, database_url: str | None, public_url: str = "", **extra: str) -> dict[str, str]:
    """The environment of a lipwa process in the benchmarks: production settings, fixed throw-away keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIPWA_", "DJANGO_", "DATABASE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production" if database_url else "config.settings.dev",
        "LIPWA_SECRET_KEY": SECRET_KEY, "LIPWA_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "LIPWA_VAR_DIR": str(var_dir()), "LIPWA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LIPWA_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
        # The load comes from one key and one address: the limits are raised far above it, so every request
        # is counted as in production (one UPSERT per limit without Redis) and none is refused.
        "LIPWA_RATE_LIMIT_PER_KEY": "1000000000", "LIPWA_RATE_LIMIT_PER_IP": "1000000000",
        "PYTHONPATH": str(ROOT),
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    if public_url:
        env["LIPWA_PUBLIC_URL"] = public_url
    env.update(extra)
    return env


def django_setup(env: dict[str, str]) -> None:
    """Set this process up as a lipwa process with `env` (call once, before importing lipwa models)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU time of a process and all its descendants (gunicorn's workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total


def wait_until_idle(pids: list[int], *, timeout_seconds: float = 60.0) -> None:
    """Wait until freshly started processes (Django set-up, system checks) stop burning CPU, so that start-up
    is neither timed nor counted as CPU per operation."""
    deadline = time.monotonic() + timeout_seconds
    before = sum(tree_cpu_seconds(pid) for pid in pids)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = sum(tree_cpu_seconds(pid) for pid in pids)
        if now - before < 0.05 * len(pids):
            return
        before = now
