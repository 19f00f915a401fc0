"""End to end: generated clients against the sandbox started as its own process.

The committed Genesys client gets its token at the sandbox's Keycloak-style token endpoint and
calls the gateway with `x-auth-token: Bearer <token>`. A second product, generated at test time
from what the sandbox's portal says about it (listen path, scopes), uses the default
`Authorization: Bearer <token>`. The gateway refuses missing, wrong and expired tokens and a
token without the product's scope as Tyk does, and the clients raise the typed errors for it.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest
from _e2e_support import (
    Recorder,
    error_json,
    genesys_product,
    judge,
    operation_calls,
    spec_operation_count,
)
from _sandbox_support import (
    ADMIN_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    GENESYS,
    GENESYS_SCOPE,
    PETSTORE,
    PETSTORE_SCOPE,
    TOKEN_PATH,
    SandboxProcess,
    copy_specs,
    sandbox_process,
    token,
)
from odido_runtime import (
    ClientCredentials,
    Environment,
    HeaderStyle,
    OdidoAuth,
    PermissionDeniedError,
    SyncAPIClient,
    Token,
    TokenCache,
    UnauthorizedError,
)

odido_genesys = pytest.importorskip("odido_genesys")
from odido_genesys import AsyncGenesysClient, GenesysClient  # noqa: E402
from odido_genesys.models import (  # noqa: E402
    ContactList,
    ContactListEntityListing,
    ContactPhoneNumberColumn,
)

GENESYS_HEADER = HeaderStyle(name="x-auth-token", prefix="Bearer ")
BEARER = HeaderStyle()  # Authorization: Bearer <token>
TOKEN_LIFETIME = 2  # seconds, for the sandbox that hands out short-lived tokens


@dataclass(frozen=True)
class Sent:
    """Which token headers a request carried (never their values: they hold tokens)."""

    path: str
    headers: tuple[str, ...]
    bearer: bool  # every such header's value starts with "Bearer "


@dataclass
class SentLog:
    sent: list[Sent]

    def __call__(self, request: httpx.Request) -> None:
        names = tuple(n for n in ("authorization", "x-auth-token") if n in request.headers)
        bearer = all(request.headers[n].startswith("Bearer ") for n in names)
        self.sent.append(Sent(request.url.path, names, bearer))

    def api_calls(self) -> list[Sent]:
        """The API requests, after checking the token requests among them.

        The client sends token requests through its http_client too: at most one here (the
        token cache is process-wide), carrying the client's credentials as Basic auth only.
        """
        tokens = [s for s in self.sent if s.path == TOKEN_PATH]
        assert len(tokens) <= 1
        assert all((s.headers, s.bearer) == (("authorization",), False) for s in tokens)
        return [s for s in self.sent if s.path != TOKEN_PATH]


def _environment(url: str) -> Environment:
    return Environment(name="sandbox", token_url=url + TOKEN_PATH, api_base=url)


def _credentials() -> ClientCredentials:
    return ClientCredentials(CLIENT_ID, CLIENT_SECRET)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    specs = copy_specs(tmp_path_factory.mktemp("specs"), GENESYS, PETSTORE)
    with sandbox_process(specs) as running:
        yield running


def _portal_product(url: str, path: str) -> dict[str, Any]:
    """The product's details from the sandbox's admin API, as `portal pull` reads them."""
    headers = {"Authorization": ADMIN_TOKEN}
    summaries = httpx.get(f"{url}/portal-api/products", headers=headers).json()
    [summary] = [p for p in summaries if p["Path"] == path]
    detail: dict[str, Any] = httpx.get(
        f"{url}/portal-api/products/{summary['ID']}", headers=headers
    ).json()
    return detail


@pytest.fixture(scope="module")
def petstore(
    stack: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ModuleType]:
    """The `petstore_lite` package, generated now into a temporary folder and imported."""
    product = _portal_product(stack.url, "petstore-lite")
    [api] = product["APIDetails"]
    scopes = [s for s in product["Scopes"].split(",") if s]
    output = tmp_path_factory.mktemp("generated")
    command = [
        *(sys.executable, "-m", "odido_gen", "generate"),
        *("--spec", str(PETSTORE), "--package", "petstore_lite", "--output", str(output)),
        *("--base-path", api["ListenPath"]),
        *(arg for scope in scopes for arg in ("--scope", scope)),
    ]
    env = {**os.environ, "ODIDO_GEN_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(output / "petstore-lite"))
        try:
            yield importlib.import_module("petstore_lite")
        finally:
            for name in [n for n in sys.modules if n.partition(".")[0] == "petstore_lite"]:
                del sys.modules[name]


def test_genesys_client_authenticates_and_calls_the_gateway(stack: SandboxProcess) -> None:
    log = SentLog([])
    with (
        httpx.Client(event_hooks={"request": [log]}) as http_client,
        GenesysClient(
            credentials=_credentials(),
            environment=_environment(stack.url),
            http_client=http_client,
        ) as client,
    ):
        page = client.outbound.get_outbound_contactlists(page_size=2)
        one = client.outbound.get_outbound_contactlists_contactlist_id("list-1")
        created = client.outbound.post_outbound_contactlists(
            body=ContactList(
                name="Odido callers",
                column_names=["phone"],
                phone_columns=[ContactPhoneNumberColumn(column_name="phone", type="cell")],
            )
        )
        every = list(client.outbound.iter_get_outbound_contactlists())
        auth = client.auth

    assert isinstance(page, ContactListEntityListing)
    assert page.entities and isinstance(page.entities[0], ContactList)
    assert isinstance(one, ContactList)
    assert isinstance(created, ContactList)
    assert [type(c) for c in every] == [ContactList]  # the spec's example: one page, one list
    # The token came from the sandbox's token endpoint, with the product's scope ...
    assert isinstance(auth, OdidoAuth)
    assert auth.environment.token_url == stack.url + TOKEN_PATH
    assert GENESYS_SCOPE in auth.get_token().scopes
    # ... and went to the gateway in Genesys's header only.
    calls = log.api_calls()
    assert all(s.path.startswith("/oauth/genesyscloud/api/v2/outbound/") for s in calls)
    assert {(s.headers, s.bearer) for s in calls} == {(("x-auth-token",), True)}


def test_every_genesys_operation_answers_through_the_sandbox(stack: SandboxProcess) -> None:
    # The sandbox's own answers (spec examples, else synthesised instances) for all 89
    # operations, including the one Prism cannot mock, parse into the methods' types.
    product, document = genesys_product()
    with GenesysClient(
        credentials=_credentials(), environment=_environment(stack.url), max_retries=0
    ) as client:
        verdict = judge(operation_calls(client, product, document), Recorder())

    print(verdict.summary("sandbox gateway answers", prism=False))
    assert verdict.called == spec_operation_count(document)
    assert verdict.parse_failures == []
    assert verdict.other_errors == []
    assert verdict.rejected == {}
    assert verdict.unanswered == {}


@pytest.mark.anyio
async def test_async_genesys_client_calls_the_gateway(stack: SandboxProcess) -> None:
    async with AsyncGenesysClient(
        credentials=_credentials(), environment=_environment(stack.url)
    ) as client:
        page = await client.outbound.get_outbound_contactlists(page_size=2)
        names = [c.name async for c in client.outbound.iter_get_outbound_contactlists()]

    assert isinstance(page, ContactListEntityListing)
    assert names == ["string"]  # the sandbox's synthesised example


def test_a_product_with_the_bearer_header(stack: SandboxProcess, petstore: ModuleType) -> None:
    log = SentLog([])
    client_class: type[SyncAPIClient] = petstore.PetstoreLiteClient
    models = importlib.import_module("petstore_lite.models")
    with (
        httpx.Client(event_hooks={"request": [log]}) as http_client,
        client_class(
            credentials=_credentials(),
            environment=_environment(stack.url),
            http_client=http_client,
        ) as client,
    ):
        pets: Any = client.default  # type: ignore[attr-defined]
        listing = pets.list_pets(page_number=1)
        created = pets.create_pet(body=models.NewPet(name="Rex the dog"))
        dog = pets.get_pet(5)
        deleted = pets.delete_pet(5)

    assert client_class.product.base_path == "/petstore-lite"
    assert isinstance(listing, models.PetPage)
    assert [p.name for p in listing.entities] == ["Rex the dog"]
    assert isinstance(created, models.Pet)
    assert isinstance(dog, models.Dog) and dog.barks is True
    assert deleted is None
    calls = log.api_calls()
    assert all(s.path.startswith("/petstore-lite/pets") for s in calls)
    assert {(s.headers, s.bearer) for s in calls} == {(("authorization",), True)}


def test_paging_twin_without_a_start_page(stack: SandboxProcess, petstore: ModuleType) -> None:
    # petstore-lite's `pageNumber` is optional with no default: iteration starts at page 1.
    with petstore.PetstoreLiteClient(
        credentials=_credentials(), environment=_environment(stack.url)
    ) as client:
        names = [p.name for p in client.default.iter_list_pets()]
        pages = list(client.default.iter_list_pets().pages())

    assert names == ["Rex the dog"]
    assert len(pages) == 1


# -- refusals, as Tyk words them --------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A generated client, as the refusal tests use it."""

    name: str
    client: Callable[..., SyncAPIClient]
    call: Callable[[Any], object]
    base_path: str
    header: HeaderStyle
    scope: str
    other_scope: str
    other_header: HeaderStyle


