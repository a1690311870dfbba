"""Debian's Chromium driven by Playwright for the browser tests (`make test` installs it with apt).

Playwright's sync API keeps an asyncio loop on the thread that uses it, and Django refuses database work on
a thread with a running loop; so the browser lives on a thread of its own and the test (and its ORM calls)
stays on the main one. Playwright's objects are bound to the thread that created them, hence one worker.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from playwright.sync_api import Page, sync_playwright

T = TypeVar("T")
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium tries to reach Google's hosts, which this machine refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class BrowserThread:
    def __init__(self, **context_options) -> None:
        self._context_options = context_options
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self._executor.submit(self._start).result(timeout=30)

    def _start(self) -> None:
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        # The first page of a fresh browser is slow to open; pay that once here rather than in a test.
        warm_up = self._browser.new_context()
        warm_up.new_page().goto("about:blank")
        warm_up.close()

    def run(self, steps: Callable[[Page], T]) -> T:
        """Run `steps` on a fresh page (its own cookies) and return what it returns."""
        def go() -> T:
            context = self._browser.new_context(**self._context_options)
            try:
                page = context.new_page()
                page.set_default_timeout(10_000)
                return steps(page)
            finally:
                context.close()

        return self._executor.submit(go).result(timeout=60)

    def close(self) -> None:
        def stop() -> None:
            self._browser.close()
            self._playwright.stop()

        self._executor.submit(stop).result(timeout=30)
        self._executor.shutdown()
