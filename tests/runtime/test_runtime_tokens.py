"""Token caching: single flight under threads and tasks, expiry, 401 refresh."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from _runtime_support import (
    GENESYS_SCOPE,
    AsyncGenesysClient,
    GenesysClient,
    Stack,
)
from odido_runtime import (
    ClientCredentials,
    OdidoAuth,
    Token,
    TokenCache,
    TokenKey,
    UnauthorizedError,
)
from odido_runtime._tokens import refresh_margin

N = 50


@pytest.fixture
def slow_tokens(stack: Stack) -> Iterator[None]:
    """Token requests take 0.2 s, so that every concurrent caller arrives while one is running."""
    stack.keycloak.delay = 0.2
    yield None
    stack.keycloak.delay = 0.0


def test_refresh_margin() -> None:
    assert refresh_margin(300) == 30
    assert refresh_margin(3600) == 360
    assert refresh_margin(2) == 1  # short lifetimes: still used for half of it
    token = Token("t", expires_in=300, obtained_at=1000.0)
    assert (token.expires_at, token.refresh_at) == (1300.0, 1270.0)
    assert Token("t", obtained_at=0.0).expires_at == 300.0  # no expires_in: Keycloak's default


@pytest.mark.usefixtures("slow_tokens")
def test_50_threads_make_one_token_request(stack: Stack) -> None:
    creds = stack.new_client()
    barrier = threading.Barrier(N)
    with GenesysClient(credentials=creds, environment=stack.environment) as client:

        def call(_: int) -> int:
            barrier.wait()
            return client.request("GET", "/api/v2/echo").status_code

        with ThreadPoolExecutor(N) as pool:
            statuses = list(pool.map(call, range(N)))
    assert statuses == [200] * N
    assert stack.keycloak.token_requests(creds.client_id) == 1


@pytest.mark.usefixtures("slow_tokens")
def test_50_threads_with_separate_clients_share_one_token(stack: Stack) -> None:
    creds = stack.new_client()
    barrier = threading.Barrier(N)

    def call(_: int) -> int:
        with GenesysClient(credentials=creds, environment=stack.environment) as client:
            barrier.wait()
            return client.request("GET", "/api/v2/echo").status_code

    with ThreadPoolExecutor(N) as pool:
        assert list(pool.map(call, range(N))) == [200] * N
    assert stack.keycloak.token_requests(creds.client_id) == 1


@pytest.mark.usefixtures("slow_tokens")
def test_50_tasks_make_one_token_request(stack: Stack) -> None:
    creds = stack.new_client()

    async def main() -> list[int]:
        async with AsyncGenesysClient(credentials=creds, environment=stack.environment) as client:
            responses = await asyncio.gather(
                *(client.request("GET", "/api/v2/echo") for _ in range(N))
            )
        return [r.status_code for r in responses]

    assert asyncio.run(main()) == [200] * N
    assert stack.keycloak.token_requests(creds.client_id) == 1


@pytest.mark.usefixtures("slow_tokens")
def test_threads_and_event_loops_together_make_one_token_request(stack: Stack) -> None:
    """Waiters on other threads' event loops are woken too, and no loop is blocked meanwhile."""
    creds = stack.new_client()
    barrier = threading.Barrier(8)

    async def tasks() -> list[int]:
        async with AsyncGenesysClient(credentials=creds, environment=stack.environment) as client:
            barrier.wait()
            ticks = 0

            async def ticker() -> None:
                nonlocal ticks
                while True:
                    ticks += 1
                    await asyncio.sleep(0.01)

            ticking = asyncio.create_task(ticker())
            responses = await asyncio.gather(
                *(client.request("GET", "/api/v2/echo") for _ in range(10))
            )
            ticking.cancel()
            assert ticks > 1  # the loop kept running while the token was being fetched
            return [r.status_code for r in responses]

    def sync_calls() -> list[int]:
        with GenesysClient(credentials=creds, environment=stack.environment) as client:
            barrier.wait()
            return [client.request("GET", "/api/v2/echo").status_code for _ in range(3)]

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(asyncio.run, tasks()) for _ in range(4)]
        futures += [pool.submit(sync_calls) for _ in range(4)]
        results = [f.result() for f in futures]
    assert all(status == 200 for statuses in results for status in statuses)
    assert stack.keycloak.token_requests(creds.client_id) == 1


def test_short_lifetime_is_used_then_renewed(stack: Stack) -> None:
    creds = stack.new_client(expires_in=2)
    with GenesysClient(credentials=creds, environment=stack.environment) as client:
        for _ in range(5):
            client.request("GET", "/api/v2/echo")
        assert stack.keycloak.token_requests(creds.client_id) == 1
        time.sleep(1.2)  # past the refresh point (half of a 2 s lifetime)
        for _ in range(3):
            client.request("GET", "/api/v2/echo")
    assert stack.keycloak.token_requests(creds.client_id) == 2


