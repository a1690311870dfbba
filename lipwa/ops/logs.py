"""Structured logs: one JSON object per line (or a readable console line), masked, with request context.

Everything is stdlib `logging` underneath; structlog only renders. The formatter merges the context bound
with `bind_context` (request id, merchant id, payment id, task id), so a line logged anywhere while a
request or a task runs carries them. `logging_config` is the one LOGGING dict, used by Django's settings
and by gunicorn's own loggers (config/gunicorn.py), so every line of every process has one shape.

This module imports nothing of Django: gunicorn loads it before the application.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars, merge_contextvars

from .masking import mask_event_dict

FORMATS = ("json", "console")
CONTEXT_KEYS = ("request_id", "merchant_id", "payment_id", "task_id")


def bind_context(**values: str | None) -> None:
    """Attach ids to every line logged from here on in this thread (or task), skipping empty values."""
    bind_contextvars(**{key: value for key, value in values.items() if value})


def clear_context() -> None:
    clear_contextvars()


def current_context() -> dict:
    return get_contextvars()


def _add_pid(logger: object, method_name: str, event_dict: dict) -> dict:
    event_dict.setdefault("pid", os.getpid())
    return event_dict


def _leading_keys_first(logger: object, method_name: str, event_dict: dict) -> dict:
    """ts, level, logger, event, then the ids, then the rest: lines read the same way every time."""
    ordered = {key: event_dict.pop(key) for key in ("ts", "level", "logger", "event", *CONTEXT_KEYS)
               if key in event_dict}
    ordered.update(event_dict)
    return ordered


def _drop_color_message(logger: object, method_name: str, event_dict: dict) -> dict:
    event_dict.pop("color_message", None)
    return event_dict


class StructuredFormatter(structlog.stdlib.ProcessorFormatter):
    """A logging.Formatter rendering any stdlib record as JSON or as a console line, masked."""

    def __init__(self, log_format: str = "json", *args, **kwargs) -> None:
        if log_format not in FORMATS:
            raise ValueError(f"LIPWA_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
        pre_chain = [
            merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(),
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
            _add_pid,
        ]
        if log_format == "json":
            renderer = structlog.processors.JSONRenderer(default=str)
        else:
            renderer = structlog.dev.ConsoleRenderer(colors=False, sort_keys=False, timestamp_key="ts")
        processors = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _drop_color_message,
            structlog.processors.format_exc_info,
            mask_event_dict,
            _leading_keys_first,
            renderer,
        ]
        super().__init__(processors=processors, foreign_pre_chain=pre_chain)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time of the line, not the one at start-up: test runners and
    daemonisers swap it, and a handler holding the old (closed) stream would lose lines."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def log_format_from_env() -> str:
    return os.environ.get("LIPWA_LOG_FORMAT", "json").strip().lower() or "json"


def logging_config(log_format: str | None = None, level: str | None = None) -> dict:
    """The LOGGING dict: one stream handler with the structured, masking formatter, for every logger."""
    log_format = log_format or log_format_from_env()
    level = (level or os.environ.get("LIPWA_LOG_LEVEL", "INFO")).upper()
    own = {"handlers": ["console"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "lipwa.ops.logs.StructuredFormatter", "log_format": log_format}},
        "handlers": {"console": {"class": "lipwa.ops.logs.StderrHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's defaults attach their own plain handlers; these send everything to ours instead.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
            "django_tasks_db": {"level": "WARNING"},
            "gunicorn.error": {**own, "level": level},
            # The request log of lipwa.ops.middleware replaces gunicorn's access lines (it has the request id).
            "gunicorn.access": {**own, "level": "WARNING"},
        },
    }
