"""Settings of the POLA telemedicine example. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# lipwa: where its API is, the secret key of this merchant, and the secret of the webhook endpoint that points
# at /webhooks/lipwa/ (shown once when the endpoint is created).
LIPWA_API_URL = os.environ.get("LIPWA_API_URL", "http://127.0.0.1:8000")
LIPWA_API_KEY = os.environ.get("LIPWA_API_KEY", "")
LIPWA_WEBHOOK_SECRET = os.environ.get("LIPWA_WEBHOOK_SECRET", "")
# How far a webhook's signed timestamp may be from this machine's clock (bounds replays of a captured delivery).
LIPWA_WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("LIPWA_WEBHOOK_TOLERANCE_SECONDS", "300"))

SECRET_KEY = os.environ.get("EXAMPLE_SECRET_KEY", "pola-example-only-not-a-secret")
DEBUG = os.environ.get("EXAMPLE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = ["django.contrib.contenttypes", "pola"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"]
ROOT_URLCONF = "pola.urls"
WSGI_APPLICATION = "pola.wsgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("EXAMPLE_DATABASE_PATH", str(BASE_DIR / "pola.sqlite3"))}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Africa/Dar_es_Salaam"
