"""Settings shared by every environment; everything that differs per machine comes from the environment."""

import os
from pathlib import Path

import dj_database_url

from lipwa.ops.logs import logging_config

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
# Key rotation: LIPWA_ENCRYPTION_KEYS="<new>,<old>,…" (newest first). The newest encrypts, every one decrypts,
# until `manage.py reencrypt` has rewritten everything under the newest and the old ones can go (docs/security.md).
LIPWA_ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("LIPWA_ENCRYPTION_KEYS", "").split(",") if k.strip()] or [
    LIPWA_ENCRYPTION_KEY]
LIPWA_ENCRYPTION_KEY = LIPWA_ENCRYPTION_KEYS[0]
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
# Statement uploads (multipart) are the one large body: streamed to a temporary file, then imported as a stream.
LIPWA_MAX_UPLOAD_BYTES = int(os.environ.get("LIPWA_MAX_UPLOAD_BYTES", str(1024 * 1024 * 1024)))
LIPWA_STATEMENT_UPLOAD_PATHS = ["/v1/reconciliation/statements", "/dashboard/reconciliation/"]
# An Idempotency-Key still in flight after this long belongs to a request whose process died; a retry takes it
# over. It must exceed the longest a request can run: a few gateway calls, each bounded by its account's timeout
# (30 s by default).
LIPWA_IDEMPOTENCY_STALE_SECONDS = float(os.environ.get("LIPWA_IDEMPOTENCY_STALE_SECONDS", "180"))
# A stored gateway callback not processed after this long is queued again (its job may have died with a worker).
LIPWA_CALLBACK_REPROCESS_SECONDS = float(os.environ.get("LIPWA_CALLBACK_REPROCESS_SECONDS", "120"))
# How long lipwa waits for a merchant's webhook endpoint to answer.
LIPWA_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("LIPWA_WEBHOOK_TIMEOUT_SECONDS", "10"))
# The worker must have run its heartbeat task within this many seconds for /readyz to pass.
LIPWA_WORKER_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("LIPWA_WORKER_HEARTBEAT_MAX_AGE_SECONDS", "60"))
# A task still RUNNING this long after a worker claimed it was abandoned by a worker that died (ops/abandoned.py).
LIPWA_TASK_ABANDONED_SECONDS = int(os.environ.get("LIPWA_TASK_ABANDONED_SECONDS", "21600"))

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
    "lipwa.testclocks",
    "lipwa.whatsapp",
    "lipwa.dashboard",
    "lipwa.security",
]

MIDDLEWARE = [
    "lipwa.api.middleware.RequestIdMiddleware",
    # Binds the request id to every log line, logs the request, times it for /metrics.
    "lipwa.ops.middleware.RequestObservabilityMiddleware",
    # Outside the early refusals below, so that 429 and 413 answers carry the security headers too.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Static files (the admin's and the dashboard's) served by the app itself under gunicorn: one process to run.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (nonce per response) and rate limits per API key and IP: lipwa.security.
    "lipwa.security.headers.SecureHeadersMiddleware",
    "lipwa.security.ratelimit.RateLimitMiddleware",
    "lipwa.api.middleware.BodySizeLimitMiddleware",
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
                "lipwa.security.context_processors.csp_nonce",
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
# WhiteNoise finds files in the apps' static/ folders at start-up, so there is no collectstatic step (and no
# STATIC_ROOT) to keep in sync with the code.
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = LIPWA_MAX_BODY_BYTES

# Rate limits: requests per window per API key and per client IP (0 switches one off); 429 with Retry-After.
LIPWA_RATE_LIMIT_WINDOW_SECONDS = int(os.environ.get("LIPWA_RATE_LIMIT_WINDOW_SECONDS", "60"))
LIPWA_RATE_LIMIT_PER_KEY = int(os.environ.get("LIPWA_RATE_LIMIT_PER_KEY", "600"))
LIPWA_RATE_LIMIT_PER_IP = int(os.environ.get("LIPWA_RATE_LIMIT_PER_IP", "1200"))
LIPWA_RATE_LIMITED_PREFIXES = ["/v1/", "/pay/", "/dashboard/", "/admin/"]
# How many reverse proxies in front of lipwa append to X-Forwarded-For (0: use the socket's address).
LIPWA_PROXY_COUNT = int(os.environ.get("LIPWA_PROXY_COUNT", "0"))
# Rate-limit counters are shared by every process: in Redis (the `ratelimit` cache) when LIPWA_REDIS_URL is set,
# else in the database table lipwa_ratelimit_counter (lipwa.security.ratelimit).
LIPWA_REDIS_URL = os.environ.get("LIPWA_REDIS_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if LIPWA_REDIS_URL:
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": LIPWA_REDIS_URL,
                           "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}}
# Pages that get the strict Content-Security-Policy with a nonce (lipwa.security.headers).
LIPWA_CSP_PAGE_PREFIXES = ["/pay/", "/dashboard/"]
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# One JSON object per line (LIPWA_LOG_FORMAT=console for readable lines), every line masked (lipwa.ops.masking).
LIPWA_LOG_FORMAT = os.environ.get("LIPWA_LOG_FORMAT", "json").strip().lower() or "json"
LOGGING = logging_config(LIPWA_LOG_FORMAT, os.environ.get("LIPWA_LOG_LEVEL", "INFO"))

# Prometheus: processes write their counters here and /metrics sums them (prometheus_client multiprocess
# mode). Set before anything imports prometheus_client. `lipwa run` empties it at start.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "metrics"))
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
# /metrics answers requests bearing this token (Authorization: Bearer …); without one, loopback clients only.
LIPWA_METRICS_TOKEN = os.environ.get("LIPWA_METRICS_TOKEN", "")

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
