"""Settings for production: PostgreSQL, no simulators, secrets required."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LIPWA_ENCRYPTION_KEY, SECRET_KEY

LIPWA_SIMULATORS_ENABLED = False
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

if not SECRET_KEY or not LIPWA_ENCRYPTION_KEY:
    raise ImproperlyConfigured("LIPWA_SECRET_KEY and LIPWA_ENCRYPTION_KEY must be set in production")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("production runs on PostgreSQL: set DATABASE_URL=postgres://…")
