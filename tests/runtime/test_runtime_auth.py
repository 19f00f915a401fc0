"""OdidoAuth against the sandbox Keycloak: auth methods, header styles, every error code."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from _runtime_support import (
    BEARER_SCOPE,
    CANARY,
    CUSTOM_HEADER,
    GENESYS_SCOPE,
    PLAN_SCOPE,
    Stack,
)
from odido_runtime import (
    APIConnectionError,
    AuthenticationError,
    AuthMethod,
    ClientCredentials,
    ConfigurationError,
    Environment,
    HeaderStyle,
    OdidoAuth,
    TokenCache,
)

METHODS: list[AuthMethod] = ["client_secret_basic", "client_secret_post"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("secret", [CANARY, "plain", "a:b:c", "100%+sure", "ünïcødé ✓ 秘密"])
def test_both_auth_methods_with_awkward_secrets(
    stack: Stack, method: AuthMethod, secret: str
) -> None:
    creds = stack.new_client(secret=secret, scopes=(GENESYS_SCOPE, PLAN_SCOPE))
    auth = OdidoAuth(
        creds, environment=stack.environment, header=HeaderStyle.GENESYS, auth_method=method
    )
    with httpx.Client(auth=auth, base_url=stack.base_url) as client:
        response = client.get("/oauth/genesyscloud/api/v2/echo")
    assert response.status_code == 200, response.text
    assert response.json()["client_id"] == creds.client_id
    assert response.json()["scopes"] == [GENESYS_SCOPE, PLAN_SCOPE]


def test_basic_header_form_urlencodes_id_and_secret() -> None:
    """RFC 6749 §2.3.1, checked on the request itself (MockTransport: request building only)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "t", "expires_in": 300})

    auth = OdidoAuth(
        ClientCredentials("my app", "p:w%+é", "s1 s2"),
        environment=Environment(name="x", token_url="https://kc/token", api_base="https://gw"),
        cache=TokenCache(),
    )
    transport = httpx.MockTransport(handler)
    original = httpx.Client.__init__

    def with_transport(self: httpx.Client, **kwargs: object) -> None:
        original(self, transport=transport, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(httpx.Client, "__init__", with_transport)
        token = auth.get_token()
    assert token.expires_in == 300
    (request,) = seen
    kind, _, value = request.headers["authorization"].partition(" ")
    assert kind == "Basic"
    assert base64.b64decode(value).decode() == "my+app:p%3Aw%25%2B%C3%A9"
    assert request.content == b"grant_type=client_credentials&scope=s1+s2"


def test_header_styles_reach_the_gateway(stack: Stack, creds: ClientCredentials) -> None:
    env = stack.environment
    cases = [
        (HeaderStyle.GENESYS, "/oauth/genesyscloud", (GENESYS_SCOPE,)),
        (HeaderStyle.BEARER, "/bearer", (BEARER_SCOPE,)),
        (CUSTOM_HEADER, "/custom", ()),
    ]
    for header, path, scopes in cases:
        auth = OdidoAuth(creds, environment=env, header=header, scopes=scopes)
        with httpx.Client(auth=auth) as client:
            ok = client.get(f"{stack.base_url}{path}/api/v2/echo")
            assert ok.status_code == 200, (header, ok.text)
    # Wrong style for the product: the gateway sees no credentials at all.
    auth = OdidoAuth(creds, environment=env, header=HeaderStyle.BEARER, scopes=[GENESYS_SCOPE])
    with httpx.Client(auth=auth) as client:
        refused = client.get(f"{stack.base_url}/oauth/genesyscloud/api/v2/echo")
    assert refused.status_code == 401
    assert refused.json() == {"error": "Authorization field missing"}


def test_token_is_reused_across_requests_and_clients(stack: Stack) -> None:
    creds = stack.new_client(scopes=(BEARER_SCOPE,))
    for _ in range(3):
        auth = OdidoAuth(creds, environment=stack.environment)
        with httpx.Client(auth=auth) as client:
            for _ in range(3):
                assert client.get(f"{stack.base_url}/bearer/api/v2/echo").status_code == 200
    assert stack.keycloak.token_requests(creds.client_id) == 1


def test_scopes_are_part_of_the_cache_key(stack: Stack) -> None:
    creds = stack.new_client()
    cache = TokenCache()
    a = OdidoAuth(creds, environment=stack.environment, scopes="a b", cache=cache)
    b = OdidoAuth(creds, environment=stack.environment, scopes="b a", cache=cache)
    c = OdidoAuth(creds, environment=stack.environment, scopes=[BEARER_SCOPE], cache=cache)
    assert a.cache_key == b.cache_key != c.cache_key
    other_secret = OdidoAuth(ClientCredentials(creds.client_id, "x"), environment=stack.environment)
    assert other_secret.cache_key != OdidoAuth(creds, environment=stack.environment).cache_key


def test_async_flow(stack: Stack) -> None:
    creds = stack.new_client(scopes=(GENESYS_SCOPE,))
    auth = OdidoAuth(creds, environment=stack.environment, header=HeaderStyle.GENESYS)

    async def main() -> list[int]:
        async with httpx.AsyncClient(auth=auth) as client:
            url = f"{stack.base_url}/oauth/genesyscloud/api/v2/echo"
            return [(await client.get(url)).status_code for _ in range(3)]

    assert asyncio.run(main()) == [200, 200, 200]
    assert stack.keycloak.token_requests(creds.client_id) == 1


def _refusal(auth: OdidoAuth) -> AuthenticationError:
    with pytest.raises(AuthenticationError) as info:
        auth.get_token()
    return info.value


@pytest.mark.parametrize("method", METHODS)
def test_unknown_client_is_invalid_client(stack: Stack, method: AuthMethod) -> None:
    auth = OdidoAuth(
        ClientCredentials("nobody", CANARY), environment=stack.environment, auth_method=method
    )
    error = _refusal(auth)
    assert (error.error, error.status_code) == ("invalid_client", 401)
    assert error.description == "Invalid client or Invalid client credentials"
    assert error.client_id == "nobody"


def test_disabled_client_is_invalid_client(stack: Stack) -> None:
    creds = stack.new_client(enabled=False)
    assert _refusal(OdidoAuth(creds, environment=stack.environment)).error == "invalid_client"


@pytest.mark.parametrize("method", METHODS)
def test_wrong_secret_is_unauthorized_client(stack: Stack, method: AuthMethod) -> None:
    creds = stack.new_client()
    wrong = ClientCredentials(creds.client_id, CANARY + "x")
    error = _refusal(OdidoAuth(wrong, environment=stack.environment, auth_method=method))
    assert (error.error, error.status_code) == ("unauthorized_client", 401)


@pytest.mark.parametrize(
    ("allowed", "used"),
    [("client_secret_basic", "client_secret_post"), ("client_secret_post", "client_secret_basic")],
)
def test_client_locked_to_one_method(stack: Stack, allowed: AuthMethod, used: AuthMethod) -> None:
    creds = stack.new_client(auth_methods=(allowed,))
    env = stack.environment
    ok = OdidoAuth(creds, environment=env, auth_method=allowed, cache=TokenCache())
    assert ok.get_token().access_token
    # A cache of its own: the shared one would hand out the token just fetched.
    error = _refusal(OdidoAuth(creds, environment=env, auth_method=used, cache=TokenCache()))
    assert (error.error, error.status_code) == ("unauthorized_client", 401)


def test_invalid_scope(stack: Stack) -> None:
    creds = stack.new_client(scopes=("not_a_scope", GENESYS_SCOPE))
    error = _refusal(OdidoAuth(creds, environment=stack.environment))
    assert (error.error, error.status_code) == ("invalid_scope", 400)
    assert error.description == f"Invalid scopes: not_a_scope {GENESYS_SCOPE}"


def test_client_without_service_account(stack: Stack) -> None:
    creds = stack.new_client(service_accounts=False)
    error = _refusal(OdidoAuth(creds, environment=stack.environment))
    assert (error.error, error.status_code) == ("unauthorized_client", 401)


@pytest.mark.parametrize(
    ("error_code", "status"),
    [
        ("invalid_client", 400),  # older Keycloak: the code, not the status, is the meaning
        ("unauthorized_client", 400),
        ("invalid_request", 400),
        ("unsupported_grant_type", 400),
        ("invalid_scope", 400),
        ("invalid_grant", 400),
        ("access_denied", 403),
    ],
)
def test_every_error_code_is_reported_as_sent(stack: Stack, error_code: str, status: int) -> None:
    env = stack.legacy_environment(f"error={error_code}&status={status}&description=why+not")
    error = _refusal(OdidoAuth(stack.new_client(), environment=env))
    assert (error.error, error.description, error.status_code) == (error_code, "why not", status)
    assert str(error).startswith(f"token request refused: {error_code} (why not) [HTTP {status}]")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("format=html&status=502", "server_error"),
        ("format=html&status=429", "temporarily_unavailable"),
        ("format=no-token&status=200", "invalid_response"),
        ("format=html&status=404", "invalid_response"),
    ],
)
def test_token_endpoint_without_oauth_error_body(stack: Stack, query: str, expected: str) -> None:
    error = _refusal(OdidoAuth(stack.new_client(), environment=stack.legacy_environment(query)))
    assert error.error == expected
    assert "Bad Gateway" not in str(error)  # unknown bodies are not quoted