def _genesys() -> Subject:
    return Subject(
        "genesys",
        GenesysClient,
        lambda c: c.outbound.get_outbound_contactlists(),
        "/oauth/genesyscloud",
        GENESYS_HEADER,
        GENESYS_SCOPE,
        PETSTORE_SCOPE,
        BEARER,
    )


def _petstore(module: ModuleType) -> Subject:
    return Subject(
        "petstore",
        module.PetstoreLiteClient,
        lambda c: c.default.list_pets(),
        "/petstore-lite",
        BEARER,
        PETSTORE_SCOPE,
        GENESYS_SCOPE,
        GENESYS_HEADER,
    )


@pytest.fixture(params=["genesys", "petstore"])
def product(request: pytest.FixtureRequest) -> Subject:
    if request.param == "genesys":
        return _genesys()
    return _petstore(request.getfixturevalue("petstore"))


def _fixed(product: Subject, url: str, header: str | None = None) -> SyncAPIClient:
    """A client that sends `header` (or no token at all) as the product's token header."""
    return product.client(
        auth=httpx.Auth(),  # sends the request as it is: no token of its own
        base_url=url + product.base_path,
        default_headers={product.header.name: header} if header is not None else None,
        max_retries=0,
    )


def test_missing_header(stack: SandboxProcess, product: Subject) -> None:
    # A valid token, but in the other product's header: the gateway sees no token at all.
    auth = OdidoAuth(
        _credentials(),
        environment=_environment(stack.url),
        header=product.other_header,
        scopes=[product.scope],
        cache=TokenCache(),
    )
    with (
        product.client(auth=auth, base_url=stack.url + product.base_path) as client,
        pytest.raises(UnauthorizedError) as caught,
    ):
        product.call(client)

    assert caught.value.status_code == 401
    assert error_json(caught.value.body) == {"error": "Authorization field missing"}
    assert "Authorization field missing" in str(caught.value)


