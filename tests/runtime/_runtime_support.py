"""Servers and helpers for the runtime tests: a Tyk-like gateway in front of scripted routes.

The gateway checks each product's header style against the sandbox Keycloak (who, which scopes,
expired or not), then hands the request to upstream routes that echo, fail on script, page,
or stall.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import uuid
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from odido_gen.sandbox._keycloak import Keycloak, RegisteredClient
from odido_gen.sandbox._server import serve
from odido_runtime import (
    AsyncAPIClient,
    ClientCredentials,
    Environment,
    HeaderStyle,
    ProductInfo,
    SyncAPIClient,
)
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

# A client secret with every character that breaks naive Basic auth, and easy to grep for.
CANARY = "c4n4ry:%41+s€cr3t Ω/=&"
GENESYS_SCOPE = "Genesys_Services_Oauth_External"
PLAN_SCOPE = "demoplan"
BEARER_SCOPE = "bearer_api"
CUSTOM_HEADER = HeaderStyle(name="X-Api-Token", prefix="")

GENESYS = ProductInfo(
    name="odido-genesys",
    version="0.1.0",
    base_path="/oauth/genesyscloud",
    header=HeaderStyle.GENESYS,
    scopes=(GENESYS_SCOPE,),
)
BEARER = ProductInfo(name="odido-bearer", version="2.3.4", base_path="/bearer")


class GenesysClient(SyncAPIClient):
    product = GENESYS
    initial_retry_delay = 0.01  # keep backoff sleeps short in tests
    max_retry_delay = 0.05


class AsyncGenesysClient(AsyncAPIClient):
    product = GENESYS
    initial_retry_delay = 0.01
    max_retry_delay = 0.05


class BearerClient(SyncAPIClient):
    product = BEARER
    initial_retry_delay = 0.01
    max_retry_delay = 0.05


class AsyncBearerClient(AsyncAPIClient):
    product = BEARER
    initial_retry_delay = 0.01
    max_retry_delay = 0.05


def _json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class _Guard:
    """Tyk's auth check for one listen path: header style, token validity, scope."""

    def __init__(
        self, app: ASGIApp, keycloak: Keycloak, header: HeaderStyle, scope: str | None
    ) -> None:
        self.app = app
        self.keycloak = keycloak
        self.header = header
        self.scope = scope

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        value = Headers(scope=scope).get(self.header.name)
        response: Response | None = None
        if value is None:
            response = _json_error(401, "Authorization field missing")
        elif not value.startswith(self.header.prefix):
            response = _json_error(401, "Key not authorized")
        else:
            info = self.keycloak.introspect(value[len(self.header.prefix) :])
            if info is None or not info.active:
                response = _json_error(401, "Key not authorized")
            elif self.scope is not None and self.scope not in info.scopes:
                response = _json_error(403, "Access to this API has been disallowed")
            else:
                state = scope.setdefault("state", {})
                state["client_id"] = info.client_id
                state["scopes"] = sorted(info.scopes)
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class Gateway:
    """Upstream routes with scripted behaviour, and counters the tests read."""

    def __init__(self, keycloak: Keycloak) -> None:
        self.keycloak = keycloak
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[tuple[int, dict[str, str]]]] = {}
        self.calls: Counter[str] = Counter()

    def script(self, key: str, *responses: tuple[int, Mapping[str, str]]) -> None:
        """The next answers of `/api/v2/script/{key}`; 200 once they are used up."""
        with self._lock:
            self._scripts[key] = deque((status, dict(headers)) for status, headers in responses)

    def _count(self, key: str) -> int:
        with self._lock:
            self.calls[key] += 1
            return self.calls[key]

    async def echo(self, request: Request) -> Response:
        self._count("echo")
        headers = {
            k: ("<redacted>" if k in ("authorization", "x-auth-token", "x-api-token") else v)
            for k, v in request.headers.items()
        }
        return JSONResponse(
            {
                "method": request.method,
                "path": request.url.path,
                "query": list(request.query_params.multi_items()),
                "headers": headers,
                "body": (await request.body()).decode("utf-8", errors="replace"),
                "client_id": request.state.client_id,
                "scopes": request.state.scopes,
            }
        )

    async def status(self, request: Request) -> Response:
        code = int(request.path_params["code"])
        self._count(f"status/{code}")
        kind = request.query_params.get("format", "json")
        headers = {"inin-correlation-id": f"corr-{code}"}
        if kind == "text":
            return PlainTextResponse("plain\nfailure", status_code=code, headers=headers)
        if kind == "empty":
            return Response(status_code=code, headers={"x-request-id": f"req-{code}"})
        body = {
            "message": f"failure {code}",
            "code": "bad.things",
            "status": code,
            "contextId": "ctx-1",
        }
        if kind == "other":
            body = {"unexpected": True}
        return JSONResponse(body, status_code=code, headers=headers)

    async def scripted(self, request: Request) -> Response:
        key = request.path_params["key"]
        calls = self._count(f"script/{key}")
        with self._lock:
            queue = self._scripts.get(key)
            step = queue.popleft() if queue else None
        if step is None:
            return JSONResponse({"ok": True, "calls": calls})
        status, headers = step
        return JSONResponse({"error": f"scripted {status}"}, status_code=status, headers=headers)

    async def unauthorized(self, request: Request) -> Response:
        self._count("unauthorized")
        return _json_error(401, "Key not authorized")

    async def slow(self, request: Request) -> Response:
        self._count("slow")
        await asyncio.sleep(float(request.query_params.get("delay", "1")))
        return JSONResponse({"ok": True})

    async def contactlists(self, request: Request) -> Response:
        """A Genesys `ContactListEntityListing`; `style=next` leaves out pageCount."""
        self._count("contactlists")
        q = request.query_params
        number, size, total = int(q["pageNumber"]), int(q["pageSize"]), int(q["total"])
        page_count = max((total + size - 1) // size, 1)
        first = (number - 1) * size
        entities = [
            {"id": f"cl-{i}", "name": f"list {i}"} for i in range(first, min(first + size, total))
        ]
        body: dict[str, Any] = {
            "entities": entities,
            "pageSize": size,
            "pageNumber": number,
            "total": total,
        }
        if q.get("style") != "next":
            body["pageCount"] = page_count
        if number < page_count:
            body["nextUri"] = f"/api/v2/outbound/contactlists?pageNumber={number + 1}"
        return JSONResponse(body)

    def upstream(self) -> Router:
        return Router(
            routes=[
                Route("/api/v2/echo", self.echo, methods=["GET", "POST", "PUT", "DELETE"]),
                Route("/api/v2/status/{code:int}", self.status, methods=["GET", "POST"]),
                Route("/api/v2/script/{key}", self.scripted, methods=["GET", "POST", "PUT"]),
                Route("/api/v2/unauthorized", self.unauthorized),
                Route("/api/v2/slow", self.slow),
                Route("/api/v2/outbound/contactlists", self.contactlists),
            ]
        )


async def legacy_token(request: Request) -> Response:
    """A token endpoint scripted by its query: older Keycloak statuses, broken proxies, echoes."""
    q = request.query_params
    status = int(q.get("status", "400"))
    if q.get("format") == "html":
        return Response("<html>Bad Gateway</html>", status_code=status, media_type="text/html")
    if q.get("format") == "no-token":
        return JSONResponse({"token_type": "Bearer"}, status_code=status)
    description = q.get("description", "scripted")
    if q.get("echo"):
        # A misbehaving server that quotes the client secret back: must never reach a message.
        form = dict(parse_qsl((await request.body()).decode()))
        secret = form.get("client_secret")
        if secret is None:  # client_secret_basic
            basic = base64.b64decode(request.headers["authorization"][6:]).decode()
            secret = unquote_plus(basic.partition(":")[2])
        description = f"bad secret {secret}"
    return JSONResponse(
        {"error": q.get("error", "invalid_client"), "error_description": description},
        status_code=status,
    )


@dataclass
class Stack:
    """Keycloak + gateway on one loopback server."""

    base_url: str
    keycloak: Keycloak
    gateway: Gateway

    @property
    def token_url(self) -> str:
        return self.keycloak.token_url(self.base_url)

    @property
    def environment(self) -> Environment:
        return Environment(name="sandbox", token_url=self.token_url, api_base=self.base_url)

    def legacy_environment(self, query: str) -> Environment:
        return Environment(
            name="legacy", token_url=f"{self.base_url}/legacy/token?{query}", api_base=self.base_url
        )

    def new_client(
        self,
        *,
        secret: str = CANARY,
        scopes: tuple[str, ...] = (),
        auth_methods: tuple[Any, ...] = ("client_secret_basic", "client_secret_post"),
        expires_in: int | None = None,
        service_accounts: bool = True,
        enabled: bool = True,
    ) -> ClientCredentials:
        """Register a fresh client (so its counters and cached tokens start at zero)."""
        client_id = f"app-{uuid.uuid4().hex[:12]}"
        self.keycloak.register(
            RegisteredClient(
                client_id=client_id,
                secret=secret,
                auth_methods=auth_methods,
                scopes=(GENESYS_SCOPE, PLAN_SCOPE, BEARER_SCOPE),
                expires_in=expires_in,
                service_accounts=service_accounts,
                enabled=enabled,
            )
        )
        return ClientCredentials(client_id, secret, scopes)


def build_app(keycloak: Keycloak, gateway: Gateway) -> Starlette:
    upstream = gateway.upstream()
    return Starlette(
        routes=[
            *keycloak.routes,
            Route("/legacy/token", legacy_token, methods=["POST"]),
            Mount(
                "/oauth/genesyscloud",
                app=_Guard(upstream, keycloak, HeaderStyle.GENESYS, GENESYS_SCOPE),
            ),
            Mount("/bearer", app=_Guard(upstream, keycloak, HeaderStyle.BEARER, BEARER_SCOPE)),
            Mount("/custom", app=_Guard(upstream, keycloak, CUSTOM_HEADER, None)),
        ]
    )


def start_stack() -> Iterator[Stack]:
    keycloak = Keycloak()
    gateway = Gateway(keycloak)
    with serve(build_app(keycloak, gateway)) as base_url:
        yield Stack(base_url=base_url, keycloak=keycloak, gateway=gateway)