def test_async_short_lifetime_is_renewed(stack: Stack) -> None:
    creds = stack.new_client(expires_in=2)

    async def main() -> None:
        async with AsyncGenesysClient(credentials=creds, environment=stack.environment) as client:
            await client.request("GET", "/api/v2/echo")
            await client.request("GET", "/api/v2/echo")
            await asyncio.sleep(1.2)
            await client.request("GET", "/api/v2/echo")

    asyncio.run(main())
    assert stack.keycloak.token_requests(creds.client_id) == 2


def test_401_refreshes_once_and_retries(stack: Stack) -> None:
    creds = stack.new_client()
    stack.gateway.script("once401", (401, {}))
    with GenesysClient(credentials=creds, environment=stack.environment) as client:
        response = client.request("POST", "/api/v2/script/once401", json={"a": 1})
    assert response.json()["calls"] == 2
    assert stack.keycloak.token_requests(creds.client_id) == 2


def test_revoked_token_is_replaced(stack: Stack) -> None:
    creds = stack.new_client()
    with GenesysClient(credentials=creds, environment=stack.environment) as client:
        client.request("GET", "/api/v2/echo")
        stack.keycloak.revoke()
        assert client.request("GET", "/api/v2/echo").status_code == 200
    assert stack.keycloak.token_requests(creds.client_id) == 2


def test_second_401_raises(stack: Stack) -> None:
    creds = stack.new_client()
    before = stack.gateway.calls["unauthorized"]
    with (
        GenesysClient(credentials=creds, environment=stack.environment) as client,
        pytest.raises(UnauthorizedError) as info,
    ):
        client.request("GET", "/api/v2/unauthorized")
    assert info.value.status_code == 401
    assert info.value.body == {"error": "Key not authorized"}
    assert stack.gateway.calls["unauthorized"] - before == 2
    assert stack.keycloak.token_requests(creds.client_id) == 2


def test_async_second_401_raises(stack: Stack) -> None:
    creds = stack.new_client()

    async def main() -> None:
        async with AsyncGenesysClient(credentials=creds, environment=stack.environment) as client:
            await client.request("GET", "/api/v2/unauthorized")

    with pytest.raises(UnauthorizedError):
        asyncio.run(main())
    assert stack.keycloak.token_requests(creds.client_id) == 2


def test_invalidate_only_drops_the_token_it_names() -> None:
    cache = TokenCache()
    key = TokenKey("https://kc/token", "app", (), "d")
    old, new = Token("old"), Token("new")
    cache.put(key, new)
    assert not cache.invalidate(key, old)  # someone already replaced it: keep the new one
    assert cache.peek(key) is new
    assert cache.invalidate(key, new)
    assert cache.peek(key) is None
    assert not cache.invalidate(key)


def test_cancelled_fetch_lets_a_waiter_take_over() -> None:
    cache = TokenCache()
    key = TokenKey("https://kc/token", "app", (), "d")
    fetches: list[str] = []

    async def main() -> Token:
        started = asyncio.Event()

        async def stuck() -> Token:
            fetches.append("stuck")
            started.set()
            await asyncio.sleep(3600)
            raise AssertionError("unreachable")

        async def quick() -> Token:
            fetches.append("quick")
            return Token("t2")

        owner = asyncio.create_task(cache.aget(key, stuck))
        await started.wait()
        waiter = asyncio.create_task(cache.aget(key, quick))
        await asyncio.sleep(0)
        owner.cancel()
        return await waiter

    assert asyncio.run(main()).access_token == "t2"
    assert fetches == ["stuck", "quick"]


def test_a_failed_fetch_fails_every_waiter_once(stack: Stack) -> None:
    cache = TokenCache()
    auth = OdidoAuth(ClientCredentials("nobody", "x"), environment=stack.environment, cache=cache)
    stack.keycloak.delay = 0.2
    barrier = threading.Barrier(10)
    try:

        def call(_: int) -> str:
            barrier.wait()
            try:
                auth.get_token()
            except Exception as exc:
                return type(exc).__name__
            return "ok"

        before = stack.keycloak.token_requests("nobody")
        with ThreadPoolExecutor(10) as pool:
            assert set(pool.map(call, range(10))) == {"AuthenticationError"}
        assert stack.keycloak.token_requests("nobody") - before == 1
    finally:
        stack.keycloak.delay = 0.0


def test_token_scopes_come_from_the_response(stack: Stack) -> None:
    creds = stack.new_client(scopes=(GENESYS_SCOPE,))
    token = OdidoAuth(creds, environment=stack.environment).get_token()
    assert token.scopes == (GENESYS_SCOPE,)
    assert token.token_type == "Bearer"
    assert token.fresh
    assert not token.expired
