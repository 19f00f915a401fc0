"""HTTP for the portal sync: credentials only to the portal's origin, errors as one line.

Redirects are followed by hand so that the admin token and the session cookie are never sent
to another origin (httpx drops the Cookie header on every redirect and keeps Authorization on
http->https upgrades; neither is what a portal session needs).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Mapping
from typing import Literal

import httpx

from odido_gen.portal._errors import PortalError, SessionExpiredError
from odido_gen.portal._html import parse_html
from odido_gen.portal._model import FetchedSpec
from odido_gen.spec._errors import Problem
from odido_gen.spec._parse import parse_document

__all__ = ["DEFAULT_TIMEOUT", "PortalHTTP", "is_login_page", "parse_spec_payload"]

DEFAULT_TIMEOUT = 30.0
_MAX_REDIRECTS = 10
Credential = Literal["token", "cookie", "none"]


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _is_dns_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return True
        text = str(current).lower()
        if any(
            marker in text
            for marker in (
                "name or service not known",
                "nodename nor servname",
                "getaddrinfo failed",
                "temporary failure in name resolution",
                "no address associated",
            )
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def _shown(url: httpx.URL) -> str:
    # Userinfo and query strings may carry credentials; the rest is enough to find the fault.
    return str(url.copy_with(username=None, password=None, query=None, fragment=None))


class PortalHTTP:
    """GET requests to one portal, carrying its credential only to that portal's origin."""

    def __init__(
        self,
        base_url: str,
        *,
        credential: Credential = "none",
        secret: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        if self.base_url.scheme not in ("http", "https") or not self.base_url.host:
            raise PortalError(f"not an http(s) URL: {_shown(self.base_url)}")
        self.credential = credential
        self._secret = secret
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PortalHTTP:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def url(self, path: str) -> httpx.URL:
        if re.match(r"(?i)https?://", path):
            return httpx.URL(path)
        # Relative to the portal root, also when the portal lives under a path prefix.
        return self.base_url.join(path.lstrip("/"))

    def _headers_for(self, url: httpx.URL) -> dict[str, str]:
        headers = {"Accept": "application/json, application/x-yaml, text/yaml, text/html;q=0.9"}
        if self._secret and _origin(url) == _origin(self.base_url):
            if self.credential == "token":
                headers["Authorization"] = self._secret
            elif self.credential == "cookie":
                headers["Cookie"] = self._secret
        return headers

    def get(
        self, path_or_url: str, *, params: Mapping[str, int | str] | None = None
    ) -> httpx.Response:
        """GET, following redirects; raises PortalError on transport failures and 401/403."""
        url = self.url(path_or_url)
        if params:
            url = url.copy_merge_params(dict(params))
        for _ in range(_MAX_REDIRECTS + 1):
            response = self._send(url)
            if response.is_redirect and "location" in response.headers:
                url = url.join(response.headers["location"])
                continue
            self._raise_for_auth(response)
            return response
        raise PortalError(f"too many redirects for {_shown(url)}")

    def _send(self, url: httpx.URL) -> httpx.Response:
        try:
            return self._client.get(url, headers=self._headers_for(url))
        except httpx.TimeoutException:
            raise PortalError(
                f"timed out after {self.timeout:g} s waiting for {_shown(url)}: "
                "check the network, or retry with a longer --timeout"
            ) from None
        except httpx.ConnectError as exc:
            if _is_dns_failure(exc):
                raise PortalError(
                    f"cannot resolve host {url.host!r}: check the portal URL (--portal / --env)"
                ) from None
            raise PortalError(
                f"cannot connect to {_shown(url.copy_with(path='/'))}: the server refused or "
                "is unreachable; check the portal URL and your network"
            ) from None
        except httpx.HTTPError as exc:
            raise PortalError(f"request to {_shown(url)} failed: {type(exc).__name__}") from None

    def _raise_for_auth(self, response: httpx.Response) -> None:
        if response.status_code not in (401, 403):
            return
        if _origin(response.url) != _origin(self.base_url) or self.credential == "none":
            raise PortalError(
                f"{_shown(response.url)} answered HTTP {response.status_code}: "
                "it needs credentials odido-gen does not send to other hosts; "
                "download the spec yourself and use --spec FILE"
            )
        if self.credential == "token":
            raise PortalError(
                f"the portal refused the admin token (HTTP {response.status_code}) for "
                f"{_shown(response.url)}: check --token or ODIDO_PORTAL_TOKEN"
            )
        raise SessionExpiredError(
            f"the portal refused the session cookie (HTTP {response.status_code}) for "
            f"{_shown(response.url)}: log in again and pass a fresh --cookie"
        )

    def fail(self, response: httpx.Response, what: str) -> PortalError:
        """The error for an unexpected status, with the portal's own message if it gave one."""
        detail = _error_detail(response)
        return PortalError(
            f"{what}: {_shown(response.url)} answered HTTP {response.status_code}"
            + (f" ({detail})" if detail else "")
        )

    def fetch_spec(self, path_or_url: str) -> FetchedSpec:
        response = self.get(path_or_url)
        if response.status_code != 200:
            raise self.fail(response, "cannot download the spec")
        return self.spec_from(response, path_or_url)

    def spec_from(self, response: httpx.Response, path_or_url: str) -> FetchedSpec:
        """The spec in a 200 response to `path_or_url` (the source recorded in the lock)."""
        return parse_spec_payload(
            response.content,
            source=_shown(self.url(path_or_url)),
            content_type=response.headers.get("content-type"),
            session=self.credential == "cookie" and _origin(response.url) == _origin(self.base_url),
        )


def _error_detail(response: httpx.Response) -> str:
    text = response.text.strip()
    try:
        body = json.loads(text)
    except ValueError:
        # Plain text is short on the portal (`404 page not found`); HTML says nothing useful.
        return "" if text.startswith("<") else text.splitlines()[0][:200] if text else ""
    if isinstance(body, dict):
        errors = body.get("errors") or body.get("error") or body.get("message")
        if isinstance(errors, list):
            return "; ".join(str(e) for e in errors)[:200]
        if errors:
            return str(errors)[:200]
    return ""


def is_login_page(html: str) -> bool:
    """True when `html` is a sign-in page: a password field or a login/SSO form or link."""
    root = parse_html(html)
    for field in root.iter("input"):
        if field.attrs.get("type", "").lower() == "password":
            return True
    for element in root.iter("form", "a"):
        target = (element.attrs.get("action") or element.attrs.get("href") or "").lower()
        if "/auth/password/login" in target or "/protocol/openid-connect/auth" in target:
            return True
    title = root.find("title")
    return title is not None and any(
        word in title.text().lower() for word in ("log in", "login", "sign in")
    )


def _looks_like_html(content: bytes, content_type: str | None) -> bool:
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return True
    return bool(content_type and "text/html" in content_type.lower() and head.startswith(b"<"))


def parse_spec_payload(
    content: bytes, *, source: str, content_type: str | None = None, session: bool = False
) -> FetchedSpec:
    """Check that `content` is an OpenAPI/Swagger document (JSON or YAML) and parse it."""
    if _looks_like_html(content, content_type):
        html = content.decode("utf-8", "replace")
        if is_login_page(html):
            if session:
                raise SessionExpiredError(
                    f"{source} served the login page instead of a spec: session expired: "
                    "log in again and pass a fresh cookie"
                )
            raise PortalError(f"{source} served a login page instead of a spec")
        raise PortalError(f"{source} served an HTML page, not an OpenAPI or Swagger document")
    try:
        # The spec loader's parser: JSON or YAML, with YAML alias bombs refused.
        document = parse_document(content)
    except Problem as exc:
        raise PortalError(f"{source} is not a JSON or YAML spec: {exc.detail}") from None
    extension = ".json" if content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else ".yaml"
    if not isinstance(document, dict) or not ("openapi" in document or "swagger" in document):
        raise PortalError(
            f"{source} is not an OpenAPI or Swagger document (no `openapi` or `swagger` key)"
        )
    return FetchedSpec(
        content=content,
        source=source,
        document={str(k): v for k, v in document.items()},
        extension=extension,
    )
