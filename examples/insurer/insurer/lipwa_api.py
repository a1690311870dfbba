"""The one lipwa client of this project (thread-safe; reused across requests)."""

import functools

from django.conf import settings
from lipwa_sdk import Lipwa


@functools.cache
def client() -> Lipwa:
    return Lipwa(settings.LIPWA_API_KEY, base_url=settings.LIPWA_API_URL, timeout=30)
