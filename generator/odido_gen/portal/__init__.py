"""Portal sync: read products and specs from Odido's developer portal into specs/ and a lock.

Sources: the admin API (`--token`), the live portal with a browser session (`--cookie`), or
one spec by URL or file (`--spec ... --product ...`). `read_lock` and `derived_products` give
the config loader the pulled products; the user's own settings are laid over them.
"""

from odido_gen.portal._cli import portal
from odido_gen.portal._derive import KNOWN_PRODUCTS, Derived, KnownProduct
from odido_gen.portal._errors import PortalError, SessionExpiredError
from odido_gen.portal._lock import (
    LOCK_FILE,
    Lock,
    LockedAPI,
    LockedProduct,
    derived_products,
    read_lock,
    render_lock,
)
from odido_gen.portal._model import FetchedSpec, PortalAPI, PortalPlan, PortalProduct, Source
from odido_gen.portal._pull import PullResult, pull

__all__ = [
    "KNOWN_PRODUCTS",
    "LOCK_FILE",
    "Derived",
    "FetchedSpec",
    "KnownProduct",
    "Lock",
    "LockedAPI",
    "LockedProduct",
    "PortalAPI",
    "PortalError",
    "PortalPlan",
    "PortalProduct",
    "PullResult",
    "SessionExpiredError",
    "Source",
    "derived_products",
    "portal",
    "pull",
    "read_lock",
    "render_lock",
]
