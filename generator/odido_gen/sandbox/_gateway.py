"""The API gateway: Tyk's checks at each product's listen path, then an answer from the spec.

| request                                  | status | `error` in the JSON body               |
|------------------------------------------|--------|----------------------------------------|
| product header absent                    | 401    | Authorization field missing            |
| wrong prefix, unknown or revoked token   | 401    | Key not authorized                     |
| expired token                            | 401    | Key has expired, please renew          |
| valid token without the product's scope  | 403    | Access to this API has been disallowed |
| no operation for the method and path     | 404    | (what the upstream would say)          |

A valid call gets the operation's 2xx example, else an instance of its response schema, else
204. With an upstream, the call is forwarded instead, with the caller's token header replaced
by the gateway's own `Authorization: Bearer <token>` (as Odido's gateway does for Genesys).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from odido_gen.sandbox._catalog import SandboxProduct
from odido_gen.sandbox._examples import example_for, resolve
from odido_gen.sandbox._keycloak import Keycloak

__all__ = ["Gateway", "Operation", "operations"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Never forwarded: hop-by-hop headers (RFC 9110 §7.6.1) and what the proxy recomputes.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
    }
)


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    template: str
    pattern: re.Pattern[str]
    operation: Mapping[str, Any]


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    regex = "".join(
        "[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts
    )
    return re.compile(f"^{regex}/?$")


def operations(document: Mapping[str, Any]) -> list[Operation]:
    """The spec's operations, literal paths before templated ones (`/a/list` before `/a/{id}`)."""
    found = []
    for template, item in (document.get("paths") or {}).items():
        item, _ = resolve(document, item)
        if not isinstance(item, Mapping):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping):
                found.append(Operation(method.upper(), template, _pattern(template), operation))
    return sorted(
        found, key=lambda o: (o.template.count("{"), -len(o.template), o.template, o.method)
    )


def _server_prefix(document: Mapping[str, Any]) -> str:
    servers = document.get("servers")
    url = servers[0].get("url", "") if isinstance(servers, list) and servers else ""
    path = httpx.URL(url).path if isinstance(url, str) and "{" not in url else ""
    return path.rstrip("/")


def _tyk_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _pick_response(operation: Mapping[str, Any]) -> tuple[int, Any] | None:
    responses = operation.get("responses") or {}
    codes = sorted(str(c) for c in responses if str(c)[:1] == "2" and str(c)[1:].isdigit())
    if codes:
        return int(codes[0]), responses[codes[0]]
    for wildcard, status in (("2XX", 200), ("2xx", 200), ("default", 200)):
        if wildcard in responses:
            return status, responses[wildcard]
    return None


