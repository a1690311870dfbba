"""Settings for the test suite: fixed keys, simulators on, no delays."""

import os

os.environ.setdefault("LIPWA_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("LIPWA_ENCRYPTION_KEY", "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE=")
os.environ.setdefault("LIPWA_SIMULATORS_ENABLED", "1")
os.environ.setdefault("LIPWA_SIMULATOR_DELAY_SECONDS", "0")
# Nothing a test runs may reach beyond 127.0.0.1: outbound calls to any other host are refused unsent
# (lipwa.common.http.loopback_only_refusal), so an example URL in a test never even costs a DNS lookup.
os.environ.setdefault("LIPWA_LOOPBACK_ONLY", "1")
# The suite makes many requests with one key from one address; rate-limit tests lower these themselves.
os.environ.setdefault("LIPWA_RATE_LIMIT_PER_KEY", "1000000")
os.environ.setdefault("LIPWA_RATE_LIMIT_PER_IP", "1000000")

from .base import *  # noqa: E402,F403
from .base import DATABASES, VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so that live-server threads get their own connections; one per xdist worker.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{worker}.sqlite3")}
