"""gunicorn settings for lipwa: `gunicorn -c python:config.gunicorn config.wsgi` (production) or `lipwa run`.

Command-line flags override these. Every gunicorn log line goes through lipwa's structured, masking
formatter, like the application's own lines.
"""

import multiprocessing
import os

from lipwa.ops.logs import logging_config

# The same default as the settings, set here too because the gunicorn master never loads the settings.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", os.path.join(
    os.environ.get("LIPWA_VAR_DIR") or os.path.join(os.path.dirname(os.path.dirname(__file__)), "var"), "metrics"))
wsgi_app = "config.wsgi:application"
bind = os.environ.get("LIPWA_BIND", "127.0.0.1:8000")
# Processes × threads is the concurrency; the default follows gunicorn's advice for I/O-bound work.
workers = int(os.environ.get("LIPWA_WEB_WORKERS") or (multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("LIPWA_WEB_THREADS", "4"))
# Gateway calls wait up to 30 s for an answer; the worker timeout must exceed that.
timeout = int(os.environ.get("LIPWA_WEB_TIMEOUT_SECONDS", "60"))
graceful_timeout = 30
# Behind a reverse proxy on the same machine: trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("LIPWA_FORWARDED_ALLOW_IPS", "127.0.0.1")
logconfig_dict = logging_config()


def child_exit(server, worker):
    """A web worker died or was recycled: fold its live Prometheus gauges away."""
    from lipwa.ops.metrics import process_exited

    process_exited(worker.pid)
