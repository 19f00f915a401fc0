"""End to end: the sandbox as its own process, pulled from and called like Odido's stack."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _sandbox_support import (
    ADMIN_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    GENESYS,
    GENESYS_SCOPE,
    PETSTORE,
    PETSTORE_SCOPE,
    SESSION,
    TOKEN_PATH,
    SandboxProcess,
    copy_specs,
    sandbox_process,
    token,
)
from click.testing import CliRunner
from odido_gen.portal import Lock, portal, read_lock

GENESYS_LIST = "/oauth/genesyscloud/api/v2/outbound/contactlists"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    specs = copy_specs(tmp_path_factory.mktemp("specs"), GENESYS, PETSTORE)
    with sandbox_process(specs) as running:
        yield running


def _pull(url: str, project: Path, *credential: str) -> None:
    result = CliRunner().invoke(
        portal,
        [
            "pull",
            "--portal",
            url,
            *credential,
            "--out",
            str(project / "specs"),
            "--lock",
            str(project / "odido-gen.lock"),
        ],
    )
    assert result.exit_code == 0, result.output


def _without_sources(lock: Lock) -> Lock:
    return Lock(
        products={
            key: dataclasses.replace(
                product, apis=tuple(dataclasses.replace(a, source="") for a in product.apis)
            )
            for key, product in lock.products.items()
        }
    )


def test_banner_keeps_the_secrets_it_was_given(stack: SandboxProcess) -> None:
    assert f"client id:           {CLIENT_ID}" in stack.banner
    for value in (CLIENT_SECRET, ADMIN_TOKEN, SESSION):
        assert value not in stack.banner
    assert stack.banner.count("(as given)") == 3
    assert stack.url.startswith("http://127.0.0.1:")


def test_banner_prints_the_secrets_it_made_up(tmp_path: Path) -> None:
    """Made-up demo secrets are printed (nobody could know them otherwise), and they work."""
    with sandbox_process(copy_specs(tmp_path, PETSTORE), secrets=False) as running:
        printed = dict(
            line.strip().split(":", 1)
            for line in running.banner.splitlines()
            if line.startswith("  ") and ":" in line and "http" not in line
        )
        secret, admin_token = printed["client secret"].strip(), printed["admin token"].strip()
        assert secret != CLIENT_SECRET and len(secret) >= 24
        assert token(running.url, PETSTORE_SCOPE, secret=secret)
        products = httpx.get(
            running.url + "/portal-api/products", headers={"Authorization": admin_token}
        )
        assert products.status_code == 200, products.text


def test_admin_api_and_live_portal_pull_the_same(stack: SandboxProcess, tmp_path: Path) -> None:
    admin, live = tmp_path / "admin", tmp_path / "live"

    _pull(stack.url, admin, "--token", ADMIN_TOKEN)
    _pull(stack.url, live, "--cookie", f"_portal_session={SESSION}")

    files = sorted(p.relative_to(admin) for p in (admin / "specs").rglob("*") if p.is_file())
    assert [f.as_posix() for f in files] == ["specs/genesys.json", "specs/petstore-lite.yaml"]
    for name in files:
        assert (admin / name).read_bytes() == (live / name).read_bytes()
    assert (admin / "specs/genesys.json").read_bytes() == GENESYS.read_bytes()
    admin_lock, live_lock = read_lock(admin / "odido-gen.lock"), read_lock(live / "odido-gen.lock")
    assert admin_lock != live_lock  # the sources differ ...
    assert _without_sources(admin_lock) == _without_sources(live_lock)  # ... and nothing else


def test_token_endpoint_with_basic_and_post(stack: SandboxProcess) -> None:
    discovery = httpx.get(f"{stack.url}/realms/tyk-dev-portal/.well-known/openid-configuration")
    basic = httpx.post(
        stack.url + TOKEN_PATH,
        data={"grant_type": "client_credentials", "scope": f"{GENESYS_SCOPE} demoplan"},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    post = httpx.post(
        stack.url + TOKEN_PATH,
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    wrong = httpx.post(
        stack.url + TOKEN_PATH,
        data={"grant_type": "client_credentials"},
        auth=(CLIENT_ID, "wrong"),
    )

    assert discovery.json()["token_endpoint"] == stack.url + TOKEN_PATH
    assert basic.status_code == 200
    assert basic.json()["scope"] == f"{GENESYS_SCOPE} demoplan"
    assert basic.json()["expires_in"] == 300
    assert post.status_code == 200
    assert (wrong.status_code, wrong.json()["error"]) == (401, "unauthorized_client")


def test_gateway_refuses_as_tyk_and_answers_from_the_spec(stack: SandboxProcess) -> None:
    url = stack.url + GENESYS_LIST
    valid = token(stack.url, f"{GENESYS_SCOPE} demoplan")
    other_scope = token(stack.url, PETSTORE_SCOPE, method="post")

    missing = httpx.get(url)
    wrong_token = httpx.get(url, headers={"x-auth-token": "Bearer forged"})
    wrong_scope = httpx.get(url, headers={"x-auth-token": f"Bearer {other_scope}"})
    answer = httpx.get(url, headers={"x-auth-token": f"Bearer {valid}"}, params={"pageSize": 2})

    assert (missing.status_code, missing.json()) == (401, {"error": "Authorization field missing"})
    assert (wrong_token.status_code, wrong_token.json()) == (401, {"error": "Key not authorized"})
    assert (wrong_scope.status_code, wrong_scope.json()["error"]) == (
        403,
        "Access to this API has been disallowed",
    )
    assert answer.status_code == 200
    assert isinstance(answer.json()["entities"], list)


def test_gateway_refuses_an_expired_token(tmp_path: Path) -> None:
    specs = copy_specs(tmp_path / "specs", PETSTORE)
    with sandbox_process(specs, "--token-lifetime", "1") as short:
        expiring = token(short.url, PETSTORE_SCOPE)
        time.sleep(1.2)  # past the token's lifetime; the assertion below is about the answer
        response = httpx.get(
            f"{short.url}/petstore-lite/pets", headers={"Authorization": f"Bearer {expiring}"}
        )

    assert (response.status_code, response.json()) == (
        401,
        {"error": "Key has expired, please renew"},
    )
