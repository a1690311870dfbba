"""Settings for production: PostgreSQL, no simulators, secrets required."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LIPWA_ENCRYPTION_KEY, LIPWA_LOG_FORMAT, SECRET_KEY

LIPWA_SIMULATORS_ENABLED = False
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Browsers must use HTTPS for a year (HSTS is sent on HTTPS responses only). Behind a TLS-terminating proxy,
# LIPWA_BEHIND_TLS_PROXY=1 trusts its X-Forwarded-Proto so Django knows the request was HTTPS.
SECURE_HSTS_SECONDS = int(os.environ.get("LIPWA_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
if os.environ.get("LIPWA_BEHIND_TLS_PROXY", "").strip().lower() in {"1", "true", "yes", "on"}:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not SECRET_KEY or not LIPWA_ENCRYPTION_KEY:
    raise ImproperlyConfigured("LIPWA_SECRET_KEY and LIPWA_ENCRYPTION_KEY must be set in production")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("production runs on PostgreSQL: set DATABASE_URL=postgres://…")
if not os.environ.get("LIPWA_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("set LIPWA_ALLOWED_HOSTS to the host names this service answers to (comma-separated)")
if LIPWA_LOG_FORMAT != "json":
    # Log shippers parse one JSON object per line; a console line would be one unparseable blob.
    raise ImproperlyConfigured("production logs are JSON: unset LIPWA_LOG_FORMAT or set it to json")
