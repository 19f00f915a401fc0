"""SyncAPIClient and AsyncAPIClient over loopback: URLs, headers, retries, timeouts, errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging

import httpx
import pydantic
import pytest
from _runtime_support import (
    BEARER_SCOPE,
    AsyncBearerClient,
    AsyncGenesysClient,
    BearerClient,
    GenesysClient,
    Stack,
)
from odido_runtime import (
    NOT_GIVEN,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    ClientCredentials,
    ConfigurationError,
    ConflictError,
    Environment,
    InternalServerError,
    NotFoundError,
    OdidoAuth,
    PermissionDeniedError,
    RateLimitError,
    SyncAPIClient,
    UnprocessableEntityError,
    __version__,
)


class ErrorBody(pydantic.BaseModel):
    message: str
    code: str
    status: int
    context_id: str = pydantic.Field(alias="contextId")


class Color(enum.Enum):
    RED = "red"


def genesys(stack: Stack, creds: ClientCredentials, **kwargs: object) -> GenesysClient:
    return GenesysClient(credentials=creds, environment=stack.environment, **kwargs)  # type: ignore[arg-type]


def test_base_url_user_agent_and_default_headers(stack: Stack, creds: ClientCredentials) -> None:
    with genesys(stack, creds, default_headers={"X-Team": "crm"}) as client:
        assert client.base_url == f"{stack.base_url}/oauth/genesyscloud"
        echo = client.request("GET", "api/v2/echo").json()
    assert echo["path"] == "/oauth/genesyscloud/api/v2/echo"
    assert echo["headers"]["user-agent"] == f"odido-runtime/{__version__} odido-genesys/0.1.0"
    assert echo["headers"]["accept"] == "application/json"
    assert echo["headers"]["x-team"] == "crm"


def test_product_scopes_are_the_default(stack: Stack) -> None:
    creds = stack.new_client()  # no scopes of its own
    with BearerClient(credentials=creds, environment=stack.environment, scopes=BEARER_SCOPE) as c:
        assert c.request("GET", "/api/v2/echo").json()["scopes"] == [BEARER_SCOPE]
    with genesys(stack, creds) as client:
        assert client.request("GET", "/api/v2/echo").json()["scopes"] == [
            "Genesys_Services_Oauth_External"
        ]


def test_params_headers_and_json(stack: Stack, creds: ClientCredentials) -> None:
    with genesys(stack, creds) as client:
        echo = client.request(
            "POST",
            "/api/v2/echo",
            params={
                "a": None,
                "ids": ["x", "y"],
                "flag": True,
                "n": 3,
                "color": Color.RED,
                "day": dt.date(2024, 1, 2),
            },
            headers={"X-Keep": "1", "X-Drop": None},
            json={"name": "ü", "when": dt.datetime(2024, 1, 2, 3, 4, 5)},
        ).json()
    assert echo["query"] == [
        ["ids", "x"],
        ["ids", "y"],
        ["flag", "true"],
        ["n", "3"],
        ["color", "red"],
        ["day", "2024-01-02"],
    ]
    assert echo["headers"]["x-keep"] == "1"
    assert "x-drop" not in echo["headers"]
    assert echo["headers"]["content-type"] == "application/json"
    assert echo["body"] == '{"name":"ü","when":"2024-01-02T03:04:05"}'


def test_pydantic_model_body_uses_aliases_and_skips_unset(
    stack: Stack, creds: ClientCredentials
) -> None:
    class Body(pydantic.BaseModel):
        context_id: str = pydantic.Field(alias="contextId")
        note: str | None = None

    with genesys(stack, creds) as client:
        echo = client.request("PUT", "/api/v2/echo", json=Body(contextId="c")).json()
        raw = client.request("PUT", "/api/v2/echo", content=b"raw", headers={"X": "1"}).json()
        form = client.request("POST", "/api/v2/echo", data={"a": "1", "b": None}).json()
    assert echo["body"] == '{"contextId":"c"}'
    assert raw["body"] == "raw"
    assert form["body"] == "a=1"


def test_custom_base_url_and_auth(stack: Stack, creds: ClientCredentials) -> None:
    auth = OdidoAuth(creds, environment=stack.environment, scopes=BEARER_SCOPE)
    with SyncAPIClient(auth=auth, base_url=f"{stack.base_url}/bearer/") as client:
        assert client.environment is None
        echo = client.request("GET", "/api/v2/echo").json()
    assert echo["headers"]["user-agent"] == f"odido-runtime/{__version__}"
    assert echo["client_id"] == creds.client_id


def test_http_client_passed_in_gets_our_headers_and_stays_open(
    stack: Stack, creds: ClientCredentials
) -> None:
    with httpx.Client() as http:
        with genesys(stack, creds, http_client=http) as client:
            echo = client.request("GET", "/api/v2/echo").json()
        assert echo["headers"]["user-agent"].startswith("odido-runtime/")
        assert not http.is_closed


def _offline(name: str) -> tuple[Environment, list[httpx.Request], httpx.MockTransport]:
    """An environment on hosts that do not resolve, and a transport answering for both."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        # A copy: OdidoAuth strips its header from the request once the answer is in.
        copy = httpx.Request(
            request.method, request.url, headers=request.headers.copy(), content=request.content
        )
        seen.append(copy)
        if request.url.path == "/token":
            token = {"access_token": f"{name}-token", "token_type": "bearer", "expires_in": 300}
            return httpx.Response(200, json=token)
        return httpx.Response(200, json={"path": request.url.path})

    env = Environment(
        name=name,
        token_url=f"https://{name}.keycloak.invalid/token",
        api_base="https://api.invalid",
    )
    return env, seen, httpx.MockTransport(handler)


