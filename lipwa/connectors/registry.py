"""The only way the core reaches a gateway: connector classes listed in settings.LIPWA_CONNECTORS."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.urls import include, path
from django.utils.module_loading import import_string

from .base import Connector
from .types import AccountContext


class UnknownConnector(LookupError):
    pass


@cache
def _connectors() -> dict[str, type[Connector]]:
    classes = [import_string(dotted) for dotted in settings.LIPWA_CONNECTORS]
    return {cls.id: cls for cls in classes}


def connector_ids() -> list[str]:
    return sorted(_connectors())


def connector_class(connector_id: str) -> type[Connector]:
    try:
        return _connectors()[connector_id]
    except KeyError:
        raise UnknownConnector(f"unknown provider {connector_id!r}; known: {', '.join(connector_ids())}") from None


def connector_for_slug(slug: str) -> type[Connector]:
    for cls in _connectors().values():
        if slug in (cls.id, cls.callback_slug):
            return cls
    raise UnknownConnector(f"no connector answers callbacks at /hooks/{slug}/")


def connector_for_account(account: AccountContext) -> Connector:
    return connector_class(account.connector)(account)


def simulator_urlpatterns(only: str | None = None) -> list:
    """Mount each connector's simulator at /simulators/<connector>/ followed by the gateway's real paths."""
    patterns = []
    for connector_id, cls in sorted(_connectors().items()):
        if only and connector_id != only:
            continue
        package = cls.__module__.rsplit(".", 1)[0]
        patterns.append(path(f"simulators/{connector_id}/", include(f"{package}.simulator.urls")))
    return patterns
