"""Cursor pages: `data`, `has_more`, and iteration across every page by `starting_after`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    data: list[T]
    has_more: bool
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    _next: Callable[[str], Page[T]] | None = field(repr=False, default=None)

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def auto_paging_iter(self) -> Iterator[T]:
        """Every item from this page on, fetching the next page (starting after the last id) as needed."""
        page: Page[T] = self
        while True:
            yield from page.data
            if not page.has_more or not page.data or page._next is None:
                return
            page = page._next(page.data[-1]["id"])


@dataclass
class AsyncPage(Generic[T]):
    data: list[T]
    has_more: bool
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    _next: Callable[[str], Awaitable[AsyncPage[T]]] | None = field(repr=False, default=None)

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    async def auto_paging_iter(self) -> AsyncIterator[T]:
        page: AsyncPage[T] = self
        while True:
            for item in page.data:
                yield item
            if not page.has_more or not page.data or page._next is None:
                return
            page = await page._next(page.data[-1]["id"])
