"""The sandbox portal: admin API answers and errors, live pages behind the session cookie."""

from __future__ import annotations

from pathlib import Path

import httpx
from _sandbox_support import ADMIN_TOKEN, GENESYS, PETSTORE, SESSION, copy_specs, make_config
from odido_gen.portal import render_lock
from odido_gen.portal._lock import parse_lock
from odido_gen.sandbox._app import create_app
from odido_gen.sandbox._catalog import Catalog

ADMIN = {"Authorization": ADMIN_TOKEN}
COOKIES = {"_portal_session": SESSION}


def test_admin_api_wants_the_raw_token(sandbox_url: str) -> None:
    for headers in ({}, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, {"Authorization": "x"}):
        response = httpx.get(f"{sandbox_url}/portal-api/products", headers=headers)
        assert response.status_code == 401
        assert list(response.json()) == ["errors"]
        assert ADMIN_TOKEN not in response.text


def test_unknown_routes_answer_plain_text(sandbox_url: str) -> None:
    response = httpx.get(f"{sandbox_url}/portal-api/nothing", headers=ADMIN)

    assert (response.status_code, response.text) == (404, "404 page not found")
    assert response.headers["content-type"].startswith("text/plain")


def test_admin_api_pages_and_wraps_plans(sandbox_url: str) -> None:
    second = httpx.get(
        f"{sandbox_url}/portal-api/products", params={"page": 2, "per_page": 1}, headers=ADMIN
    )
    beyond = httpx.get(f"{sandbox_url}/portal-api/products", params={"page": 3}, headers=ADMIN)
    plans = httpx.get(f"{sandbox_url}/portal-api/plans", headers=ADMIN)

    assert [p["Path"] for p in second.json()] == ["petstore-lite"]
    assert beyond.json() == []
    assert plans.json()["data"][0]["JWTScope"] == "demoplan"


def test_spec_downloads_are_the_files_byte_for_byte(sandbox_url: str, sandbox_app: object) -> None:
    catalog: Catalog = sandbox_app.state.catalog  # type: ignore[attr-defined]
    genesys = catalog.by_path("genesys")
    assert genesys is not None
    admin = httpx.get(
        f"{sandbox_url}/portal-api/products/{genesys.id}/api-details/{genesys.api_id}/oas",
        headers=ADMIN,
    )
    live = httpx.get(
        f"{sandbox_url}/portal/catalogue-products/genesys/{genesys.api_id}/docs/download",
        cookies=COOKIES,
    )

    assert admin.content == live.content == GENESYS.read_bytes()
    assert admin.headers["content-type"] == "application/x-yaml"


def test_live_pages_show_the_login_page_without_a_session(sandbox_url: str) -> None:
    for path in ("/portal/catalogue-products", "/portal/catalogue-products/genesys"):
        anonymous = httpx.get(sandbox_url + path)
        logged_in = httpx.get(sandbox_url + path, cookies=COOKIES)

        assert anonymous.status_code == 200
        assert 'type="password"' in anonymous.text
        assert logged_in.status_code == 200
        assert 'type="password"' not in logged_in.text
        assert 'href="/portal/catalogue-products/genesys"' in logged_in.text or (
            "<h1>Genesys Services OAuth External</h1>" in logged_in.text
        )


def test_overrides_from_sandbox_toml_and_a_lock(tmp_path: Path) -> None:
    specs = copy_specs(tmp_path / "specs", GENESYS, PETSTORE)
    (specs / "sandbox.toml").write_text(
        "[products.petstore-lite]\n"
        'name = "Petstore_Lite"\n'
        'listen_path = "/pets/v1"\n'
        'header = { name = "x-api-key", prefix = "" }\n'
        "[[plans]]\n"
        'name = "gold"\n'
        'scope = "gold"\n'
    )
    # A lock beside the specs renames the Genesys product (matched by file name).
    lock = parse_lock(
        '[products.genesys]\nid = 40\nname = "Genesys_Renamed"\npath = "gen"\n'
        "[products.genesys.derived]\n"
        'distribution = "d"\npackage = "p"\nclient_name = "C"\n'
        'header = { name = "x-auth-token", prefix = "Bearer " }\n'
        "[[products.genesys.apis]]\n"
        'api_id = "abc"\nname = "Outbound"\nlisten_path = "/g/"\n'
        'file = "specs/genesys-outbound.json"\nsha256 = "0"\n'
    )
    (specs / "odido-gen.lock").write_text(render_lock(lock))

    catalog: Catalog = create_app(make_config(specs)).state.catalog

    genesys, petstore = catalog.products
    assert (genesys.id, genesys.name, genesys.path, genesys.api_id) == (
        40,
        "Genesys_Renamed",
        "gen",
        "abc",
    )
    assert genesys.listen_path == "/g/"
    assert (petstore.name, petstore.listen_path) == ("Petstore_Lite", "/pets/v1/")
    assert (petstore.header.name, petstore.header.prefix) == ("x-api-key", "")
    assert [(p.name, p.scope) for p in catalog.plans] == [("gold", "gold")]