def test_http_client_passed_in_also_sends_the_token_request() -> None:
    # What a unit test of code using a generated client does: one MockTransport, no network.
    env, seen, transport = _offline("sync-mock")
    creds = ClientCredentials("mock-client", "mock-secret")
    http = httpx.Client(transport=transport)
    with http, GenesysClient(credentials=creds, environment=env, http_client=http) as client:
        answer = client.request("GET", "/api/v2/echo").json()
    assert answer == {"path": "/oauth/genesyscloud/api/v2/echo"}
    token_request, api_request = seen
    assert (token_request.method, str(token_request.url)) == ("POST", env.token_url)
    assert token_request.headers["authorization"].startswith("Basic ")
    assert token_request.content.startswith(b"grant_type=client_credentials&scope=")
    # Neither the product's headers nor its token style leak into the token request.
    assert "x-auth-token" not in token_request.headers
    assert not token_request.headers.get("user-agent", "").startswith("odido-runtime")
    assert api_request.headers["x-auth-token"] == "Bearer sync-mock-token"
    assert "authorization" not in api_request.headers


def test_async_http_client_passed_in_also_sends_the_token_request() -> None:
    env, seen, transport = _offline("async-mock")
    creds = ClientCredentials("mock-client", "mock-secret")

    async def main() -> None:
        async with (
            httpx.AsyncClient(transport=transport) as http,
            AsyncGenesysClient(credentials=creds, environment=env, http_client=http) as client,
        ):
            await client.request("GET", "/api/v2/echo")

    asyncio.run(main())
    assert [(r.method, r.url.host) for r in seen] == [
        ("POST", "async-mock.keycloak.invalid"),
        ("GET", "api.invalid"),
    ]
    assert seen[1].headers["x-auth-token"] == "Bearer async-mock-token"


def test_a_refused_token_is_renewed_through_a_pool_of_one_connection(
    stack: Stack, creds: ClientCredentials
) -> None:
    # The 401 must give its connection back before the token request needs one.
    stack.gateway.script("pool401", (401, {}))
    pool_of_one = httpx.Client(
        limits=httpx.Limits(max_connections=1), timeout=httpx.Timeout(5.0, pool=1.0)
    )
    with pool_of_one, genesys(stack, creds, http_client=pool_of_one, max_retries=0) as client:
        assert client.request("GET", "/api/v2/script/pool401").json()["calls"] == 2

    async def main() -> int:
        stack.gateway.script("apool401", (401, {}))
        limits = httpx.Limits(max_connections=1)
        async with (
            httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(5.0, pool=1.0)) as http,
            AsyncGenesysClient(
                credentials=creds, environment=stack.environment, http_client=http, max_retries=0
            ) as client,
        ):
            return int((await client.request("GET", "/api/v2/script/apool401")).json()["calls"])

    assert asyncio.run(main()) == 2


def test_token_client_of_the_other_kind_is_not_used(stack: Stack, creds: ClientCredentials) -> None:
    # A sync flow cannot send with an AsyncClient: it falls back to a client of its own.
    async_only = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    auth = OdidoAuth(
        creds, environment=stack.environment, scopes=BEARER_SCOPE, token_client=async_only
    )
    with SyncAPIClient(auth=auth, base_url=f"{stack.base_url}/bearer/") as client:
        assert client.request("GET", "/api/v2/echo").json()["client_id"] == creds.client_id


def test_missing_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ODIDO_CLIENT_ID", "ODIDO_CLIENT_SECRET", "ODIDO_ENVIRONMENT", "ODIDO_TOKEN_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="ODIDO_CLIENT_ID"):
        GenesysClient()
    with pytest.raises(ConfigurationError, match="ODIDO_ENVIRONMENT"):
        GenesysClient(credentials=ClientCredentials("a", "b"))
    with pytest.raises(ValueError, match="max_retries"):
        GenesysClient(credentials=ClientCredentials("a", "b"), environment="dev", max_retries=-1)


