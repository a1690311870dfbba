"""One in-process DuckDB database per bulk run, bounded so a million-line statement stays within 1 GB."""

from __future__ import annotations

import os
import tempfile

import duckdb

MEMORY_LIMIT = "512MB"  # the engine spills to its temporary directory past this
# What Python's str.strip() removes among ASCII characters; the engine's paths take ASCII text only.
ASCII_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def session() -> duckdb.DuckDBPyConnection:
    """An in-memory database; insertion order is kept, because line numbers come from row order."""
    # Never fetch an extension from the network: everything used here is in the core.
    return duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": True,
                                  "temp_directory": os.path.join(tempfile.gettempdir(), "lipwa-bulk"),
                                  "autoinstall_known_extensions": False})


WHITESPACE_LITERAL = "E'" + "".join(f"\\x{ord(ch):02x}" for ch in ASCII_WHITESPACE) + "'"


def strip_sql(expression: str, *, controls: bool = True) -> str:
    """`expression.strip()` in SQL for ASCII text (NULL, as the engine reads an empty CSV cell, is "").
    Without `controls` the text is known to hold no control character, and trimming spaces (much faster in
    the engine than a set of characters) is the same."""
    value = f"coalesce({expression}, '')"
    return f"trim({value}, {WHITESPACE_LITERAL})" if controls else f"trim({value})"
