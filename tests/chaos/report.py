"""Print a chaos run's figures (what was injected, what was checked) and keep them as JSON beside the test data."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def scale(name: str, default: int) -> int:
    """How big a run is: small in `make test`, full size in `make chaos` (which sets CHAOS_*)."""
    return int(os.environ.get(name, default))


def report(name: str, figures: dict, problems: list[str]) -> None:
    record = {
        "run": name, "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "database": _database(), "figures": figures, "problems": problems[:50], "problem_count": len(problems),
    }
    lines = [f"== chaos: {name} ==", *(f"  {key}: {value}" for key, value in figures.items())]
    lines.append("  invariants: all hold" if not problems else f"  invariants BROKEN ({len(problems)}):")
    lines += [f"    {problem}" for problem in problems[:20]]
    print("\n" + "\n".join(lines), flush=True)
    out = Path(os.environ.get("LIPWA_VAR_DIR", "var")) / "chaos"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(record, indent=2, default=str))


def _database() -> str:
    from django.db import connection

    return connection.vendor
