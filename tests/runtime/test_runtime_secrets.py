"""The client secret and the tokens never show in a repr, an error message or a log line."""

from __future__ import annotations

import asyncio
import base64
import logging
from urllib.parse import quote, quote_plus

import httpx
import pytest
from _runtime_support import CANARY, AsyncGenesysClient, GenesysClient, Stack
from odido_runtime import (
    APIError,
    APIStatusError,
    AuthenticationError,
    AuthMethod,
    ClientCredentials,
    Environment,
    OdidoAuth,
    OdidoError,
    TokenCache,
)


def _forms(secret: str) -> list[str]:
    """Every spelling of the secret that could leak: raw, quoted, base64 of the Basic pair."""
    forms = [secret, quote(secret, safe=""), quote_plus(secret), repr(secret)[1:-1]]
    forms += [base64.b64encode(f":{quote_plus(secret)}".encode()).decode()[4:20]]
    # The unique middle part is enough: "c4n4ry" alone would also match innocent text.
    return [f for f in forms if f]


def _assert_clean(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text


def test_canary_and_tokens_stay_out_of_everything(
    stack: Stack, closed_port: int, debug_logs: pytest.LogCaptureFixture
) -> None:
    texts: list[str] = []
    creds = stack.new_client()
    texts += [repr(creds), str(creds)]

    def collect(error: BaseException) -> None:
        texts.extend([str(error), repr(error)])
        for attr in ("description", "error"):
            value = getattr(error, attr, None)
            if isinstance(value, str):
                texts.append(value)
        if isinstance(error, APIError):
            texts.append(repr(error.request))
            texts.append(repr(error.request.headers))
        if isinstance(error, APIStatusError):
            texts.append(repr(error.response.request.headers))
            texts.append(repr(error.response.headers))

    methods: list[AuthMethod] = ["client_secret_basic", "client_secret_post"]
    for method in methods:
        auth = OdidoAuth(
            creds, environment=stack.environment, auth_method=method, cache=TokenCache()
        )
        token = auth.get_token()
        texts += [repr(auth), repr(token), repr(auth.cache_key), repr(auth.cache), str(token)]
        with GenesysClient(
            credentials=creds, environment=stack.environment, auth_method=method
        ) as client:
            texts.append(repr(client))
            stack.gateway.script("secrets", (503, {}), (401, {}))
            client.request("GET", "/api/v2/script/secrets")
            for path in ("/api/v2/unauthorized", "/api/v2/status/400", "/api/v2/status/500"):
                with pytest.raises(OdidoError) as info:
                    client.request("GET", path, max_retries=0)
                collect(info.value)

        # Token endpoint refusals, including a server that quotes the secret back.
        for env in (
            stack.legacy_environment("error=invalid_client&echo=1"),
            stack.legacy_environment("format=html&status=502"),
            stack.environment,
        ):
            wrong = ClientCredentials(creds.client_id if env != stack.environment else "x", CANARY)
            with pytest.raises(AuthenticationError) as refused:
                OdidoAuth(
                    wrong, environment=env, auth_method=method, cache=TokenCache()
                ).get_token()
            collect(refused.value)

        # Connection failures at the token endpoint and at the API.
        down = Environment(
            name="down", token_url=f"http://127.0.0.1:{closed_port}/t", api_base=stack.base_url
        )
        with pytest.raises(OdidoError) as info:
            OdidoAuth(creds, environment=down, auth_method=method, cache=TokenCache()).get_token()
        collect(info.value)

        async def async_calls(method: AuthMethod) -> None:
            async with AsyncGenesysClient(
                credentials=creds,
                environment=stack.environment,
                auth_method=method,
            ) as client:
                await client.request("GET", "/api/v2/echo")
                with pytest.raises(OdidoError) as info:
                    await client.request("GET", "/api/v2/unauthorized")
                collect(info.value)

        asyncio.run(async_calls(method))

    assert any("token request refused: invalid_client (bad secret ***)" in t for t in texts)
    log_lines = [debug_logs.text] + [record.getMessage() for record in debug_logs.records]
    assert any(r.name.startswith("httpcore") for r in debug_logs.records)  # really captured
    assert any(r.name == "odido_runtime" for r in debug_logs.records)
    tokens = stack.keycloak.issued_tokens(creds.client_id)
    assert len(tokens) >= 4
    for text in texts + log_lines:
        _assert_clean(text, _forms(CANARY) + tokens)


def test_error_messages_are_one_line(stack: Stack) -> None:
    env = stack.legacy_environment("error=invalid_client&description=line1%0Aline2%0D%0Aline3")
    with pytest.raises(AuthenticationError) as info:
        OdidoAuth(stack.new_client(), environment=env, cache=TokenCache()).get_token()
    assert str(info.value).count("\n") == 0
    assert "line1 line2 line3" in str(info.value)


def test_httpx_logs_of_a_plain_client_with_odido_auth(
    stack: Stack, debug_logs: pytest.LogCaptureFixture
) -> None:
    creds = stack.new_client()
    auth = OdidoAuth(creds, environment=stack.environment, scopes="bearer_api", cache=TokenCache())
    with httpx.Client(auth=auth) as client:
        client.get(f"{stack.base_url}/bearer/api/v2/echo")
    assert debug_logs.records
    text = debug_logs.text + "".join(r.getMessage() for r in debug_logs.records)
    _assert_clean(text, _forms(CANARY) + stack.keycloak.issued_tokens(creds.client_id))
    assert logging.getLogger("httpx").isEnabledFor(logging.DEBUG)
