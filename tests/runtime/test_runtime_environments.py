"""Environments, credentials, header styles and product info: configuration without I/O."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest
from odido_runtime import (
    ClientCredentials,
    ConfigurationError,
    Environment,
    HeaderStyle,
    ProductInfo,
)

TABLE = {
    "dev": ("connect-dev", "api-dev", "developer-dev"),
    "agile": ("connect-agile", "api-agile", "developer-agile"),
    "staging": ("connect-staging", "api-staging", "developer-staging"),
    "production": ("connect", "api", "developer"),
}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_named_environments_match_the_platform_table(name: str) -> None:
    connect, api, portal = TABLE[name]
    env = Environment.named(name)
    assert env.name == name
    assert env.token_url == (
        f"https://{connect}.odido.nl/realms/tyk-dev-portal/protocol/openid-connect/token"
    )
    assert env.api_base == f"https://{api}.odido.nl"
    assert env.portal_url == f"https://{portal}.odido.nl"


def test_named_is_case_insensitive_and_knows_prod() -> None:
    assert Environment.named(" AGILE ") is Environment.named("agile")
    assert Environment.named("prod") is Environment.named("production")
    assert Environment.names() == ("dev", "agile", "staging", "production")


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match="dev, agile, staging, production"):
        Environment.named("acceptance")


def test_custom_environment_is_frozen_and_normalised() -> None:
    env = Environment(name="local", token_url="http://127.0.0.1:1/token", api_base="http://h/x/")
    assert env.api_base == "http://h/x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        env.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("token_url", "api_base"),
    [
        ("ftp://x/token", "https://api"),
        ("https://x/t", "api.odido.nl"),
        ("https://u:p@x/t", "https://a"),
    ],
)
def test_custom_environment_urls_are_checked(token_url: str, api_base: str) -> None:
    with pytest.raises(ConfigurationError):
        Environment(name="bad", token_url=token_url, api_base=api_base)


def test_from_env_by_name() -> None:
    assert Environment.from_env({"ODIDO_ENVIRONMENT": "staging"}) is Environment.named("staging")


def test_from_env_overrides_urls_of_a_named_environment() -> None:
    env = Environment.from_env({"ODIDO_ENVIRONMENT": "agile", "ODIDO_API_BASE": "http://gw"})
    assert env.name == "agile"
    assert env.api_base == "http://gw"
    assert env.token_url == Environment.named("agile").token_url


def test_from_env_custom() -> None:
    env = Environment.from_env(
        {"ODIDO_TOKEN_URL": "http://127.0.0.1:9/token", "ODIDO_API_BASE": "http://127.0.0.1:9"}
    )
    assert (env.name, env.token_url, env.api_base) == (
        "custom",
        "http://127.0.0.1:9/token",
        "http://127.0.0.1:9",
    )


def test_from_env_uses_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ODIDO_ENVIRONMENT", "dev")
    assert Environment.from_env().name == "dev"
    assert Environment.resolve(None).name == "dev"
    assert Environment.resolve("agile").name == "agile"


@pytest.mark.parametrize(
    "environ",
    [{}, {"ODIDO_TOKEN_URL": "http://x/token"}, {"ODIDO_ENVIRONMENT": "nowhere"}],
)
def test_from_env_without_a_usable_setting(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="ODIDO_ENVIRONMENT"):
        Environment.from_env(environ)


def test_credentials_scopes_are_normalised() -> None:
    assert ClientCredentials("id", "s", "a  b,c a").scopes == ("a", "b", "c")
    assert ClientCredentials("id", "s", ["a", "b c", "a"]).scopes == ("a", "b", "c")
    assert ClientCredentials("id", "s").scopes == ()
    assert ClientCredentials("id", "s", "a").with_scopes(["x"]).scopes == ("x",)


def test_credentials_from_env() -> None:
    creds = ClientCredentials.from_env(
        {"ODIDO_CLIENT_ID": "app", "ODIDO_CLIENT_SECRET": "pw", "ODIDO_SCOPES": "s1 s2"}
    )
    assert (creds.client_id, creds.client_secret, creds.scopes) == ("app", "pw", ("s1", "s2"))


def test_credentials_from_env_says_what_is_missing_without_values() -> None:
    with pytest.raises(ConfigurationError, match="ODIDO_CLIENT_SECRET") as info:
        ClientCredentials.from_env({"ODIDO_CLIENT_ID": "app"})
    assert "ODIDO_CLIENT_ID" not in str(info.value)


@pytest.mark.parametrize(("client_id", "secret"), [("", "s"), ("  ", "s"), ("id", "")])
def test_credentials_must_not_be_empty(client_id: str, secret: str) -> None:
    with pytest.raises(ConfigurationError):
        ClientCredentials(client_id, secret)


def test_credentials_are_immutable_and_not_picklable() -> None:
    creds = ClientCredentials("id", "pw")
    with pytest.raises(AttributeError):
        creds.client_id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        pickle.dumps(creds)
    assert copy.deepcopy(creds) is creds
    assert creds == ClientCredentials("id", "pw")
    assert creds != ClientCredentials("id", "other")


def test_header_styles() -> None:
    assert HeaderStyle() == HeaderStyle.BEARER == HeaderStyle("Authorization", "Bearer ")
    assert HeaderStyle(name="x-auth-token", prefix="Bearer ") == HeaderStyle.GENESYS
    assert HeaderStyle("X-Key", "").value("t") == "t"
    for bad in ("", "two words", "colon:", "new\nline"):
        with pytest.raises(ConfigurationError):
            HeaderStyle(name=bad)
    with pytest.raises(ConfigurationError):
        HeaderStyle(prefix="Bearer\r\n")


def test_product_info_normalises_base_path_and_scopes() -> None:
    info = ProductInfo("odido-x", "1.0", "oauth/genesyscloud/", scopes=("a", "a", "b"))
    assert info.base_path == "/oauth/genesyscloud"
    assert info.scopes == ("a", "b")
    assert info.header == HeaderStyle()
    assert ProductInfo("odido-x", "1.0").base_path == ""