STATUS_CLASSES = [
    (400, BadRequestError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (501, InternalServerError),
    (418, APIStatusError),
]


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
def test_status_errors(
    stack: Stack, creds: ClientCredentials, status: int, cls: type[APIStatusError]
) -> None:
    with genesys(stack, creds, max_retries=0) as client, pytest.raises(cls) as info:
        client.request("GET", f"/api/v2/status/{status}")
    error = info.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.method == "GET"
    assert error.url == f"{stack.base_url}/oauth/genesyscloud/api/v2/status/{status}"
    assert error.request_id == f"corr-{status}"
    assert error.body == {
        "message": f"failure {status}",
        "code": "bad.things",
        "status": status,
        "contextId": "ctx-1",
    }
    assert error.response.status_code == status
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{status} ")
    assert f"GET {error.url} (request id corr-{status}): failure {status}" in message


def test_error_body_parsing(stack: Stack, creds: ClientCredentials) -> None:
    types = {"404": ErrorBody, "4XX": ErrorBody, "default": ErrorBody}
    with genesys(stack, creds) as client:
        with pytest.raises(NotFoundError) as typed:
            client.request("GET", "/api/v2/status/404", error_types=types)
        with pytest.raises(BadRequestError) as other_shape:
            client.request("GET", "/api/v2/status/400?format=other", error_types=types)
        with pytest.raises(ConflictError) as text:
            client.request("GET", "/api/v2/status/409?format=text", error_types=types)
        with pytest.raises(UnprocessableEntityError) as empty:
            client.request("GET", "/api/v2/status/422?format=empty")
    assert isinstance(typed.value.body, ErrorBody)
    assert typed.value.body.context_id == "ctx-1"
    assert other_shape.value.body == {"unexpected": True}
    assert text.value.body == "plain\nfailure"
    assert "plain failure" in str(text.value)
    assert empty.value.body is None
    assert empty.value.request_id == "req-422"


def test_error_types_as_a_function_are_resolved_only_on_errors(
    stack: Stack, creds: ClientCredentials
) -> None:
    calls: list[int] = []

    def types() -> dict[str, object]:
        calls.append(1)  # generated code imports its error models here
        return {"4XX": ErrorBody}

    with genesys(stack, creds) as client:
        client.request("GET", "/api/v2/echo", error_types=types)
        assert calls == []
        with pytest.raises(NotFoundError) as typed:
            client.request("GET", "/api/v2/status/404", error_types=types)
    assert calls == [1]
    assert isinstance(typed.value.body, ErrorBody)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_for_idempotent_methods(
    stack: Stack, creds: ClientCredentials, status: int
) -> None:
    key = f"retry{status}"
    stack.gateway.script(key, (status, {}), (status, {}))
    with genesys(stack, creds) as client:
        assert client.request("GET", f"/api/v2/script/{key}").json()["calls"] == 3


def test_post_is_not_retried_unless_asked(stack: Stack, creds: ClientCredentials) -> None:
    stack.gateway.script("post", (503, {}))
    with genesys(stack, creds) as client:
        with pytest.raises(InternalServerError):
            client.request("POST", "/api/v2/script/post")
        stack.gateway.script("post", (503, {}))
        assert client.request("POST", "/api/v2/script/post", max_retries=1).json()["calls"] == 3


def test_retries_run_out(stack: Stack, creds: ClientCredentials) -> None:
    stack.gateway.script("out", *[(502, {})] * 5)
    with genesys(stack, creds, max_retries=1) as client:
        with pytest.raises(InternalServerError) as info:
            client.request("GET", "/api/v2/script/out")
        assert info.value.status_code == 502
        assert stack.gateway.calls["script/out"] == 2
        # Per call, more retries than the client's default.
        assert client.request("GET", "/api/v2/script/out", max_retries=3).json()["calls"] == 6


def test_429_honours_retry_after(
    stack: Stack, creds: ClientCredentials, debug_logs: pytest.LogCaptureFixture
) -> None:
    stack.gateway.script("limited", (429, {"Retry-After": "1"}))
    with genesys(stack, creds) as client:
        assert client.request("GET", "/api/v2/script/limited").json()["calls"] == 2
    retries = [r.getMessage() for r in debug_logs.records if r.name == "odido_runtime"]
    assert any("in 1.00 s after 429" in message for message in retries), retries


def test_429_gives_up_as_rate_limit_error(stack: Stack, creds: ClientCredentials) -> None:
    stack.gateway.script("limited2", (429, {"Retry-After": "0"}), (429, {"Retry-After": "0"}))
    with genesys(stack, creds, max_retries=1) as client, pytest.raises(RateLimitError):
        client.request("GET", "/api/v2/script/limited2")


def test_refused_connection(
    stack: Stack, creds: ClientCredentials, closed_port: int, debug_logs: pytest.LogCaptureFixture
) -> None:
    env = Environment(
        name="down", token_url=stack.token_url, api_base=f"http://127.0.0.1:{closed_port}"
    )
    with GenesysClient(credentials=creds, environment=env) as client:
        with pytest.raises(APIConnectionError) as info:
            client.request("GET", "/api/v2/echo")
        assert not isinstance(info.value, APITimeoutError)
        assert not info.value.token_endpoint
        assert info.value.method == "GET"
        assert str(closed_port) in str(info.value)
        retries = [r for r in debug_logs.records if "retrying" in r.getMessage()]
        assert len(retries) == 2
        with pytest.raises(APIConnectionError):
            client.request("POST", "/api/v2/echo")
        assert len([r for r in debug_logs.records if "retrying" in r.getMessage()]) == 2


def test_timeouts(stack: Stack, creds: ClientCredentials) -> None:
    with genesys(stack, creds, timeout=0.2, max_retries=0) as client:
        with pytest.raises(APITimeoutError) as info:
            client.request("GET", "/api/v2/slow", params={"delay": 1})
        assert isinstance(info.value, APIConnectionError)
        assert "timed out" in str(info.value)
        # Per call: a longer timeout wins over the client's.
        assert client.request("GET", "/api/v2/slow", params={"delay": 0.4}, timeout=5).json() == {
            "ok": True
        }
    with genesys(stack, creds, max_retries=0) as client, pytest.raises(APITimeoutError):
        client.request("GET", "/api/v2/slow", params={"delay": 1}, timeout=0.2)


def test_not_given_means_the_client_default(stack: Stack, creds: ClientCredentials) -> None:
    assert not NOT_GIVEN
    with genesys(stack, creds, timeout=5) as client:
        response = client.request("GET", "/api/v2/echo", timeout=NOT_GIVEN)
    assert response.request.extensions["timeout"]["read"] == 5


def test_token_endpoint_failure_is_retried_even_for_post(
    stack: Stack, closed_port: int, debug_logs: pytest.LogCaptureFixture
) -> None:
    env = Environment(
        name="down", token_url=f"http://127.0.0.1:{closed_port}/t", api_base=stack.base_url
    )
    client = GenesysClient(credentials=stack.new_client(), environment=env)
    with client, pytest.raises(APIConnectionError) as info:
        client.request("POST", "/api/v2/echo")
    assert info.value.token_endpoint
    assert len([r for r in debug_logs.records if "retrying" in r.getMessage()]) == 2


def test_async_client(stack: Stack, creds: ClientCredentials) -> None:
    stack.gateway.script("async503", (503, {}))

    async def main() -> None:
        async with AsyncGenesysClient(credentials=creds, environment=stack.environment) as client:
            echo = (await client.request("GET", "/api/v2/echo", params={"q": [1, 2]})).json()
            assert echo["query"] == [["q", "1"], ["q", "2"]]
            assert (
                echo["headers"]["user-agent"] == f"odido-runtime/{__version__} odido-genesys/0.1.0"
            )
            retried = await client.request("GET", "/api/v2/script/async503")
            assert retried.json()["calls"] == 2
            with pytest.raises(NotFoundError) as info:
                await client.request("GET", "/api/v2/status/404", error_types={"4XX": ErrorBody})
            assert isinstance(info.value.body, ErrorBody)
            with pytest.raises(APITimeoutError):
                await client.request("GET", "/api/v2/slow", timeout=0.2, max_retries=0)

    asyncio.run(main())


def test_async_refused_connection(stack: Stack, creds: ClientCredentials, closed_port: int) -> None:
    env = Environment(
        name="down", token_url=stack.token_url, api_base=f"http://127.0.0.1:{closed_port}"
    )

    async def main() -> None:
        async with AsyncBearerClient(credentials=creds, environment=env) as client:
            await client.request("GET", "/api/v2/echo")

    with pytest.raises(APIConnectionError):
        asyncio.run(main())


def test_retry_logs_are_info(
    stack: Stack, creds: ClientCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="odido_runtime")
    stack.gateway.script("logged", (503, {}))
    with genesys(stack, creds) as client:
        client.request("GET", "/api/v2/script/logged")
    (record,) = [r for r in caplog.records if r.name == "odido_runtime"]
    assert record.levelno == logging.INFO
    assert "retrying GET" in record.getMessage()
    assert "after 503 (retry 1 of 2)" in record.getMessage()