def test_refused_token_connection(stack: Stack, closed_port: int) -> None:
    env = Environment(
        name="down", token_url=f"http://127.0.0.1:{closed_port}/token", api_base=stack.base_url
    )
    auth = OdidoAuth(stack.new_client(), environment=env)
    with pytest.raises(APIConnectionError) as info:
        auth.get_token()
    assert info.value.token_endpoint
    assert info.value.url == f"http://127.0.0.1:{closed_port}/token"
    assert not info.value.request.headers.get("authorization")
    with pytest.raises(APIConnectionError):
        asyncio.run(auth.aget_token())


def test_bad_auth_method(stack: Stack, creds: ClientCredentials) -> None:
    with pytest.raises(ConfigurationError, match="client_secret_basic"):
        OdidoAuth(creds, environment=stack.environment, auth_method="private_key_jwt")


def test_credentials_and_environment_from_env(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = stack.new_client()
    monkeypatch.setenv("ODIDO_CLIENT_ID", creds.client_id)
    monkeypatch.setenv("ODIDO_CLIENT_SECRET", CANARY)
    monkeypatch.setenv("ODIDO_SCOPES", BEARER_SCOPE)
    monkeypatch.setenv("ODIDO_TOKEN_URL", stack.token_url)
    monkeypatch.setenv("ODIDO_API_BASE", stack.base_url)
    monkeypatch.delenv("ODIDO_ENVIRONMENT", raising=False)
    auth = OdidoAuth()
    assert auth.scopes == (BEARER_SCOPE,)
    assert auth.environment.token_url == stack.token_url
    assert auth.get_token().scopes == (BEARER_SCOPE,)
