"""Print the figures `make chaos` recorded (one JSON file per run, written by report.report)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(directory: str) -> int:
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        print(f"no chaos results in {directory}")
        return 1
    broken = 0
    for path in files:
        record = json.loads(path.read_text())
        print(f"\n== {record['run']} ({record['date']}, {record['database']}, {record['machine']}) ==")
        for key, value in record["figures"].items():
            print(f"  {key}: {value}")
        if record["problem_count"]:
            broken += 1
            print(f"  INVARIANTS BROKEN ({record['problem_count']}):")
            for problem in record["problems"]:
                print(f"    {problem}")
        else:
            print("  invariants: all hold")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "var/chaos-run/chaos"))
