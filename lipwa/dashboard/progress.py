"""Import progress as a small JSON file next to the uploaded statement.

The import stores a statement in one database transaction, so progress written to the database from inside
it would be invisible to other connections (PostgreSQL) or wait behind the import's write lock (SQLite). A
file is seen at once by the web process, which runs on the same host as the worker and shares its var dir.
Writes replace the file atomically (a reader never sees half a JSON document) and are throttled: at most
once per STEP_FRACTION of the file or per INTERVAL_SECONDS, whichever comes first.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("lipwa.dashboard")

STEP_FRACTION = 0.01
INTERVAL_SECONDS = 0.5


class ProgressWriter:
    """`writer(done_bytes, total_bytes)` records progress in `path`; usable as statement_import's on_progress."""

    def __init__(self, path: Path, *, phase: str = "importing",
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path, self.phase, self._monotonic = Path(path), phase, monotonic
        self._done, self._total = 0, 0
        self._written_done: int | None = None
        self._written_at = float("-inf")
        self.writes = 0

    def __call__(self, done_bytes: int, total_bytes: int) -> None:
        self._done, self._total = done_bytes, total_bytes
        if self._written_done == done_bytes:
            return
        step = max(1, int(total_bytes * STEP_FRACTION))
        moved_a_step = self._written_done is None or done_bytes - self._written_done >= step
        finished = done_bytes >= total_bytes
        if moved_a_step or finished or self._monotonic() - self._written_at >= INTERVAL_SECONDS:
            self._write()

    def set_phase(self, phase: str) -> None:
        """A new phase (e.g. reconciling after the import) is always written at once."""
        self.phase = phase
        self._write()

    def _write(self) -> None:
        data = {"phase": self.phase, "done_bytes": self._done, "total_bytes": self._total}
        partial = self.path.with_name(self.path.name + ".tmp")
        self._written_done, self._written_at = self._done, self._monotonic()
        try:
            partial.write_text(json.dumps(data))
            os.replace(partial, self.path)
        except OSError as error:  # the page shows older progress; the import itself must not fail for it
            log.warning("import progress not written to %s: %s", self.path, error)
            return
        self.writes += 1


def progress_read(path: Path) -> dict | None:
    """The last progress written, or None before the first write (or after the file was removed)."""
    try:
        data = json.loads(Path(path).read_text())
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return data