def test_wrong_token(stack: SandboxProcess, product: Subject) -> None:
    with (
        _fixed(product, stack.url, "Bearer not-a-token-of-this-gateway") as client,
        pytest.raises(UnauthorizedError) as caught,
    ):
        product.call(client)

    assert caught.value.status_code == 401
    assert error_json(caught.value.body) == {"error": "Key not authorized"}


def test_wrong_scope(stack: SandboxProcess, product: Subject) -> None:
    # The client asks the token endpoint for another product's scope only.
    with (
        product.client(
            credentials=_credentials(),
            environment=_environment(stack.url),
            scopes=[product.other_scope, "demoplan"],
        ) as client,
        pytest.raises(PermissionDeniedError) as caught,
    ):
        product.call(client)

    assert caught.value.status_code == 403
    assert error_json(caught.value.body) == {"error": "Access to this API has been disallowed"}


@dataclass(frozen=True)
class ShortLived:
    url: str
    expired: str  # an access token for both products, past its lifetime


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShortLived]:
    specs = copy_specs(tmp_path_factory.mktemp("specs"), GENESYS, PETSTORE)
    with sandbox_process(specs, "--token-lifetime", str(TOKEN_LIFETIME)) as running:
        expired = token(running.url, f"{GENESYS_SCOPE} {PETSTORE_SCOPE}")
        # Past the token's lifetime at the gateway; what follows asserts answers, not times.
        time.sleep(TOKEN_LIFETIME + 0.5)
        yield ShortLived(running.url, expired)


def test_expired_token(short_lived: ShortLived, product: Subject) -> None:
    with (
        _fixed(product, short_lived.url, product.header.prefix + short_lived.expired) as client,
        pytest.raises(UnauthorizedError) as caught,
    ):
        product.call(client)

    assert caught.value.status_code == 401
    assert error_json(caught.value.body) == {"error": "Key has expired, please renew"}


def test_expired_token_is_replaced_by_a_fresh_one(
    short_lived: ShortLived, product: Subject
) -> None:
    # The runtime still believes in its cached token; the gateway does not. On the 401 the
    # runtime drops it, fetches a new one and repeats the call once.
    cache = TokenCache()
    auth = OdidoAuth(
        _credentials(),
        environment=_environment(short_lived.url),
        header=product.header,
        scopes=[product.scope],
        cache=cache,
    )
    cache.put(auth.cache_key, Token(short_lived.expired, expires_in=300, scopes=(product.scope,)))

    statuses: list[int] = []
    with (
        httpx.Client(event_hooks={"response": [lambda r: statuses.append(r.status_code)]}) as http,
        product.client(
            auth=auth, base_url=short_lived.url + product.base_path, http_client=http
        ) as client,
    ):
        product.call(client)

    assert statuses == [401, 200]
