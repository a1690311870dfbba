"""`make bench`: run every benchmark (or those named), each in a process of its own, then print the summary.

    .venv/bin/python -m bench.run                          # all of them
    .venv/bin/python -m bench.run create_payment callbacks # some of them

Environment: BENCH_DURATION_SECONDS (load phases, default 20), BENCH_CLIENTS (default 8), BENCH_WEB_WORKERS,
BENCH_WEB_THREADS, BENCH_TASK_WORKERS, BENCH_CALLBACKS_MAX, BENCH_DELIVERIES, BENCH_RECON_ROWS. Results go to
var/bench/results.json as well.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

from .common import LIPWA_DB, PG_HOST, PYTHON, RESULT_PREFIX, ROOT, database_drop, psql, var_dir

PHASES = ["create_payment", "callbacks", "sqlite_embedded", "webhook_delivery", "reconciliation"]
PHASE_TIMEOUT_SECONDS = 600


def machine() -> dict:
    cpuinfo = open("/proc/cpuinfo").read()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor())
    memory_kib = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "cpu": model, "cores": os.cpu_count(),
            "memory_gib": round(memory_kib / 2**20, 1), "python": platform.python_version(),
            "postgres": psql("SHOW server_version"), "postgres_host": PG_HOST, "kernel": platform.release(),
            "load_average_at_start": os.getloadavg()}


def run_phase(name: str) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    print(f"== {name}", flush=True)
    try:
        completed = subprocess.run([PYTHON, "-m", f"bench.{name}"], cwd=ROOT, env=env, capture_output=True,
                                   text=True, timeout=PHASE_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"   {name} did not finish within {PHASE_TIMEOUT_SECONDS} s", flush=True)
        return []
    results = [json.loads(line.removeprefix(RESULT_PREFIX)) for line in completed.stdout.splitlines()
               if line.startswith(RESULT_PREFIX)]
    if completed.returncode != 0 or not results:
        print(f"   {name} failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}", flush=True)
    for result in results:
        print(f"   {result['value']} {result['unit']}  ({result['metric']}; {time.monotonic() - started:.0f} s)",
              flush=True)
    return results


def table(results: list[dict]) -> str:
    rows = [("benchmark", "value", "baseline", "ratio", "target", "result")]
    for r in results:
        baseline = f"{r['baseline']:g} {r['baseline_unit']}" if r["baseline"] is not None else "-"
        rows.append((r["name"], f"{r['value']:g} {r['unit']}", baseline,
                     f"{r['ratio']:g}" if r["ratio"] is not None else "-", r["target"],
                     "pass" if r["passed"] else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in PHASES]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}", file=sys.stderr)
        return 2
    info = machine()
    print(json.dumps(info), flush=True)
    results = []
    try:
        for name in names or PHASES:
            results += run_phase(name)
    finally:
        database_drop(LIPWA_DB)  # each phase builds it afresh; nothing of it is worth keeping
    print()
    print(table(results))
    (var_dir() / "results.json").write_text(json.dumps({"machine": info, "results": results}, indent=2) + "\n")
    print(f"\ndetails: {var_dir() / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
