"""Lazy iteration over paged listings (Genesys Cloud `*EntityListing` shape).

A page is a pydantic model with snake_case attributes or a dict with camelCase keys, holding
`entities`, `pageNumber`, `pageCount` and `nextUri`. Pages are fetched only as iteration
reaches them; iterating again starts again from `start_page`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeAlias, TypeVar, cast

__all__ = ["AsyncPager", "PageLike", "SyncPager"]

T = TypeVar("T")
# Any object with the listing fields as attributes, or a mapping with them as camelCase keys.
PageLike: TypeAlias = object


def _field(page: object, snake: str, camel: str) -> Any:
    if isinstance(page, Mapping):
        value = page.get(camel)
        return page.get(snake) if value is None else value
    value = getattr(page, snake, None)
    return getattr(page, camel, None) if value is None else value


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def entities_of(page: object) -> Sequence[Any]:
    """The items of a page (empty when it has none)."""
    entities = _field(page, "entities", "entities")
    if entities is None:
        return ()
    return cast("Sequence[Any]", entities)


def next_page_number(page: object, requested: int) -> int | None:
    """The number of the page after `page`, or None when `page` is the last one.

    Stops on: no entities; page number >= page count; without a page count, no next URI.
    """
    if not entities_of(page):
        return None
    number = _as_int(_field(page, "page_number", "pageNumber"))
    if number is None:
        number = requested
    count = _as_int(_field(page, "page_count", "pageCount"))
    if count is not None:
        return number + 1 if number < count else None
    return number + 1 if _field(page, "next_uri", "nextUri") else None


class SyncPager(Generic[T]):
    """Iterates the items of every page that `fetch_page(page_number)` returns.

    `for item in pager` walks items; `pager.pages()` walks whole pages (for totals and such).
    """

    __slots__ = ("_fetch_page", "_start_page")

    def __init__(self, fetch_page: Callable[[int], PageLike], *, start_page: int = 1) -> None:
        self._fetch_page = fetch_page
        self._start_page = start_page

    def pages(self) -> Iterator[Any]:
        """Each fetched page, including the last (possibly empty) one."""
        number: int | None = self._start_page
        while number is not None:
            page = self._fetch_page(number)
            yield page
            number = next_page_number(page, number)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from cast("Sequence[T]", entities_of(page))

    def __repr__(self) -> str:
        return f"<SyncPager start_page={self._start_page}>"


class AsyncPager(Generic[T]):
    """Async twin of `SyncPager`: `async for item in pager`, `async for page in pager.pages()`."""

    __slots__ = ("_fetch_page", "_start_page")

    def __init__(
        self, fetch_page: Callable[[int], Awaitable[PageLike]], *, start_page: int = 1
    ) -> None:
        self._fetch_page = fetch_page
        self._start_page = start_page

    async def pages(self) -> AsyncIterator[Any]:
        """Each fetched page, including the last (possibly empty) one."""
        number: int | None = self._start_page
        while number is not None:
            page = await self._fetch_page(number)
            yield page
            number = next_page_number(page, number)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in cast("Sequence[T]", entities_of(page)):
                yield item

    def __repr__(self) -> str:
        return f"<AsyncPager start_page={self._start_page}>"
