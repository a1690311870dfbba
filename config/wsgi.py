import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()


def _warm_up() -> None:
    """Load the URLconf (every API module) and every connector now, while the worker starts, rather than in its
    first requests: that is about a second of CPU per gunicorn worker, which requests would otherwise queue behind."""
    from django.urls import get_resolver

    from lipwa.connectors.registry import connector_ids

    get_resolver().url_patterns  # noqa: B018 - the property loads and caches the URLconf
    connector_ids()


_warm_up()