def _media_example(document: Mapping[str, Any], media: Mapping[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, Mapping):
        for name in examples:
            example, _ = resolve(document, examples[name])
            if isinstance(example, Mapping) and "value" in example:
                return example["value"]
    return example_for(media.get("schema", {}), document)


class _Product:
    def __init__(self, product: SandboxProduct, document: Mapping[str, Any]) -> None:
        self.product = product
        self.document = document
        self.operations = operations(document)
        self.server_prefix = _server_prefix(document)

    def match(self, method: str, path: str) -> tuple[Operation | None, bool]:
        """The operation for method and path, and whether the path exists at all."""
        candidates = [path]
        if self.server_prefix and path.startswith(self.server_prefix + "/"):
            candidates.append(path[len(self.server_prefix) :])
        path_found = False
        for candidate in candidates:
            for operation in self.operations:
                if operation.pattern.match(candidate):
                    path_found = True
                    if operation.method == method or (
                        method == "HEAD" and operation.method == "GET"
                    ):
                        return operation, True
        return None, path_found

    def answer(self, operation: Operation) -> Response:
        picked = _pick_response(operation.operation)
        if picked is None:
            return Response(status_code=204)
        status, response = picked
        response, _ = resolve(self.document, response)
        content = response.get("content") if isinstance(response, Mapping) else None
        if not isinstance(content, Mapping) or not content:
            return Response(status_code=204)
        media_type = next((m for m in content if "json" in m), next(iter(content)))
        media, _ = resolve(self.document, content[media_type])
        example = _media_example(self.document, media if isinstance(media, Mapping) else {})
        if "json" in media_type or media_type == "*/*":
            body = json.dumps(example, ensure_ascii=False).encode("utf-8")
            return Response(body, status_code=status, media_type="application/json")
        if isinstance(example, bytes | bytearray):
            return Response(bytes(example), status_code=status, media_type=media_type)
        text = example if isinstance(example, str) else json.dumps(example)
        return Response(text.encode("utf-8"), status_code=status, media_type=media_type)


class Gateway:
    """Checks the token of each call at a product's listen path, then answers or forwards."""

    def __init__(
        self,
        products: Sequence[tuple[SandboxProduct, Mapping[str, Any]]],
        keycloak: Keycloak,
        *,
        upstream: str | None = None,
        upstream_token: str = "",
    ) -> None:
        # Longest listen path first, so `/a/b/` wins over `/a/` for `/a/b/c`.
        self._products = sorted(
            (_Product(p, d) for p, d in products if not p.documentation_only),
            key=lambda p: -len(p.product.base_path),
        )
        self._keycloak = keycloak
        self._upstream = upstream.rstrip("/") if upstream else None
        self._upstream_token = upstream_token
        self.client: httpx.AsyncClient | None = None  # set by the app's lifespan

    def product_for(self, path: str) -> tuple[_Product, str] | None:
        for product in self._products:
            base = product.product.base_path
            if path == base or path.startswith(base + "/"):
                return product, path[len(base) :] or "/"
        return None

    def _refusal(self, request: Request, product: SandboxProduct) -> Response | None:
        raw = request.headers.get(product.header.name)
        if raw is None or not raw.strip():
            return _tyk_error(401, "Authorization field missing")
        prefix = product.header.prefix
        if prefix and not raw.lower().startswith(prefix.lower()):
            return _tyk_error(401, "Key not authorized")
        info = self._keycloak.introspect(raw[len(prefix) :].strip())
        if info is None or info.revoked:
            return _tyk_error(401, "Key not authorized")
        if info.expired:
            return _tyk_error(401, "Key has expired, please renew")
        if not set(product.scopes) & info.scopes:
            return _tyk_error(403, "Access to this API has been disallowed")
        return None

    async def handle(self, request: Request) -> Response:
        """The endpoint for every path no other route takes."""
        found = self.product_for(request.url.path)
        if found is None:
            return PlainTextResponse("404 page not found", status_code=404)
        product, path = found
        refusal = self._refusal(request, product.product)
        if refusal is not None:
            return refusal
        if self._upstream is not None:
            return await self._forward(request, product.product, path)
        operation, path_found = product.match(request.method, path)
        if operation is None:
            status = 405 if path_found else 404
            return _tyk_error(status, f"no operation {request.method} {path} in the spec")
        return product.answer(operation)

    async def _forward(self, request: Request, product: SandboxProduct, path: str) -> Response:
        assert self._upstream is not None
        dropped = _HOP_BY_HOP | {product.header.name.lower(), "authorization"}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in dropped}
        headers["Authorization"] = f"Bearer {self._upstream_token}"
        client = self.client or httpx.AsyncClient()
        try:
            query = request.url.query
            upstream = await client.request(
                request.method,
                self._upstream + path + (f"?{query}" if query else ""),
                headers=headers,
                content=await request.body(),
            )
        except httpx.HTTPError:
            return _tyk_error(502, "There was a problem proxying the request")
        finally:
            if client is not self.client:
                await client.aclose()
        kept = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP}
        return Response(upstream.content, status_code=upstream.status_code, headers=kept)
