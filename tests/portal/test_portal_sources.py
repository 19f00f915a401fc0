"""The sources: admin API (paging, OASUrl, documentation-only), live portal pages, one spec."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest
from _portal_support import PETSTORE, TOKEN_CANARY, run_portal, serve_routes, start_sandbox
from click.testing import Result
from odido_gen.portal import derived_products, read_lock
from odido_gen.portal._admin import _objects
from odido_gen.portal._html import parse_html
from odido_gen.portal._live import _Page, read_product_page
from odido_gen.portal._model import PortalAPI, PortalPlan, PortalProduct
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

TINY = """openapi: 3.0.3
info: {title: Tiny %d, version: "1"}
paths:
  /ping:
    get:
      responses:
        "204": {description: pong}
"""


def _pull(url: str, project: Path, *extra: str) -> Result:
    return run_portal(
        "pull",
        "--portal",
        url,
        "--token",
        TOKEN_CANARY,
        "--out",
        str(project / "specs"),
        "--lock",
        str(project / "odido-gen.lock"),
        *extra,
    )


def test_admin_api_pages_until_a_short_page(tmp_path: Path) -> None:
    specs = tmp_path / "served"
    specs.mkdir()
    for n in range(1, 24):  # 23 products: pages of 20 and 3
        (specs / f"tiny-{n:02d}.yaml").write_text(TINY % n)
    with start_sandbox(specs) as sandbox:
        result = run_portal("products", "--portal", sandbox.url, "--token", sandbox.token, "--json")

    assert result.exit_code == 0, result.output
    products = json.loads(result.stdout)
    assert [p["id"] for p in products] == list(range(1, 24))
    assert products[22]["key"] == "tiny-23"


def test_lists_may_be_bare_or_wrapped_in_data() -> None:
    assert _objects([{"ID": 1}], "x") == [{"ID": 1}]
    assert _objects({"data": [{"ID": 1}, "junk"]}, "x") == [{"ID": 1}]


def test_a_portal_that_ignores_paging_does_not_loop_forever(tmp_path: Path) -> None:
    page = [{"ID": n, "Name": f"p{n}", "Path": f"p{n}"} for n in range(1, 21)]

    def products(request: Request) -> Response:
        return JSONResponse(page)

    def product(request: Request) -> Response:
        n = int(request.path_params["id"])
        return JSONResponse({**page[n - 1], "Catalogues": [], "APIDetails": []})

    empty = Route("/portal-api/{name}", lambda r: JSONResponse({"data": []}))
    routes = [
        Route("/portal-api/products", products),
        Route("/portal-api/products/{id:int}", product),
        empty,
    ]
    with serve_routes(routes) as url:
        result = run_portal("products", "--portal", url, "--token", TOKEN_CANARY, "--json")

    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 20


def test_live_portal_follows_catalogue_pages(tmp_path: Path) -> None:
    def catalogue(request: Request) -> Response:
        if request.query_params.get("page") == "2":
            return HTMLResponse('<a href="/portal/catalogue-products/b">B</a>')
        return HTMLResponse(
            '<a href="/portal/catalogue-products/a">A</a>'
            '<a href="/portal/catalogue-products?page=2">next</a>'
        )

    def product(request: Request) -> Response:
        path = request.path_params["path"]
        return HTMLResponse(f'<h1>{path}</h1><a href="{path}/1/docs">docs</a>')

    routes = [
        Route("/portal/catalogue-products", catalogue),
        Route("/portal/catalogue-products/{path}", product),
    ]
    with serve_routes(routes) as url:
        result = run_portal("products", "--portal", url, "--cookie", "s=1", "--json")

    assert result.exit_code == 0, result.output
    assert [p["key"] for p in json.loads(result.stdout)] == ["a", "b"]
    assert "its page shows no scopes or listen path" in result.stderr


def test_missing_upload_falls_back_to_oas_url_and_else_warns(tmp_path: Path) -> None:
    specs = tmp_path / "served"
    specs.mkdir()
    shutil.copy(PETSTORE, specs / "hosted.yaml")
    shutil.copy(PETSTORE, specs / "nowhere.yaml")
    body = PETSTORE.read_bytes()
    with serve_routes([Route("/specs/pets.yaml", lambda r: Response(body))]) as host:
        (specs / "sandbox.toml").write_text(
            f'[products.hosted]\nupload_oas = false\noas_url = "{host}/specs/pets.yaml"\n'
            "[products.nowhere]\nupload_oas = false\n"
        )
        with start_sandbox(specs) as sandbox:
            result = _pull(sandbox.url, tmp_path)

    assert result.exit_code == 0, result.output
    assert (
        "warning: product 'nowhere', API 'Petstore Lite': the portal has no spec uploaded "
        "and no OASUrl set; skipped"
    ) in result.stderr
    lock = read_lock(tmp_path / "odido-gen.lock")
    assert lock.products["hosted"].apis[0].source == f"{host}/specs/pets.yaml"
    assert (tmp_path / "specs" / "hosted.yaml").read_bytes() == body
    assert lock.products["nowhere"].apis == ()
    assert sorted(derived_products(lock)) == ["hosted"]


def test_documentation_only_products_use_spec_details(tmp_path: Path) -> None:
    specs = tmp_path / "served"
    specs.mkdir()
    shutil.copy(PETSTORE, specs / "guide.yaml")
    (specs / "sandbox.toml").write_text("[products.guide]\ndocumentation_only = true\n")
    with start_sandbox(specs) as sandbox:
        result = _pull(sandbox.url, tmp_path)

    assert result.exit_code == 0, result.output
    guide = read_lock(tmp_path / "odido-gen.lock").products["guide"]
    assert guide.documentation_only
    assert guide.apis[0].source.endswith("/portal-api/products/1/spec-details/1/oas")
    assert guide.apis[0].api_id == "guide"  # the SpecAlias


def _page(html: str, path: str = "payments") -> PortalProduct:
    base = httpx.URL("https://portal.example/")
    return read_product_page(
        _Page(base.join(f"/portal/catalogue-products/{path}"), parse_html(html), base), path
    )


def test_product_page_read_from_sloppy_markup() -> None:
    html = """<HTML><BODY><H1>Payments  API</H1>
    <DL><DT>Name:<DD>payments_api<DT>Scopes<DD>payments, clients
    <DT>Catalogues<DD><UL><LI>Public<LI>Partners</UL></DL>
    <table><tr><th>Product ID</th><td>42</td></tr></table>
    <ul>
      <li><b class=title>Payments</b> listens on /payments/ <a href=payments/a1b2/docs>View docs</a>
      <li><h3>Refunds</h3><code>/refunds/</code>
          <a href='/portal/catalogue-products/payments/c3d4/docs/download'>Download</a>
    </ul>
    <div class="card plan"><h3>Gold</h3><dl><dt>Scope<dd>gold,premium</dl></div>
    <div class=plan><dl><dt>Name<dd>free_plan<dt>JWT scope<dd>free</dl></div>
    <a href="/portal/catalogue-products/other/zz/docs">elsewhere</a>
    """
    product = _page(html)

    assert product.display_name == "Payments API"
    assert product.name == "payments_api"
    assert product.id == 42
    assert product.scopes == ("payments", "clients")
    assert product.catalogues == ("Public", "Partners")
    assert product.apis == (
        PortalAPI("a1b2", "Payments", listen_path="/payments/"),
        PortalAPI("c3d4", "Refunds", listen_path="/refunds/"),
    )
    assert product.plans == (
        PortalPlan("Gold", "gold,premium"),
        PortalPlan("free_plan", "free"),
    )


def test_product_page_with_little_on_it() -> None:
    product = _page('<p>Nothing much <a href="/portal/catalogue-products/x/1/docs">docs</a>', "x")

    assert (product.name, product.display_name, product.id) == ("x", "x", None)
    assert product.apis == (PortalAPI("1", "1", listen_path=None),)


@pytest.mark.parametrize(
    "body",
    [
        b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}',
        b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
    ],
)
def test_spec_by_url_accepts_json_and_yaml(tmp_path: Path, body: bytes) -> None:
    routes = [Route("/s", lambda r: PlainTextResponse(body.decode()))]
    with serve_routes(routes) as url:
        result = run_portal(
            "pull",
            "--spec",
            f"{url}/s",
            "--product",
            "S",
            "--out",
            str(tmp_path),
            "--lock",
            str(tmp_path / "odido-gen.lock"),
        )

    assert result.exit_code == 0, result.output
    written = next(tmp_path.glob("s.*"))
    assert written.read_bytes() == body
    assert written.suffix == (".json" if body.startswith(b"{") else ".yaml")
