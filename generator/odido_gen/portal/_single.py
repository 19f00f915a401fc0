"""Source: one spec, by URL or local file, for one product (`pull --spec ... --product ...`)."""

from __future__ import annotations

import re
from pathlib import Path

from odido_gen.portal._derive import find_known_product, slug
from odido_gen.portal._errors import PortalError
from odido_gen.portal._http import DEFAULT_TIMEOUT, PortalHTTP, parse_spec_payload
from odido_gen.portal._lock import LockedProduct
from odido_gen.portal._model import FetchedSpec, PortalAPI, PortalProduct

__all__ = ["SingleSpecSource"]


class SingleSpecSource:
    """One product whose spec the user downloaded or knows the URL of.

    The product keeps what the lock already knows of it; a product new to the lock takes its
    metadata from the table of known products, or just its name.
    """

    def __init__(
        self,
        spec: str,
        product: str,
        *,
        existing: LockedProduct | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.spec = spec
        self.product_name = product
        self.existing = existing
        self.timeout = timeout

    def products(self) -> list[PortalProduct]:
        existing = self.existing
        if existing is not None:
            first = existing.apis[0] if existing.apis else None
            return [
                PortalProduct(
                    id=existing.id,
                    name=existing.name,
                    display_name=existing.display_name,
                    path=existing.path,
                    scopes=existing.scopes,
                    catalogues=existing.catalogues,
                    plans=existing.plans,
                    documentation_only=existing.documentation_only,
                    apis=(
                        PortalAPI(
                            api_id=first.api_id if first else "",
                            name=first.name if first else existing.name,
                            listen_path=first.listen_path if first else None,
                        ),
                    ),
                )
            ]
        known = find_known_product(name=self.product_name, path=self.product_name)
        if known is not None:
            return [
                PortalProduct(
                    id=None,
                    name=known.name,
                    display_name=known.display_name,
                    path=known.path,
                    scopes=known.scopes,
                    apis=(PortalAPI("", known.display_name, listen_path=known.listen_path),),
                )
            ]
        path = slug(self.product_name)
        return [
            PortalProduct(
                id=None,
                name=self.product_name,
                display_name=self.product_name,
                path=path,
                apis=(PortalAPI("", self.product_name),),
            )
        ]

    def fetch_spec(self, product: PortalProduct, api: PortalAPI) -> FetchedSpec | None:
        if re.match(r"(?i)https?://", self.spec):
            with PortalHTTP(self.spec, timeout=self.timeout) as http:
                return http.fetch_spec(self.spec)
        path = Path(self.spec)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise PortalError(f"cannot read {path}: {exc.strerror}") from None
        return parse_spec_payload(content, source=path.as_posix())
