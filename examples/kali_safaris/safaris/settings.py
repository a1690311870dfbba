"""Settings of the Kali Safaris example. Everything that differs between machines comes from the environment."""

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

SECRET_KEY = os.environ.get("EXAMPLE_SECRET_KEY", "kali-safaris-example-only-not-a-secret")
DEBUG = os.environ.get("EXAMPLE_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = ["django.contrib.contenttypes", "safaris"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"]
ROOT_URLCONF = "safaris.urls"
WSGI_APPLICATION = "safaris.wsgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("EXAMPLE_DATABASE_PATH", str(BASE_DIR / "kali_safaris.sqlite3"))}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Africa/Harare"

# WhatsApp Cloud API, to send the customer the payment Flow (lipwa serves the Flow's data-exchange endpoint).
# Without a token no message is sent and the booking page offers the web checkout only.
WHATSAPP_API_URL = os.environ.get("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0")
WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN", "")
WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_FLOW_ID = os.environ.get("WHATSAPP_FLOW_ID", "")
