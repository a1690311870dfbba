"""The production profile refuses unsafe configurations and reads gunicorn's sizing from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GOOD = {"LIPWA_SECRET_KEY": "s" * 50, "LIPWA_ENCRYPTION_KEY": "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE=",
        "DATABASE_URL": "postgres://lipwa@db.internal:5432/lipwa", "LIPWA_ALLOWED_HOSTS": "pay.example.com"}
SHOW_SETTINGS = ("import json, config.settings.production as s; print(json.dumps({'debug': s.DEBUG, "
                 "'simulators': s.LIPWA_SIMULATORS_ENABLED, 'hosts': s.ALLOWED_HOSTS, 'secure': "
                 "s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE, 'log_format': s.LIPWA_LOG_FORMAT}))")


def _python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LIPWA_", "DATABASE_", "PROMETHEUS_"))}
    clean.update(LIPWA_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=60)


def test_a_complete_production_environment_gives_safe_settings(tmp_path):
    result = _python(SHOW_SETTINGS, tmp_path, **GOOD)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"debug": False, "simulators": False, "hosts": ["pay.example.com"],
                                         "secure": True, "log_format": "json"}


@pytest.mark.parametrize("change, message", [
    ({"LIPWA_ALLOWED_HOSTS": ""}, "set LIPWA_ALLOWED_HOSTS"),
    ({"LIPWA_LOG_FORMAT": "console"}, "production logs are JSON"),
    ({"DATABASE_URL": ""}, "production runs on PostgreSQL"),
    ({"LIPWA_ENCRYPTION_KEY": ""}, "LIPWA_SECRET_KEY and LIPWA_ENCRYPTION_KEY must be set"),
])
def test_unsafe_production_environments_are_refused(tmp_path, change, message):
    result = _python(SHOW_SETTINGS, tmp_path, **{**GOOD, **change})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_gunicorn_sizing_and_logging_come_from_the_environment(tmp_path):
    code = ("import json, config.gunicorn as g; print(json.dumps({'workers': g.workers, 'threads': g.threads, "
            "'bind': g.bind, 'app': g.wsgi_app, 'formatter': g.logconfig_dict['formatters']['structured']}))")
    result = _python(code, tmp_path, LIPWA_WEB_WORKERS="3", LIPWA_WEB_THREADS="8", LIPWA_BIND="0.0.0.0:9000")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"workers": 3, "threads": 8, "bind": "0.0.0.0:9000",
                                         "app": "config.wsgi:application",
                                         "formatter": {"()": "lipwa.ops.logs.StructuredFormatter",
                                                       "log_format": "json"}}
