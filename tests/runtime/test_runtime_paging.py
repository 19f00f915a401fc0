"""SyncPager and AsyncPager over Genesys-shaped listings served on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import pydantic
import pytest
from _runtime_support import AsyncGenesysClient, GenesysClient, Stack
from odido_runtime import AsyncPager, ClientCredentials, SyncPager, parse_response


class ContactList(pydantic.BaseModel):
    id: str
    name: str


class ContactListEntityListing(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)

    entities: list[ContactList] | None = None
    page_size: int | None = pydantic.Field(None, alias="pageSize")
    page_number: int | None = pydantic.Field(None, alias="pageNumber")
    total: int | None = None
    page_count: int | None = pydantic.Field(None, alias="pageCount")
    next_uri: str | None = pydantic.Field(None, alias="nextUri")


PATH = "/api/v2/outbound/contactlists"


@pytest.mark.parametrize("style", ["count", "next"])
@pytest.mark.parametrize(("total", "pages"), [(7, 3), (6, 2), (1, 1), (0, 1)])
def test_sync_pager_over_models(
    stack: Stack, creds: ClientCredentials, style: str, total: int, pages: int
) -> None:
    with GenesysClient(credentials=creds, environment=stack.environment) as client:

        def fetch(page: int) -> ContactListEntityListing:
            params = {"pageNumber": page, "pageSize": 3, "total": total, "style": style}
            response = client.request("GET", PATH, params=params)
            return parse_response(response, ContactListEntityListing)

        before = stack.gateway.calls["contactlists"]
        pager: SyncPager[ContactList] = SyncPager(fetch)
        assert stack.gateway.calls["contactlists"] == before  # lazy: nothing fetched yet
        items = list(pager)
        fetched = stack.gateway.calls["contactlists"] - before
    assert [item.id for item in items] == [f"cl-{i}" for i in range(total)]
    assert all(isinstance(item, ContactList) for item in items)
    # "next" listings without pageCount need one more (empty) page only when the last is full.
    assert fetched == pages


def test_sync_pager_is_lazy_item_by_item(stack: Stack, creds: ClientCredentials) -> None:
    with GenesysClient(credentials=creds, environment=stack.environment) as client:

        def fetch(page: int) -> Any:
            params = {"pageNumber": page, "pageSize": 2, "total": 10}
            return client.request("GET", PATH, params=params).json()

        before = stack.gateway.calls["contactlists"]
        iterator = iter(SyncPager[dict[str, str]](fetch))
        first = next(iterator)
        assert first["id"] == "cl-0"
        assert stack.gateway.calls["contactlists"] - before == 1
        next(iterator)
        next(iterator)  # first item of page 2
        assert stack.gateway.calls["contactlists"] - before == 2


def test_pages_and_start_page(stack: Stack, creds: ClientCredentials) -> None:
    with GenesysClient(credentials=creds, environment=stack.environment) as client:

        def fetch(page: int) -> Any:
            params = {"pageNumber": page, "pageSize": 3, "total": 7}
            return client.request("GET", PATH, params=params).json()

        pages = list(SyncPager[Any](fetch).pages())
        assert [p["pageNumber"] for p in pages] == [1, 2, 3]
        assert [p["total"] for p in pages] == [7, 7, 7]
        assert [i["id"] for i in SyncPager[Any](fetch, start_page=3)] == ["cl-6"]
        pager = SyncPager[Any](fetch)
        assert len(list(pager)) == len(list(pager)) == 7  # iterating again starts again


def test_pager_stop_rules_on_plain_dicts() -> None:
    served: list[int] = []

    def listing(page: int, **extra: Any) -> dict[str, Any]:
        served.append(page)
        return {"entities": [page], "pageNumber": page, **extra}

    assert list(SyncPager[int](lambda p: listing(p, pageCount=3))) == [1, 2, 3]
    # Without pageCount: follow nextUri until it disappears.
    assert list(SyncPager[int](lambda p: listing(p, nextUri="/x" if p < 4 else None))) == [
        1,
        2,
        3,
        4,
    ]
    # Neither: one page.
    assert list(SyncPager[int](listing)) == [1]
    # Empty or missing entities stop even when the server claims more pages.
    assert list(SyncPager[int](lambda p: {"entities": [], "pageCount": 9, "nextUri": "/x"})) == []
    assert list(SyncPager[int](lambda p: {"pageCount": 9})) == []
    # snake_case attributes of an object work as well as camelCase keys.
    listing_model = ContactListEntityListing(
        entities=[ContactList(id="a", name="b")], page_number=1, page_count=1
    )
    assert [c.id for c in SyncPager[ContactList](lambda p: listing_model)] == ["a"]


def test_async_pager(stack: Stack, creds: ClientCredentials) -> None:
    async def main() -> tuple[list[str], list[int]]:
        async with AsyncGenesysClient(credentials=creds, environment=stack.environment) as client:

            async def fetch(page: int) -> ContactListEntityListing:
                params = {"pageNumber": page, "pageSize": 3, "total": 8, "style": "next"}
                response = await client.request("GET", PATH, params=params)
                return parse_response(response, ContactListEntityListing)

            pager: AsyncPager[ContactList] = AsyncPager(fetch)
            ids = [item.id async for item in pager]
            numbers = [page.page_number or 0 async for page in pager.pages()]
            return ids, numbers

    ids, numbers = asyncio.run(main())
    assert ids == [f"cl-{i}" for i in range(8)]
    assert numbers == [1, 2, 3]
