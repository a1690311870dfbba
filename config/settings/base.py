"""Settings shared by every environment; everything that differs per machine comes from the environment."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("LIPWA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("LIPWA_SECRET_KEY", "")
DEBUG = env_bool("LIPWA_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("LIPWA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

# Base64 of 32 random bytes; encrypts connector credentials at rest (AES-GCM).
LIPWA_ENCRYPTION_KEY = os.environ.get("LIPWA_ENCRYPTION_KEY", "")
# The URL gateways (and simulators) use to reach this service's /hooks/ endpoints.
LIPWA_PUBLIC_URL = os.environ.get("LIPWA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Simulators are mounted under /simulators/ only when enabled (never in production).
LIPWA_SIMULATORS_ENABLED = env_bool("LIPWA_SIMULATORS_ENABLED", False)
# `lipwa simulate <connector>` serves only that simulator.
LIPWA_SIMULATOR_ONLY = os.environ.get("LIPWA_SIMULATOR_ONLY", "")
# How long a simulated gateway hangs in the "initiate call times out" scenario.
LIPWA_SIMULATOR_HANG_SECONDS = float(os.environ.get("LIPWA_SIMULATOR_HANG_SECONDS", "35"))
# Delay before a simulated customer answers a prompt; tests set it to 0.
LIPWA_SIMULATOR_DELAY_SECONDS = float(os.environ.get("LIPWA_SIMULATOR_DELAY_SECONDS", "2"))
# Largest request body the API accepts; larger bodies get 413 before they are read.
LIPWA_MAX_BODY_BYTES = int(os.environ.get("LIPWA_MAX_BODY_BYTES", str(256 * 1024)))
# How long lipwa waits for a merchant's webhook endpoint to answer.
LIPWA_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("LIPWA_WEBHOOK_TIMEOUT_SECONDS", "10"))
# The worker must have run its heartbeat task within this many seconds for /readyz to pass.
LIPWA_WORKER_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("LIPWA_WORKER_HEARTBEAT_MAX_AGE_SECONDS", "60"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "lipwa.merchants",
    "lipwa.payments",
    "lipwa.ledger",
    "lipwa.audit",
    "lipwa.cash",
    "lipwa.reconciliation",
    "lipwa.checkout",
    "lipwa.invoicing",
    "lipwa.payouts",
    "lipwa.fx",
    "lipwa.webhooks_in",
    "lipwa.webhooks_out",
    "lipwa.connectors",
    "lipwa.ops",
]

MIDDLEWARE = [
    "lipwa.api.middleware.RequestIdMiddleware",
    "lipwa.api.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The hosted checkout page speaks English, Swahili and French (Accept-Language, or ?lang=).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lipwa.api.middleware.IdempotencyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "lipwa.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server, the worker and the scheduler share one file; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on busy_timeout instead of failing on lock upgrade.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "webhooks", "sync"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGES = [("en", "English"), ("sw", "Kiswahili"), ("fr", "Français")]
USE_TZ = True

# Receipts and other customer email; the console backend (stdout) unless a real one is configured.
EMAIL_BACKEND = os.environ.get("LIPWA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("LIPWA_FROM_EMAIL", "receipts@lipwa.localhost")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

DATA_UPLOAD_MAX_MEMORY_SIZE = LIPWA_MAX_BODY_BYTES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIPWA_LOG_LEVEL", "INFO")},
    "loggers": {"django_tasks_db": {"level": "WARNING"}, "django.server": {"level": "WARNING"}},
}

# Connector classes; the core reaches gateways only through this list (lipwa.connectors.registry).
LIPWA_CONNECTORS = [
    "lipwa.connectors.mpesa.connector.MpesaConnector",
    "lipwa.connectors.cash.connector.CashConnector",
    "lipwa.connectors.bank_transfer.connector.BankTransferConnector",
    "lipwa.connectors.paynow.connector.PaynowConnector",
    "lipwa.connectors.paystack.connector.PaystackConnector",
    "lipwa.connectors.feexpay.connector.FeexpayConnector",
    "lipwa.connectors.mtn_momo.connector.MtnMomoConnector",
    "lipwa.connectors.airtel.connector.AirtelConnector",
    "lipwa.connectors.azampay.connector.AzamPayConnector",
]
# LIPWA_ENABLED_CONNECTORS=mpesa,airtel keeps only those connectors (and their simulators).
if os.environ.get("LIPWA_ENABLED_CONNECTORS"):
    _enabled = {c.strip() for c in os.environ["LIPWA_ENABLED_CONNECTORS"].split(",") if c.strip()}
    LIPWA_CONNECTORS = [path for path in LIPWA_CONNECTORS if path.split(".")[2] in _enabled]
