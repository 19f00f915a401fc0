"""A small stand-in for Genesys Cloud's Outbound contact lists behind Odido's gateway.

It checks `x-auth-token: Bearer <token>` against a real (in-process) Keycloak-compatible token
endpoint and keeps contact lists in memory, answering with Genesys's shapes (entity listings,
`ErrorBody`).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from odido_gen.sandbox._keycloak import Keycloak
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BASE = "/oauth/genesyscloud"
SCOPE = "Genesys_Services_Oauth_External"


class FakeGenesys:
    def __init__(self, keycloak: Keycloak) -> None:
        self.keycloak = keycloak
        self.lists: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.bodies: list[Any] = []
        self._ids = itertools.count(1)

    def seed(self, count: int) -> None:
        for _ in range(count):
            self._store(
                {
                    "name": f"seeded-{len(self.lists) + 1}",
                    "columnNames": ["phone"],
                    "phoneColumns": [{"columnName": "phone", "type": "cell"}],
                }
            )

    def _store(self, body: dict[str, Any]) -> dict[str, Any]:
        list_id = f"cl-{next(self._ids):04d}"
        stored = {
            **body,
            "id": list_id,
            "version": 1,
            "dateCreated": "2026-12-01T10:00:00.000Z",
            # A state this client's spec does not know yet: it must still parse.
            "importStatus": {"state": "PAUSED_BY_ODIDO", "totalRecords": 0},
            "selfUri": f"/api/v2/outbound/contactlists/{list_id}",
        }
        self.lists[list_id] = stored
        return stored

    def _authorised(self, request: Request) -> Response | None:
        header = request.headers.get("x-auth-token")
        if header is None:
            return JSONResponse({"error": "Authorization field missing"}, status_code=401)
        scheme, _, token = header.partition(" ")
        info = self.keycloak.introspect(token) if scheme == "Bearer" else None
        if info is None or not info.active:
            return JSONResponse({"error": "Key not authorised"}, status_code=401)
        if SCOPE not in info.scopes:
            return JSONResponse(
                {"error": "Access to this API has been disallowed"}, status_code=403
            )
        return None

    @staticmethod
    def _not_found(list_id: str) -> JSONResponse:
        return JSONResponse(
            {
                "message": f"ContactList {list_id} not found",
                "code": "not.found",
                "status": 404,
                "contextId": "ctx-404",
                "details": [],
                "errors": [],
            },
            status_code=404,
            headers={"inin-correlation-id": "ctx-404"},
        )

    async def list_or_create(self, request: Request) -> Response:
        self.requests.append((request.method, request.url.path, dict(request.query_params)))
        if (refused := self._authorised(request)) is not None:
            return refused
        if request.method == "POST":
            self.bodies.append(await request.json())
            return JSONResponse(self._store(self.bodies[-1]))
        size = int(request.query_params.get("pageSize", "25"))
        number = int(request.query_params.get("pageNumber", "1"))
        items = sorted(self.lists.values(), key=lambda x: x["id"])
        pages = max(1, math.ceil(len(items) / size))
        start = (number - 1) * size
        uri = "/api/v2/outbound/contactlists?pageSize={}&pageNumber={}"
        body: dict[str, Any] = {
            "entities": items[start : start + size],
            "pageSize": size,
            "pageNumber": number,
            "total": len(items),
            "pageCount": pages,
            "firstUri": uri.format(size, 1),
            "selfUri": uri.format(size, number),
            "lastUri": uri.format(size, pages),
        }
        if number < pages:
            body["nextUri"] = uri.format(size, number + 1)
        return JSONResponse(body)

    async def one(self, request: Request) -> Response:
        self.requests.append((request.method, request.url.path, dict(request.query_params)))
        if (refused := self._authorised(request)) is not None:
            return refused
        list_id = request.path_params["list_id"]
        current = self.lists.get(list_id)
        if current is None:
            return self._not_found(list_id)
        if request.method == "PUT":
            body = await request.json()
            self.bodies.append(body)
            if body.get("version") != current["version"]:
                return JSONResponse({"message": "version mismatch", "status": 409}, status_code=409)
            current.update({k: v for k, v in body.items() if k not in ("id", "dateCreated")})
            current["version"] += 1
        return JSONResponse(current)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                *self.keycloak.routes,
                Route(
                    f"{BASE}/api/v2/outbound/contactlists",
                    self.list_or_create,
                    methods=["GET", "POST"],
                ),
                Route(
                    f"{BASE}/api/v2/outbound/contactlists/{{list_id}}",
                    self.one,
                    methods=["GET", "PUT"],
                ),
            ],
        )
