"""A Keycloak-compatible OAuth2 token endpoint (client credentials only), as a Starlette app.

It answers like the Keycloak realms behind Odido's developer portal: the same paths, the same
client authentication (`client_secret_basic` with form-urlencoded id and secret, or
`client_secret_post`), and the same error codes and statuses:

| situation                               | status | error                  |
|-----------------------------------------|--------|------------------------|
| unknown realm                           | 404    | `Realm does not exist` |
| no `grant_type`                         | 400    | invalid_request        |
| grant type other than client_credentials| 400    | unsupported_grant_type |
| no client id at all                     | 400    | invalid_client         |
| unknown or disabled client              | 401    | invalid_client         |
| wrong or missing secret                 | 401    | unauthorized_client    |
| auth method the client is not set up for| 401    | unauthorized_client    |
| client without service accounts         | 401    | unauthorized_client    |
| scope the client may not ask for        | 400    | invalid_scope          |

Tokens are random opaque strings (real Keycloak issues JWTs; nothing here parses them).
A gateway checks a token with `Keycloak.introspect()` in-process, or over HTTP at the realm's
`token/introspect` endpoint (RFC 7662).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, unquote_plus

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["DEFAULT_REALM", "Keycloak", "RegisteredClient", "TokenInfo"]

DEFAULT_REALM: Final = "tyk-dev-portal"
AuthMethod = Literal["client_secret_basic", "client_secret_post"]
_BOTH: Final[tuple[AuthMethod, ...]] = ("client_secret_basic", "client_secret_post")
_BAD_CREDENTIALS: Final = "Invalid client or Invalid client credentials"
_NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class RegisteredClient:
    """A client (an app on the portal) registered in a realm.

    `scopes` are the optional scopes it may ask for; `default_scopes` are always granted.
    `expires_in` overrides the server's token lifetime for this client.
    """

    client_id: str
    secret: str = field(repr=False)
    auth_methods: tuple[AuthMethod, ...] = _BOTH
    scopes: tuple[str, ...] = ()
    default_scopes: tuple[str, ...] = ()
    enabled: bool = True
    service_accounts: bool = True
    expires_in: int | None = None


@dataclass(frozen=True)
class TokenInfo:
    """What the token endpoint knows about a token it issued."""

    realm: str
    client_id: str
    scopes: frozenset[str]
    issued_at: float
    expires_at: float
    revoked: bool = False

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at

    @property
    def active(self) -> bool:
        return not self.revoked and not self.expired


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=_NO_STORE
    )


class _Refusal(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


class Keycloak:
    """The token endpoint's state (realms, clients, issued tokens) and its Starlette routes.

    Mount `routes` into a larger app, or serve `app` on its own. Thread-safe: tests read the
    counters from another thread than the server's.
    """

    def __init__(
        self,
        clients: Iterable[RegisteredClient] = (),
        *,
        realm: str = DEFAULT_REALM,
        expires_in: int = 300,
    ) -> None:
        self.expires_in = expires_in
        # Seconds each token request takes: makes concurrent callers overlap for certain.
        self.delay = 0.0
        self._lock = threading.Lock()
        self._realms: dict[str, dict[str, RegisteredClient]] = {realm: {}}
        self._tokens: dict[str, TokenInfo] = {}
        self._requests = 0
        self._requests_by_client: dict[str, int] = {}
        for client in clients:
            self.register(client, realm=realm)
        self.default_realm = realm

    # -- configuration --------------------------------------------------------------------

    def register(self, client: RegisteredClient, *, realm: str | None = None) -> RegisteredClient:
        """Add (or replace) a client in `realm` (created on first use)."""
        with self._lock:
            self._realms.setdefault(realm or self.default_realm, {})[client.client_id] = client
        return client

    def token_path(self, realm: str | None = None) -> str:
        return f"/realms/{realm or self.default_realm}/protocol/openid-connect/token"

    def token_url(self, base_url: str, realm: str | None = None) -> str:
        """The token endpoint's URL when the app is served at `base_url`."""
        return base_url.rstrip("/") + self.token_path(realm)

    # -- what a gateway (or a test) asks ----------------------------------------------------

    def introspect(self, access_token: str) -> TokenInfo | None:
        """The token's client, scopes and expiry, or None when this server never issued it."""
        with self._lock:
            return self._tokens.get(access_token)

    def revoke(self, access_token: str | None = None) -> None:
        """Revoke one token, or (None) every token issued so far."""
        with self._lock:
            targets = [access_token] if access_token is not None else list(self._tokens)
            for token in targets:
                info = self._tokens.get(token)
                if info is not None:
                    self._tokens[token] = TokenInfo(**{**info.__dict__, "revoked": True})

    def token_requests(self, client_id: str | None = None) -> int:
        """Token requests served (answered, successfully or not), in total or for one client."""
        with self._lock:
            if client_id is None:
                return self._requests
            return self._requests_by_client.get(client_id, 0)

    def issued_tokens(self, client_id: str | None = None) -> list[str]:
        """The access tokens issued so far (to check that none leaks into logs or messages)."""
        with self._lock:
            return [t for t, info in self._tokens.items() if client_id in (None, info.client_id)]

    def tokens_issued(self, client_id: str | None = None) -> int:
        with self._lock:
            return sum(1 for info in self._tokens.values() if client_id in (None, info.client_id))

    # -- HTTP -----------------------------------------------------------------------------

    @property
    def routes(self) -> list[BaseRoute]:
        return [
            Route(
                "/realms/{realm}/protocol/openid-connect/token",
                self._token_endpoint,
                methods=["POST"],
            ),
            Route(
                "/realms/{realm}/protocol/openid-connect/token/introspect",
                self._introspection_endpoint,
                methods=["POST"],
            ),
            Route(
                "/realms/{realm}/.well-known/openid-configuration",
                self._discovery,
                methods=["GET"],
            ),
        ]

    @property
    def app(self) -> Starlette:
        return Starlette(routes=self.routes)

    def _realm(self, request: Request) -> dict[str, RegisteredClient]:
        realm = request.path_params["realm"]
        with self._lock:
            clients = self._realms.get(realm)
        if clients is None:
            raise _Refusal(JSONResponse({"error": "Realm does not exist"}, status_code=404))
        return clients

    async def _form(self, request: Request) -> dict[str, str]:
        body = (await request.body()).decode("utf-8", errors="replace")
        return dict(parse_qsl(body, keep_blank_values=True))

    def _authenticate(
        self,
        request: Request,
        form: Mapping[str, str],
        clients: Mapping[str, RegisteredClient],
        *,
        count: bool = False,
    ) -> RegisteredClient:
        """Keycloak's client-secret authenticator: header first, then form fields."""
        method: AuthMethod
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise _Refusal(
                    _oauth_error(400, "invalid_client", "Invalid client credentials")
                ) from None
            raw_id, sep, raw_secret = decoded.partition(":")
            if not sep:
                raise _Refusal(_oauth_error(400, "invalid_client", "Invalid client credentials"))
            client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
            method = "client_secret_basic"
        else:
            client_id = form.get("client_id", "")
            secret = form.get("client_secret", "")
            method = "client_secret_post"
        if not client_id:
            raise _Refusal(_oauth_error(400, "invalid_client", "Missing client_id parameter"))
        if count:
            self._count(client_id)
        client = clients.get(client_id)
        if client is None or not client.enabled:
            raise _Refusal(_oauth_error(401, "invalid_client", _BAD_CREDENTIALS))
        if (
            method not in client.auth_methods
            or not secret
            or not secrets.compare_digest(secret.encode(), client.secret.encode())
        ):
            raise _Refusal(_oauth_error(401, "unauthorized_client", _BAD_CREDENTIALS))
        return client

    def _count(self, client_id: str) -> None:
        with self._lock:
            self._requests_by_client[client_id] = self._requests_by_client.get(client_id, 0) + 1

    async def _token_endpoint(self, request: Request) -> Response:
        with self._lock:
            self._requests += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        try:
            clients = self._realm(request)
            form = await self._form(request)
            grant_type = form.get("grant_type")
            if not grant_type:
                return _oauth_error(400, "invalid_request", "Missing form parameter: grant_type")
            if grant_type not in {
                "client_credentials",
                "password",
                "refresh_token",
                "authorization_code",
            }:
                return _oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")
            client = self._authenticate(request, form, clients, count=True)
            if grant_type != "client_credentials":
                return _oauth_error(
                    400, "unauthorized_client", f"Client not allowed for grant {grant_type}"
                )
            if not client.service_accounts:
                return _oauth_error(
                    401, "unauthorized_client", "Client not enabled to retrieve service account"
                )
            requested = form.get("scope", "").split()
            allowed = set(client.scopes) | set(client.default_scopes)
            if any(scope not in allowed for scope in requested):
                return _oauth_error(400, "invalid_scope", f"Invalid scopes: {form['scope']}")
            return self._issue(request.path_params["realm"], client, requested)
        except _Refusal as refusal:
            return refusal.response

    def _issue(self, realm: str, client: RegisteredClient, requested: list[str]) -> Response:
        granted = list(dict.fromkeys([*client.default_scopes, *requested]))
        lifetime = client.expires_in if client.expires_in is not None else self.expires_in
        access_token = secrets.token_urlsafe(32)
        now = time.time()
        with self._lock:
            self._tokens[access_token] = TokenInfo(
                realm=realm,
                client_id=client.client_id,
                scopes=frozenset(granted),
                issued_at=now,
                expires_at=now + lifetime,
            )
        payload: dict[str, Any] = {
            "access_token": access_token,
            "expires_in": lifetime,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": " ".join(granted),
        }
        return JSONResponse(payload, headers=_NO_STORE)

    async def _introspection_endpoint(self, request: Request) -> Response:
        try:
            clients = self._realm(request)
            form = await self._form(request)
            self._authenticate(request, form, clients)
        except _Refusal as refusal:
            return refusal.response
        info = self.introspect(form.get("token", ""))
        if info is None or not info.active or info.realm != request.path_params["realm"]:
            return JSONResponse({"active": False})
        return JSONResponse(
            {
                "active": True,
                "client_id": info.client_id,
                "scope": " ".join(sorted(info.scopes)),
                "iat": int(info.issued_at),
                "exp": int(info.expires_at),
                "token_type": "Bearer",
            }
        )

    async def _discovery(self, request: Request) -> Response:
        clients = self._realm_or_none(request)
        if clients is None:
            return JSONResponse({"error": "Realm does not exist"}, status_code=404)
        issuer = str(request.base_url).rstrip("/") + f"/realms/{request.path_params['realm']}"
        scopes = sorted({s for c in clients.values() for s in (*c.scopes, *c.default_scopes)})
        return JSONResponse(
            {
                "issuer": issuer,
                "token_endpoint": f"{issuer}/protocol/openid-connect/token",
                "introspection_endpoint": f"{issuer}/protocol/openid-connect/token/introspect",
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": list(_BOTH),
                "response_types_supported": ["token"],
                "scopes_supported": scopes,
            }
        )

    def _realm_or_none(self, request: Request) -> dict[str, RegisteredClient] | None:
        with self._lock:
            clients = self._realms.get(request.path_params["realm"])
            return None if clients is None else dict(clients)
