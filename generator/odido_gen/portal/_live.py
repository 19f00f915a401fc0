"""Source: the live portal's HTML pages, read with the user's browser session cookie.

The catalogue page links each product (`/portal/catalogue-products/{Path}`); a product page
links each API's docs (`.../{Path}/{APIID}/docs`) and shows what the theme shows of the
product. Themes differ, so reading is lenient: labelled values come from `<dt>/<dd>` pairs or
two-cell table rows, plans from elements with the class `plan`, an API's listen path from the
block around its docs link. What a page does not show stays empty and the pull says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

import httpx

from odido_gen.portal._derive import split_scopes
from odido_gen.portal._errors import PortalError, SessionExpiredError
from odido_gen.portal._html import Element, parse_html
from odido_gen.portal._http import PortalHTTP, is_login_page
from odido_gen.portal._model import FetchedSpec, PortalAPI, PortalPlan, PortalProduct

__all__ = ["CATALOGUE_PATH", "LiveSource", "read_product_page"]

CATALOGUE_PATH = "portal/catalogue-products"
_MAX_CATALOGUE_PAGES = 100
_BLOCK_TAGS = ("li", "tr", "article", "section", "div", "dd", "td")
_GENERIC_LINK_TEXT = re.compile(
    r"(?i)^(view )?(api )?(docs|documentation|download( spec)?|→|->)?\W*$"
)
_LISTEN_PATH = re.compile(r"(?<![\w/])(/[A-Za-z0-9._~%\-/]*)")


def _label(element: Element) -> str:
    return element.text().strip().rstrip(":").strip().lower()


def _pairs(scope: Element, skip: set[int]) -> Iterator[tuple[str, Element]]:
    """(label, value element) from `<dt>/<dd>` and two-cell rows, outside skipped subtrees."""
    stack = [scope]
    while stack:
        node = stack.pop()
        if id(node) in skip and node is not scope:
            continue
        children = [c for c in node.children if isinstance(c, Element)]
        if node.tag == "dl":
            label: str | None = None
            for child in children:
                if child.tag == "dt":
                    label = _label(child)
                elif child.tag == "dd" and label is not None:
                    yield label, child
                    label = None
                elif child.tag == "div":  # dt/dd pairs grouped in divs (allowed by HTML)
                    pair = [c for c in child.children if isinstance(c, Element)]
                    if [c.tag for c in pair][:2] == ["dt", "dd"]:
                        yield _label(pair[0]), pair[1]
        elif node.tag == "tr":
            cells = [c for c in children if c.tag in ("th", "td")]
            if len(cells) == 2:
                yield _label(cells[0]), cells[1]
        stack.extend(reversed(children))


def _values(element: Element) -> tuple[str, ...]:
    items = [li.text() for li in element.iter("li")]
    if items:
        return tuple(i for i in items if i)
    return tuple(v.strip() for v in element.text().split(",") if v.strip())


def _first_int(text: str) -> int | None:
    match = re.search(r"\d+", text)
    return int(match.group()) if match else None


class _Page:
    """A fetched page: its tree, and its links resolved against the portal root."""

    def __init__(self, url: httpx.URL, root: Element, base: httpx.URL) -> None:
        self.url = url
        self.root = root
        self._base = base
        self._prefix = base.path.rstrip("/") + "/" + CATALOGUE_PATH

    def _links(self) -> Iterator[tuple[httpx.URL, Element]]:
        for anchor in self.root.iter("a"):
            href = anchor.attrs.get("href", "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            target = self.url.join(href)
            if (target.scheme, target.host, target.port) == (
                self._base.scheme,
                self._base.host,
                self._base.port,
            ):
                yield target, anchor

    def catalogue_links(self) -> Iterator[tuple[list[str], Element]]:
        """Links below `/portal/catalogue-products/`, as their path segments."""
        for target, anchor in self._links():
            path = target.path.rstrip("/")
            if path.startswith(self._prefix + "/"):
                # httpx's `path` is already percent-decoded.
                yield path[len(self._prefix) + 1 :].split("/"), anchor

    def next_pages(self) -> Iterator[str]:
        """Further catalogue pages (`/portal/catalogue-products?page=N`)."""
        for target, _anchor in self._links():
            if target.path.rstrip("/") == self._prefix and target.params.get("page"):
                yield f"{CATALOGUE_PATH}?page={quote(target.params['page'])}"


def read_product_page(page: _Page, path: str) -> PortalProduct:
    """The product that the page of product `path` shows."""
    api_links: dict[str, list[Element]] = {}
    for segments, anchor in page.catalogue_links():
        if len(segments) >= 3 and segments[0] == path and segments[2] == "docs":
            api_links.setdefault(segments[1], []).append(anchor)

    root = page.root
    plan_blocks = [e for e in root.iter() if "plan" in e.classes]
    plan_blocks = [b for b in plan_blocks if not any(a in plan_blocks for a in b.ancestors())]
    api_blocks = {api_id: _api_block(api_id, api_links) for api_id in api_links}
    skip = {id(b) for b in (*plan_blocks, *api_blocks.values())}

    labelled: dict[str, Element] = {}
    for label, value in _pairs(root, skip):
        labelled.setdefault(label, value)

    heading = root.find("h1")
    display_name = heading.text() if heading else ""
    name = labelled["name"].text() if "name" in labelled else ""
    scopes = labelled.get("scopes") or labelled.get("scope") or labelled.get("oauth scopes")
    catalogues = labelled.get("catalogues") or labelled.get("catalogue")

    apis = tuple(
        PortalAPI(
            api_id=api_id,
            name=_api_name(api_blocks[api_id], anchors, api_id),
            listen_path=_listen_path(api_blocks[api_id]),
        )
        for api_id, anchors in api_links.items()
    )
    return PortalProduct(
        id=_product_id(root, labelled),
        name=name or display_name or path,
        display_name=display_name or name or path,
        path=path,
        scopes=split_scopes(*_values(scopes)) if scopes else (),
        catalogues=_values(catalogues) if catalogues else (),
        plans=tuple(p for p in map(_plan, plan_blocks) if p is not None),
        apis=apis,
    )


def _plan(block: Element) -> PortalPlan | None:
    pairs = dict(_pairs(block, set()))
    heading = block.find("h2", "h3", "h4", "h5", "h6")
    name = pairs["name"].text() if "name" in pairs else heading.text() if heading else ""
    scope = pairs.get("scope") or pairs.get("jwt scope") or pairs.get("scopes")
    return PortalPlan(name, ",".join(_values(scope)) if scope else "") if name else None


def _api_block(api_id: str, api_links: dict[str, list[Element]]) -> Element:
    """The widest element around the API's first link that holds no other API's links."""
    others = {id(a) for other, anchors in api_links.items() if other != api_id for a in anchors}
    block = api_links[api_id][0]
    for ancestor in block.ancestors():
        if ancestor.tag in ("body", "main", "html", "#document"):
            break
        if any(id(a) in others for a in ancestor.iter("a")):
            break
        if ancestor.tag in _BLOCK_TAGS:
            block = ancestor
    return block


def _api_name(block: Element, anchors: list[Element], api_id: str) -> str:
    for element in block.iter():
        if any(c in ("api-name", "name", "title") for c in element.classes):
            return element.text()
    pairs = dict(_pairs(block, set()))
    if "name" in pairs:
        return pairs["name"].text()
    heading = block.find("h2", "h3", "h4", "h5", "h6")
    if heading is not None:
        return heading.text()
    for anchor in anchors:
        if not _GENERIC_LINK_TEXT.match(anchor.text()):
            return anchor.text()
    return api_id


def _listen_path(block: Element) -> str | None:
    pairs = dict(_pairs(block, set()))
    for label in ("listen path", "listen_path", "path", "base path"):
        if label in pairs and pairs[label].text().startswith("/"):
            return pairs[label].text()
    for code in block.iter("code", "kbd", "samp"):
        if code.text().startswith("/"):
            return code.text()
    texts = [c for e in block.iter() if e.tag != "a" for c in e.children if isinstance(c, str)]
    for text in texts:
        if match := _LISTEN_PATH.search(text):
            return match.group(1)
    return None


def _product_id(root: Element, labelled: dict[str, Element]) -> int | None:
    for element in root.iter():
        if "data-product-id" in element.attrs:
            return _first_int(element.attrs["data-product-id"])
    for element in root.iter("input"):
        name = element.attrs.get("name", "").lower()
        value = _first_int(element.attrs.get("value", ""))
        if name in ("product_id", "productid", "product") and value is not None:
            return value
    for label in ("id", "product id"):
        if label in labelled:
            return _first_int(labelled[label].text())
    return None


class LiveSource:
    """Products and specs from the live portal's pages, as a logged-in browser sees them."""

    def __init__(self, http: PortalHTTP, warn: Callable[[str], None]) -> None:
        self.http = http
        self.warn = warn

    def _page(self, path: str) -> _Page:
        response = self.http.get(path)
        if response.status_code != 200:
            raise self.http.fail(response, "cannot read the portal page")
        text = response.text
        if is_login_page(text):
            raise SessionExpiredError(
                f"the portal served its login page for {response.url.copy_with(query=None)}: "
                "session expired: log in again and pass a fresh cookie"
            )
        return _Page(response.url, parse_html(text), self.http.base_url)

    def products(self) -> list[PortalProduct]:
        product_paths: dict[str, None] = {}
        pending, seen_pages = [CATALOGUE_PATH], set[str]()
        while pending and len(seen_pages) < _MAX_CATALOGUE_PAGES:
            target = pending.pop(0)
            seen_pages.add(target)
            page = self._page(target)
            for segments, _anchor in page.catalogue_links():
                if len(segments) == 1 and segments[0]:
                    product_paths.setdefault(segments[0], None)
            pending.extend(p for p in page.next_pages() if p not in seen_pages and p not in pending)
        if not product_paths:
            raise PortalError(
                "the catalogue page lists no products: does your account have access to a "
                "catalogue, and is --portal the portal's root URL?"
            )
        products = []
        for path in product_paths:
            product = read_product_page(
                self._page(f"{CATALOGUE_PATH}/{quote(path, safe='')}"), path
            )
            if not product.apis:
                self.warn(f"product {product.name!r}: its page links no API docs; skipped")
            missing = [
                what
                for what, value in (
                    ("scopes", product.scopes),
                    ("listen path", [a for a in product.apis if a.listen_path]),
                )
                if not value
            ]
            if missing and product.apis:
                self.warn(
                    f"product {product.name!r}: its page shows no {' or '.join(missing)}; "
                    f"set them in odido-gen.toml under [products.<key>] if the defaults are wrong"
                )
            products.append(product)
        return products

    def fetch_spec(self, product: PortalProduct, api: PortalAPI) -> FetchedSpec | None:
        return self.http.fetch_spec(
            f"{CATALOGUE_PATH}/{quote(product.path, safe='')}/{quote(api.api_id, safe='')}"
            "/docs/download"
        )
