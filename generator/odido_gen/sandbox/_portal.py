"""The developer portal: its admin REST API (`/portal-api`) and the live portal's pages.

The admin API wants `Authorization: <admin token>` and answers 401 `{"errors": [...]}`
without it; lists page with `page`/`per_page` as bare arrays (plans wrapped in `{"data": ...}`,
as the Portal API's description shows). The live portal's pages want the session cookie and,
without it, show the login page with status 200, as the real portal does.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from odido_gen.sandbox._catalog import CATALOGUE, Catalog, SandboxPlan, SandboxProduct
from odido_gen.sandbox._config import SESSION_COOKIE, SandboxConfig

__all__ = ["portal_routes"]

_PER_PAGE = 20
_CATALOGUE_ID = 1
_CATALOGUE_PATH = "/portal/catalogue-products"
Endpoint = Callable[[Request], Any]


def _errors(status: int, *messages: str) -> JSONResponse:
    return JSONResponse({"errors": list(messages)}, status_code=status)


# --- admin API -------------------------------------------------------------------------------


def _summary(product: SandboxProduct) -> dict[str, Any]:
    return {
        "ID": product.id,
        "CID": f"sandbox{product.id:04d}",
        "Name": product.name,
        "DisplayName": product.display_name,
        "Path": product.path,
        "AuthType": "multiAuth",
        "AuthTypes": ["oauth2"],
        "DCREnabled": True,
        "Feature": False,
        "IsDocumentationOnly": product.documentation_only,
        "ReferenceID": product.api_id,
        "Scopes": ",".join(product.scopes),
        "APIDetails": []
        if product.documentation_only
        else [{"APIID": product.api_id, "Name": product.api_name, "Status": True}],
        "SpecDetails": _spec_details(product) if product.documentation_only else None,
    }


def _spec_details(product: SandboxProduct) -> list[dict[str, Any]]:
    return [
        {
            "ID": product.id,
            "SpecAlias": product.path,
            "Name": product.api_name,
            "OASUrl": product.oas_url,
        }
    ]


def _detail(product: SandboxProduct) -> dict[str, Any]:
    detail = _summary(product)
    detail.update(
        {
            "Catalogues": [CATALOGUE],
            "Description": f"{product.display_name} in the Odido sandbox",
            "Content": f"<p>{escape(product.display_name)}</p>",
            "Tags": [],
            "Templates": [],
            "ProviderID": 1,
        }
    )
    if not product.documentation_only:
        detail["APIDetails"] = [
            {
                "APIID": product.api_id,
                "APIType": "oauth",
                "Description": "",
                "ListenPath": product.listen_path,
                "Name": product.api_name,
                "OASUrl": product.oas_url,
                "Status": True,
                "TargetURL": "http://upstream.sandbox.invalid/",
            }
        ]
    return detail


def _plan(plan: SandboxPlan) -> dict[str, Any]:
    return {
        "ID": plan.id,
        "Name": plan.name,
        "DisplayName": plan.display_name,
        "JWTScope": plan.scope,
        "Catalogues": [_CATALOGUE_ID],
        "AutoApproveAccessRequests": True,
        "RateLimit": 100,
        "Quota": -1,
    }


def _page(request: Request, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | Response:
    try:
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", str(_PER_PAGE)))
    except ValueError:
        return _errors(422, "page and per_page must be integers")
    if page < 1 or per_page < 1:
        return _errors(422, "page and per_page must be positive")
    return list(items[(page - 1) * per_page : page * per_page])


class _AdminAPI:
    def __init__(self, catalog: Catalog, config: SandboxConfig) -> None:
        self.catalog = catalog
        self.config = config

    def guarded(self, endpoint: Callable[[Request], Response]) -> Endpoint:
        async def handler(request: Request) -> Response:
            token = request.headers.get("authorization", "")
            if not secrets.compare_digest(token.encode(), self.config.admin_token.encode()):
                return _errors(401, "Not authorized: invalid or missing admin API token")
            return endpoint(request)

        return handler

    def _product(self, request: Request) -> SandboxProduct | None:
        raw = request.path_params["product_id"]
        return self.catalog.product(int(raw)) if raw.isdigit() else None

    def products(self, request: Request) -> Response:
        page = _page(request, [_summary(p) for p in self.catalog.products])
        return page if isinstance(page, Response) else JSONResponse(page)

    def product(self, request: Request) -> Response:
        product = self._product(request)
        if product is None:
            return _errors(404, "product not found")
        return JSONResponse(_detail(product))

    def oas(self, request: Request) -> Response:
        product = self._product(request)
        if product is None or product.documentation_only:
            return _errors(404, "product not found")
        if request.path_params["api_id"] != product.api_id:
            return _errors(404, "api not found in this product")
        return self._spec(product)

    def spec_oas(self, request: Request) -> Response:
        product = self._product(request)
        if product is None or not product.documentation_only:
            return _errors(404, "product not found")
        if request.path_params["spec_id"] != str(product.id):
            return _errors(404, "specification not found")
        return self._spec(product)

    def _spec(self, product: SandboxProduct) -> Response:
        if not product.upload_oas:
            return PlainTextResponse("no oas specified", status_code=422)
        # The portal serves every spec as YAML's media type, JSON ones included.
        return Response(product.content, media_type="application/x-yaml")

    def catalogues(self, request: Request) -> Response:
        catalogue = {
            "ID": _CATALOGUE_ID,
            "Name": CATALOGUE,
            "NameWithSlug": "odido-partners",
            "VisibilityStatus": "Private",
        }
        page = _page(request, [catalogue])
        return page if isinstance(page, Response) else JSONResponse(page)

    def plans(self, request: Request) -> Response:
        page = _page(request, [_plan(p) for p in self.catalog.plans])
        return page if isinstance(page, Response) else JSONResponse({"data": page})

    def plan(self, request: Request) -> Response:
        raw = request.path_params["plan_id"]
        plan = next((p for p in self.catalog.plans if str(p.id) == raw), None)
        return JSONResponse(_plan(plan)) if plan else _errors(404, "plan not found")

    @property
    def routes(self) -> list[BaseRoute]:
        api = "/portal-api"
        return [
            Route(f"{api}/products", self.guarded(self.products)),
            Route(f"{api}/products/{{product_id}}", self.guarded(self.product)),
            Route(
                f"{api}/products/{{product_id}}/api-details/{{api_id}}/oas",
                self.guarded(self.oas),
            ),
            Route(
                f"{api}/products/{{product_id}}/spec-details/{{spec_id}}/oas",
                self.guarded(self.spec_oas),
            ),
            Route(f"{api}/catalogues", self.guarded(self.catalogues)),
            Route(f"{api}/plans", self.guarded(self.plans)),
            Route(f"{api}/plans/{{plan_id}}", self.guarded(self.plan)),
        ]


# --- live portal -----------------------------------------------------------------------------


def _html(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{escape(title)} - Odido Developer Portal</title></head>\n<body>\n"
        '<header><nav><a href="/">Home</a> <a href="/portal/catalogue-products">'
        'Catalogue</a> <a href="/portal/apps">My apps</a></nav></header>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n",
        status_code=status,
    )


def _login_page(config: SandboxConfig) -> HTMLResponse:
    sso = f"/realms/{quote(config.realm)}/protocol/openid-connect/auth"
    return _html(
        "Log in",
        "<h1>Log in</h1>\n"
        '<form class="login" method="post" action="/auth/password/login">\n'
        '<label>Email <input type="email" name="login"></label>\n'
        '<label>Password <input type="password" name="password"></label>\n'
        '<button type="submit">Log in</button>\n</form>\n'
        f'<p><a href="{escape(sso)}">Log in with Odido SSO</a></p>',
    )


def _product_url(product: SandboxProduct) -> str:
    return f"{_CATALOGUE_PATH}/{quote(product.path, safe='')}"


def _docs_url(product: SandboxProduct) -> str:
    return f"{_product_url(product)}/{quote(product.api_id, safe='')}/docs"


def _catalogue_page(catalog: Catalog) -> HTMLResponse:
    cards = "\n".join(
        f'<div class="card">\n<h3>{escape(p.display_name)}</h3>\n'
        f"<p>{escape(p.display_name)} in the Odido sandbox</p>\n"
        f'<a class="more-info" href="{escape(_product_url(p))}">More info</a>\n</div>'
        for p in catalog.products
    )
    return _html(
        "API Products",
        f'<h1>API Products</h1>\n<section class="catalogue">\n<h2>{escape(CATALOGUE)}</h2>\n'
        f"{cards}\n</section>",
    )


def _list(values: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(v)}</li>" for v in values) + "</ul>"


def _product_page(product: SandboxProduct, catalog: Catalog) -> HTMLResponse:
    apis = ""
    if not product.documentation_only:
        docs = _docs_url(product)
        apis = (
            '<section class="apis">\n<h2>APIs</h2>\n<ul>\n<li class="api">'
            f'<span class="api-name">{escape(product.api_name)}</span> '
            f"<code>{escape(product.listen_path)}</code> "
            f'<a href="{escape(docs)}">View docs</a> '
            f'<a href="{escape(docs)}/download">Download spec</a></li>\n</ul>\n</section>'
        )
    plans = "\n".join(
        f'<div class="plan">\n<h3>{escape(plan.display_name)}</h3>\n<dl>'
        f"<dt>Name</dt><dd>{escape(plan.name)}</dd>"
        f"<dt>Scope</dt><dd>{escape(plan.scope)}</dd>"
        "<dt>Rate limit</dt><dd>100 requests per second</dd></dl>\n"
        '<form method="post" action="/portal/cart/add">'
        f'<input type="hidden" name="product_id" value="{product.id}">'
        f'<input type="hidden" name="plan_id" value="{plan.id}">'
        '<button type="submit">Access with this plan</button></form>\n</div>'
        for plan in catalog.plans
    )
    return _html(
        product.display_name,
        f"<h1>{escape(product.display_name)}</h1>\n"
        f'<dl class="product-details">\n<dt>Name</dt><dd>{escape(product.name)}</dd>\n'
        f"<dt>Scopes</dt><dd>{escape(','.join(product.scopes))}</dd>\n"
        f"<dt>Catalogues</dt><dd>{_list([CATALOGUE])}</dd>\n</dl>\n"
        f'{apis}\n<section class="plans">\n<h2>Plans</h2>\n{plans}\n</section>',
    )


class _LivePortal:
    def __init__(self, catalog: Catalog, config: SandboxConfig) -> None:
        self.catalog = catalog
        self.config = config

    def session(self, endpoint: Callable[[Request], Response]) -> Endpoint:
        async def handler(request: Request) -> Response:
            cookie = request.cookies.get(SESSION_COOKIE, "")
            if not secrets.compare_digest(cookie.encode(), self.config.session.encode()):
                return _login_page(self.config)
            return endpoint(request)

        return handler

    def _product(self, request: Request) -> SandboxProduct | None:
        return self.catalog.by_path(request.path_params["path"])

    def home(self, request: Request) -> Response:
        return _html(
            "Home",
            "<h1>Odido Developer Portal (sandbox)</h1>\n"
            '<p><a href="/portal/catalogue-products">Explore APIs</a></p>',
        )

    def catalogue(self, request: Request) -> Response:
        return _catalogue_page(self.catalog)

    def product(self, request: Request) -> Response:
        product = self._product(request)
        if product is None:
            return _html("Not found", "<h1>Page not found</h1>", 404)
        return _product_page(product, self.catalog)

    def _api(self, request: Request) -> SandboxProduct | None:
        product = self._product(request)
        if product is None or product.documentation_only:
            return None
        return product if request.path_params["api_id"] == product.api_id else None

    def docs(self, request: Request) -> Response:
        product = self._api(request)
        if product is None:
            return _html("Not found", "<h1>Page not found</h1>", 404)
        return _html(
            product.api_name,
            f"<h1>{escape(product.api_name)}</h1>\n"
            f'<p><a href="{escape(_docs_url(product))}/download">Download spec</a></p>',
        )

    def download(self, request: Request) -> Response:
        product = self._api(request)
        if product is None:
            return _html("Not found", "<h1>Page not found</h1>", 404)
        filename = f"{product.path}{product.spec_file.suffix}"
        return Response(
            product.content,
            media_type=product.media_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def login(self, request: Request) -> Response:
        return _login_page(self.config)

    @property
    def routes(self) -> list[BaseRoute]:
        product = f"{_CATALOGUE_PATH}/{{path}}"
        return [
            Route("/", self.session(self.home)),
            Route("/auth/password/login", self.login),
            Route(_CATALOGUE_PATH, self.session(self.catalogue)),
            Route(product, self.session(self.product)),
            Route(f"{product}/{{api_id}}/docs", self.session(self.docs)),
            Route(f"{product}/{{api_id}}/docs/download", self.session(self.download)),
        ]


def portal_routes(catalog: Catalog, config: SandboxConfig) -> list[BaseRoute]:
    """The admin API's routes and the live portal's pages."""
    return [*_AdminAPI(catalog, config).routes, *_LivePortal(catalog, config).routes]
