"""The committed Genesys client, end to end over loopback HTTP through odido-runtime."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_genesys import SCOPE, FakeGenesys
from odido_gen.sandbox._keycloak import Keycloak, RegisteredClient
from odido_gen.sandbox._server import serve
from odido_runtime import ClientCredentials, Environment, NotFoundError

odido_genesys = pytest.importorskip("odido_genesys")
from odido_genesys import AsyncGenesysClient, GenesysClient  # noqa: E402
from odido_genesys.models import ContactList, ContactPhoneNumberColumn, ErrorBody  # noqa: E402

CLIENT_ID = "genesys-app"
SECRET = "s3cret:%+é"


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[FakeGenesys, Environment]]:
    keycloak = Keycloak([RegisteredClient(CLIENT_ID, SECRET, scopes=(SCOPE,))])
    fake = FakeGenesys(keycloak)
    with serve(fake.app()) as base_url:
        env = Environment(
            name="loopback", token_url=keycloak.token_url(base_url), api_base=base_url
        )
        yield fake, env


@pytest.fixture
def client(stack: tuple[FakeGenesys, Environment]) -> Iterator[GenesysClient]:
    _, env = stack
    with GenesysClient(credentials=ClientCredentials(CLIENT_ID, SECRET), environment=env) as c:
        yield c


def test_paging_iterator_walks_three_pages(
    stack: tuple[FakeGenesys, Environment], client: GenesysClient
) -> None:
    fake, _ = stack
    fake.lists.clear()
    fake.seed(7)
    fake.requests.clear()
    names = [c.name for c in client.outbound.iter_get_outbound_contactlists(page_size=3)]
    assert names == [f"seeded-{i}" for i in range(1, 8)]
    pages = [q["pageNumber"] for m, p, q in fake.requests if m == "GET"]
    assert pages == ["1", "2", "3"]
    # spec defaults travel as the spec states them
    assert fake.requests[0][2]["includeImportStatus"] == "false"


def test_create_get_update_round_trip(
    stack: tuple[FakeGenesys, Environment], client: GenesysClient
) -> None:
    fake, _ = stack
    created = client.outbound.post_outbound_contactlists(
        body=ContactList(
            name="Odido callers",
            column_names=["phone", "name"],
            phone_columns=[ContactPhoneNumberColumn(column_name="phone", type="cell")],
            preview_mode_column_name="name",
        ),
    )
    assert created.id is not None
    # On the wire: aliases, and only the fields that were set.
    assert fake.bodies[-1] == {
        "name": "Odido callers",
        "columnNames": ["phone", "name"],
        "phoneColumns": [{"columnName": "phone", "type": "cell"}],
        "previewModeColumnName": "name",
    }
    assert created.column_names == ["phone", "name"]
    assert created.preview_mode_column_name == "name"  # sent under its wire name
    assert created.date_created is not None and created.date_created.year == 2026

    fetched = client.outbound.get_outbound_contactlists_contactlist_id(created.id)
    assert fetched == created

    fetched.name = "Renamed"
    updated = client.outbound.put_outbound_contactlists_contactlist_id(created.id, body=fetched)
    assert updated.name == "Renamed"
    assert updated.version == 2
    assert fake.bodies[-1]["name"] == "Renamed"
    assert fake.bodies[-1]["version"] == 1


def test_unknown_enum_value_still_parses(client: GenesysClient) -> None:
    created = client.outbound.post_outbound_contactlists(
        body=ContactList(column_names=["p"], phone_columns=[]),
    )
    assert created.import_status is not None
    assert created.import_status.state == "PAUSED_BY_ODIDO"


def test_not_found_raises_typed_error_with_parsed_body(client: GenesysClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.outbound.get_outbound_contactlists_contactlist_id("cl-missing")
    error = caught.value
    assert error.status_code == 404
    assert isinstance(error.body, ErrorBody)
    assert error.body.code == "not.found"
    assert error.body.context_id == "ctx-404"
    assert error.request_id == "ctx-404"
    assert SECRET not in str(error)


@pytest.mark.anyio
async def test_async_client_pages_and_gets(stack: tuple[FakeGenesys, Environment]) -> None:
    fake, env = stack
    fake.lists.clear()
    fake.seed(5)
    credentials = ClientCredentials(CLIENT_ID, SECRET)
    async with AsyncGenesysClient(credentials=credentials, environment=env) as client:
        items = [c async for c in client.outbound.iter_get_outbound_contactlists(page_size=2)]
        assert len(items) == 5
        first = await client.outbound.get_outbound_contactlists_contactlist_id(items[0].id or "")
        assert first.name == items[0].name
