"""Source: the portal's admin REST API (`<portal>/portal-api`, `Authorization: <token>`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from urllib.parse import quote

import httpx

from odido_gen.portal._derive import split_scopes
from odido_gen.portal._errors import PortalError
from odido_gen.portal._http import PortalHTTP
from odido_gen.portal._model import FetchedSpec, PortalAPI, PortalPlan, PortalProduct

__all__ = ["PER_PAGE", "AdminSource"]

PER_PAGE = 20  # the portal's default page size; a shorter page is the last one
_MAX_PAGES = 1000  # a portal that ignores `page` must not loop forever

JSONObject = dict[str, object]


def _objects(body: object, what: str) -> list[JSONObject]:
    # Lists are bare arrays, or wrapped as {"data": [...]} by some portal versions.
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    if not isinstance(body, list):
        raise PortalError(f"unexpected answer for {what}: expected a JSON list")
    return [item for item in body if isinstance(item, dict)]


def _items(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _catalogues(values: object, catalogue_names: Mapping[int, str]) -> tuple[str, ...]:
    """Catalogue names from a list of names or of IDs (both occur)."""
    names = (
        catalogue_names.get(v, "") if isinstance(v, int) else _str(v)
        for v in _items(values)
        if isinstance(v, int | str)
    )
    return tuple(name for name in names if name)


def _str(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class AdminSource:
    """Products, plans and specs through the admin API."""

    def __init__(self, http: PortalHTTP, warn: Callable[[str], None]) -> None:
        self.http = http
        self.warn = warn

    # --- requests --------------------------------------------------------------------------

    def _json(self, response: httpx.Response, what: str) -> object:
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError):
            raise PortalError(
                f"unexpected answer for {what} from {response.url.copy_with(query=None)}: "
                "not JSON; is --portal the portal's root URL?"
            ) from None

    def _get(self, path: str, what: str, params: Mapping[str, int] | None = None) -> object:
        response = self.http.get(path, params=params)
        if _is_route_missing(response):
            raise PortalError(
                f"no admin API at {self.http.url('portal-api')} (HTTP 404): check --portal"
            )
        if response.status_code != 200:
            raise self.http.fail(response, f"cannot read {what}")
        return self._json(response, what)

    def _list(self, path: str, what: str) -> list[JSONObject]:
        items: list[JSONObject] = []
        previous: list[JSONObject] | None = None
        for page in range(1, _MAX_PAGES + 1):
            batch = _objects(
                self._get(path, what, {"page": page, "per_page": PER_PAGE}),
                what,
            )
            if batch == previous:
                break  # the portal ignored `page`
            items.extend(batch)
            if len(batch) < PER_PAGE:
                break
            previous = batch
        return items

    # --- products --------------------------------------------------------------------------

    def _catalogue_names(self) -> dict[int, str]:
        return {
            cid: _str(c.get("Name"))
            for c in self._list("portal-api/catalogues", "catalogues")
            if (cid := _int(c.get("ID"))) is not None
        }

    def _plans(self, catalogue_names: Mapping[int, str]) -> list[tuple[PortalPlan, set[str]]]:
        plans = []
        for entry in self._list("portal-api/plans", "plans"):
            plan = entry
            plan_id = _int(entry.get("ID"))
            if "JWTScope" not in entry and plan_id is not None:
                # The list shows a summary on some versions; the scope is in the detail.
                response = self.http.get(f"portal-api/plans/{plan_id}")
                if response.status_code == 200:
                    detail = self._json(response, f"plan {plan_id}")
                    if isinstance(detail, dict):
                        plan = {**entry, **detail}
            plans.append(
                (
                    PortalPlan(name=_str(plan.get("Name")), scope=_str(plan.get("JWTScope"))),
                    set(_catalogues(plan.get("Catalogues"), catalogue_names)),
                )
            )
        return plans

    def products(self) -> list[PortalProduct]:
        summaries = self._list("portal-api/products", "products")
        catalogue_names = self._catalogue_names()
        plans = self._plans(catalogue_names)
        products = []
        for summary in summaries:
            product_id = _int(summary.get("ID"))
            detail: object = summary
            if product_id is not None:
                detail = self._get(f"portal-api/products/{product_id}", f"product {product_id}")
                if isinstance(detail, dict) and isinstance(detail.get("data"), dict):
                    detail = detail["data"]
            if not isinstance(detail, dict):
                raise PortalError(f"unexpected answer for product {product_id}: not an object")
            products.append(self._product({**summary, **detail}, catalogue_names, plans))
        return products

    def _product(
        self,
        data: JSONObject,
        catalogue_names: Mapping[int, str],
        plans: list[tuple[PortalPlan, set[str]]],
    ) -> PortalProduct:
        catalogues = _catalogues(data.get("Catalogues"), catalogue_names)
        apis: list[PortalAPI] = []
        for api in _items(data.get("APIDetails")):
            if isinstance(api, dict):
                apis.append(
                    PortalAPI(
                        api_id=_str(api.get("APIID")),
                        name=_str(api.get("Name")),
                        listen_path=_str(api.get("ListenPath")) or None,
                        oas_url=_str(api.get("OASUrl")) or None,
                    )
                )
        for spec in _items(data.get("SpecDetails")):
            if isinstance(spec, dict):
                alias = _str(spec.get("SpecAlias"))
                spec_id = _int(spec.get("ID"))
                apis.append(
                    PortalAPI(
                        api_id=alias or _str(spec_id),
                        name=_str(spec.get("Name")) or alias,
                        oas_url=_str(spec.get("OASUrl")) or None,
                        spec_id=spec_id,
                    )
                )
        name = _str(data.get("Name"))
        return PortalProduct(
            id=_int(data.get("ID")),
            name=name,
            display_name=_str(data.get("DisplayName")) or name,
            path=_str(data.get("Path")),
            scopes=split_scopes(_str(data.get("Scopes"))),
            catalogues=catalogues,
            plans=tuple(plan for plan, cats in plans if cats & set(catalogues)),
            documentation_only=data.get("IsDocumentationOnly") is True,
            apis=tuple(apis),
        )

    # --- specs -----------------------------------------------------------------------------

    def fetch_spec(self, product: PortalProduct, api: PortalAPI) -> FetchedSpec | None:
        if api.spec_id is not None:
            path = f"portal-api/products/{product.id}/spec-details/{api.spec_id}/oas"
        elif api.api_id:
            path = f"portal-api/products/{product.id}/api-details/{quote(api.api_id, safe='')}/oas"
        else:
            path = ""
        if path and product.id is not None:
            response = self.http.get(path)
            if response.status_code == 200:
                return self.http.spec_from(response, path)
            if response.status_code not in (404, 422) or _is_route_missing(response):
                raise self.http.fail(
                    response, f"cannot download the spec of {product.name} / {api.name}"
                )
        if api.oas_url:
            return self.http.fetch_spec(api.oas_url)
        self.warn(
            f"product {product.name!r}, API {api.name or api.api_id!r}: the portal has no spec "
            "uploaded and no OASUrl set; skipped (pass it with --spec FILE --product ...)"
        )
        return None


def _is_route_missing(response: httpx.Response) -> bool:
    """A 404 in plain text is the router's (`404 page not found`): a wrong --portal.

    The admin API's own 404s (unknown product, no such spec) are JSON `{"errors": [...]}`.
    """
    if response.status_code != 404:
        return False
    try:
        json.loads(response.text)
    except ValueError:
        return True
    return False
