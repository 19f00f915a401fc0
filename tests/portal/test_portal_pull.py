"""`odido-gen portal pull` against the sandbox's admin API and live portal."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from _portal_support import (
    GENESYS,
    PETSTORE,
    TOKEN_CANARY,
    Sandbox,
    assert_no_secrets,
    run_portal,
    serve_routes,
    start_sandbox,
)
from click.testing import Result
from odido_gen.config import load_config
from odido_gen.portal import Lock, LockedProduct, derived_products, read_lock
from starlette.responses import Response
from starlette.routing import Route


def _pull(sandbox: Sandbox, project: Path, *extra: str, via: str = "token") -> Result:
    credential = ["--token", sandbox.token] if via == "token" else ["--cookie", sandbox.cookie]
    return run_portal(
        "pull",
        "--portal",
        sandbox.url,
        *credential,
        "--out",
        str(project / "specs"),
        "--lock",
        str(project / "odido-gen.lock"),
        *extra,
    )


def _without_sources(lock: Lock) -> dict[str, LockedProduct]:
    return {
        key: dataclasses.replace(
            product, apis=tuple(dataclasses.replace(a, source="") for a in product.apis)
        )
        for key, product in lock.products.items()
    }


def _mtimes(project: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()}


def test_admin_pull_writes_specs_byte_for_byte_and_the_lock(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    result = _pull(sandbox, tmp_path)

    assert result.exit_code == 0, result.output
    assert (tmp_path / "specs" / "genesys.json").read_bytes() == GENESYS.read_bytes()
    assert (tmp_path / "specs" / "petstore-lite.yaml").read_bytes() == PETSTORE.read_bytes()
    lock = read_lock(tmp_path / "odido-gen.lock")
    assert sorted(lock.products) == ["genesys", "petstore-lite"]
    genesys = lock.products["genesys"]
    assert (genesys.id, genesys.path) == (1, "genesys")
    assert genesys.name == "Genesys_Services_Oauth_External"
    assert genesys.catalogues == ("Odido Partners",)
    assert [(a.listen_path, a.file) for a in genesys.apis] == [
        ("/oauth/genesyscloud/", "specs/genesys.json")
    ]
    assert_no_secrets(result, tmp_path)


def test_derived_products_for_the_genesys_product(sandbox: Sandbox, tmp_path: Path) -> None:
    assert _pull(sandbox, tmp_path).exit_code == 0

    derived = derived_products(read_lock(tmp_path / "odido-gen.lock"))

    assert derived["genesys"] == {
        "spec": "specs/genesys.json",
        "distribution": "odido-genesys",
        "package": "odido_genesys",
        "client_name": "Genesys",
        "base_path": "/oauth/genesyscloud",
        "header": {"name": "x-auth-token", "prefix": "Bearer "},
        "scopes": ["Genesys_Services_Oauth_External", "demoplan"],
        "version": "0.1.0",
        "portal": {"id": 1, "name": "Genesys_Services_Oauth_External"},
    }
    assert derived["petstore-lite"]["header"] == {"name": "Authorization", "prefix": "Bearer "}
    assert derived["petstore-lite"]["base_path"] == "/petstore-lite"


def test_admin_api_and_live_portal_give_the_same_specs_and_lock(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    admin, live = tmp_path / "admin", tmp_path / "live"

    assert _pull(sandbox, admin).exit_code == 0
    assert _pull(sandbox, live, via="cookie").exit_code == 0

    for name in ("genesys.json", "petstore-lite.yaml"):
        assert (admin / "specs" / name).read_bytes() == (live / "specs" / name).read_bytes()
    admin_lock, live_lock = (read_lock(d / "odido-gen.lock") for d in (admin, live))
    assert all("/portal-api/" in p.apis[0].source for p in admin_lock.products.values())
    assert all("/docs/download" in p.apis[0].source for p in live_lock.products.values())
    assert _without_sources(admin_lock) == _without_sources(live_lock)


def test_a_pull_that_changes_nothing_rewrites_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    assert _pull(sandbox, tmp_path).exit_code == 0
    before = _mtimes(tmp_path)

    again = _pull(sandbox, tmp_path)

    assert again.exit_code == 0
    assert "nothing changed" in again.output
    assert _mtimes(tmp_path) == before


def test_check_names_changed_products_and_writes_nothing(tmp_path: Path) -> None:
    specs = tmp_path / "served"
    specs.mkdir()
    shutil.copy(PETSTORE, specs / PETSTORE.name)
    project = tmp_path / "project"
    with start_sandbox(specs) as sandbox:
        assert _pull(sandbox, project).exit_code == 0
        unchanged = _pull(sandbox, project, "--check")
    assert (unchanged.exit_code, unchanged.output.splitlines()[0]) == (0, "up to date: 1 products")

    (specs / PETSTORE.name).write_text(PETSTORE.read_text().replace("1.0.0", "1.1.0"))
    before = _mtimes(project)
    with start_sandbox(specs) as sandbox:
        changed = _pull(sandbox, project, "--check")

    assert changed.exit_code == 1
    assert "petstore-lite (spec changed)" in changed.output
    assert _mtimes(project) == before


def test_a_failed_pull_leaves_the_previous_files_intact(tmp_path: Path, closed_port: int) -> None:
    specs = tmp_path / "served"
    specs.mkdir()
    shutil.copy(PETSTORE, specs / "a-first.yaml")
    shutil.copy(PETSTORE, specs / "b-second.yaml")
    project = tmp_path / "project"
    with start_sandbox(specs) as sandbox:
        assert _pull(sandbox, project).exit_code == 0
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    mtimes = _mtimes(project)

    # Now the first spec has changed, and the second can only be had from a dead OASUrl.
    (specs / "a-first.yaml").write_text(PETSTORE.read_text().replace("1.0.0", "2.0.0"))
    (specs / "sandbox.toml").write_text(
        "[products.b-second]\nupload_oas = false\n"
        f'oas_url = "http://127.0.0.1:{closed_port}/b.yaml"\n'
    )
    with start_sandbox(specs) as sandbox:
        failed = _pull(sandbox, project)

    assert failed.exit_code == 2
    assert f"cannot connect to http://127.0.0.1:{closed_port}/" in failed.output
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
    assert _mtimes(project) == mtimes


def test_pull_one_product_keeps_the_others(sandbox: Sandbox, tmp_path: Path) -> None:
    assert _pull(sandbox, tmp_path).exit_code == 0
    lock_before = read_lock(tmp_path / "odido-gen.lock")

    result = _pull(sandbox, tmp_path, "--product", "Genesys_Services_Oauth_External")

    assert result.exit_code == 0
    assert read_lock(tmp_path / "odido-gen.lock") == lock_before
    unknown = _pull(sandbox, tmp_path, "--product", "nope")
    assert unknown.exit_code == 2
    assert "no product 'nope' on the portal" in unknown.output


def test_spec_from_a_file_for_a_known_product(tmp_path: Path) -> None:
    result = run_portal(
        "pull",
        "--spec",
        str(GENESYS),
        "--product",
        "genesys",
        "--out",
        str(tmp_path / "specs"),
        "--lock",
        str(tmp_path / "odido-gen.lock"),
    )

    assert result.exit_code == 0, result.output
    derived = derived_products(read_lock(tmp_path / "odido-gen.lock"))
    assert derived["genesys"]["header"] == {"name": "x-auth-token", "prefix": "Bearer "}
    assert derived["genesys"]["base_path"] == "/oauth/genesyscloud"
    assert derived["genesys"]["scopes"] == ["Genesys_Services_Oauth_External"]
    assert (tmp_path / "specs" / "genesys.json").read_bytes() == GENESYS.read_bytes()


def test_spec_from_a_url_for_a_new_product_keeps_the_pulled_ones(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    assert _pull(sandbox, tmp_path).exit_code == 0
    body = PETSTORE.read_bytes()
    routes = [Route("/extra.yaml", lambda request: Response(body, media_type="text/yaml"))]
    with serve_routes(routes) as url:
        result = run_portal(
            "pull",
            "--spec",
            f"{url}/extra.yaml",
            "--product",
            "Extra Pets",
            "--out",
            str(tmp_path / "specs"),
            "--lock",
            str(tmp_path / "odido-gen.lock"),
        )

    assert result.exit_code == 0, result.output
    lock = read_lock(tmp_path / "odido-gen.lock")
    assert sorted(lock.products) == ["extra-pets", "genesys", "petstore-lite"]
    extra = lock.products["extra-pets"]
    assert (extra.name, extra.apis[0].source) == ("Extra Pets", f"{url}/extra.yaml")
    assert extra.derived.package == "odido_extra_pets"
    assert (tmp_path / "specs" / "extra-pets.yaml").read_bytes() == body


def test_user_overrides_win_and_survive_pulls(sandbox: Sandbox, tmp_path: Path) -> None:
    config = tmp_path / "odido-gen.toml"
    config.write_text(
        "[products.genesys]\n"
        'client_name = "Outbound"\n'
        'scopes = ["Genesys_Services_Oauth_External"]\n'
    )
    assert _pull(sandbox, tmp_path).exit_code == 0
    assert _pull(sandbox, tmp_path).exit_code == 0

    products = load_config(config).products

    assert config.read_text().startswith("[products.genesys]\nclient_name")
    assert products["genesys"].client_name == "Outbound"
    assert products["genesys"].scopes == ("Genesys_Services_Oauth_External",)
    assert products["genesys"].header.name == "x-auth-token"  # from the lock
    assert products["genesys"].spec == str((tmp_path / "specs" / "genesys.json").resolve())
    assert products["petstore-lite"].package == "odido_petstore_lite"


def test_products_lists_products_and_apis(sandbox: Sandbox) -> None:
    text = run_portal("products", "--portal", sandbox.url, "--token", sandbox.token)
    as_json = run_portal("products", "--portal", sandbox.url, "--cookie", sandbox.cookie, "--json")

    assert text.exit_code == 0
    assert "genesys: Genesys Services OAuth External (Genesys_Services_Oauth_External, id 1)" in (
        text.output
    )
    assert "at /oauth/genesyscloud/" in text.output
    assert as_json.exit_code == 0
    assert '"listen_path": "/petstore-lite/"' in as_json.output
    assert TOKEN_CANARY not in text.output + as_json.output
