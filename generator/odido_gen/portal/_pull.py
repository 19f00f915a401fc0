"""`portal pull`: fetch every spec first, then write spec files and the lock atomically.

Nothing is written until everything is fetched, so a failed pull leaves the previous files as
they were; files whose bytes would not change are not touched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from odido_gen.portal._derive import derive, product_key, slug
from odido_gen.portal._errors import PortalError
from odido_gen.portal._files import write_if_changed
from odido_gen.portal._lock import Lock, LockedAPI, LockedProduct, read_lock, render_lock
from odido_gen.portal._model import FetchedSpec, PortalAPI, PortalProduct, Source

__all__ = ["PullResult", "keyed_products", "pull", "select_products"]

T = TypeVar("T")
Track = Callable[[Sequence[T], str], Iterable[T]]


def _no_progress(items: Sequence[T], description: str) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class PullResult:
    lock: Lock
    changes: list[str]  # "key (what changed)", sorted by key
    written: list[Path] = field(default_factory=list)


def keyed_products(products: Iterable[PortalProduct]) -> dict[str, PortalProduct]:
    """Products by config key; a key taken twice gets the portal ID (or a count) appended."""
    keyed: dict[str, PortalProduct] = {}
    for product in products:
        key = base = product_key(product)
        n = 1
        while key in keyed:
            n += 1
            key = f"{base}-{product.id}" if product.id is not None and n == 2 else f"{base}-{n}"
        keyed[key] = product
    return keyed


def select_products(
    keyed: dict[str, PortalProduct], names: Sequence[str]
) -> dict[str, PortalProduct]:
    """The products named by key, Name or Path (case-insensitive)."""
    if not names:
        return keyed
    selected: dict[str, PortalProduct] = {}
    for wanted in names:
        low = wanted.lower()
        matches = {k: p for k, p in keyed.items() if low in (k, p.name.lower(), p.path.lower())}
        if not matches:
            raise PortalError(
                f"no product {wanted!r} on the portal: `odido-gen portal products` lists them"
            )
        selected.update(matches)
    return selected


def _normalise(product: PortalProduct) -> PortalProduct:
    # Portals list catalogues and plans in no promised order; the lock must not churn on it.
    return dataclasses.replace(
        product,
        catalogues=tuple(sorted(set(product.catalogues))),
        plans=tuple(sorted(set(product.plans), key=lambda p: (p.name, p.scope))),
    )


def _spec_files(
    key: str, fetched: list[tuple[PortalAPI, FetchedSpec]], out_dir: Path
) -> list[Path]:
    """`<out>/<key>.json` for a one-API product, else `<out>/<key>/<api>.json` per API."""
    if len(fetched) == 1:
        return [out_dir / f"{key}{fetched[0][1].extension}"]
    files: list[Path] = []
    for api, spec in fetched:
        stem = base = slug(api.name or api.api_id) or "spec"
        n = 1
        while out_dir / key / f"{stem}{spec.extension}" in files:
            n += 1
            stem = f"{base}-{n}"
        files.append(out_dir / key / f"{stem}{spec.extension}")
    return files


def _without_sources(product: LockedProduct) -> LockedProduct:
    return dataclasses.replace(
        product, apis=tuple(dataclasses.replace(a, source="") for a in product.apis)
    )


def _changes(old: Lock, new: Lock) -> list[str]:
    changes = []
    for key in sorted(old.products.keys() | new.products.keys()):
        before, after = old.products.get(key), new.products.get(key)
        if before is None:
            changes.append(f"{key} (new)")
        elif after is None:
            changes.append(f"{key} (removed from the portal)")
        elif [(a.file, a.sha256) for a in before.apis] != [(a.file, a.sha256) for a in after.apis]:
            changes.append(f"{key} (spec changed)")
        elif _without_sources(before) != _without_sources(after):
            changes.append(f"{key} (metadata changed)")
    return changes


def pull(
    source: Source,
    *,
    lock_path: Path,
    out_dir: Path,
    products: Sequence[str] = (),
    check: bool = False,
    track: Track[tuple[str, PortalProduct, PortalAPI]] = _no_progress,
) -> PullResult:
    """Fetch the products' specs from `source` and update the spec files and the lock.

    With `products`, only those are refreshed and the rest of the lock is kept; without, the
    lock mirrors the source. With `check`, nothing is written.
    """
    lock_path = lock_path.absolute()
    out_dir = out_dir.absolute()
    old = read_lock(lock_path) if lock_path.exists() else Lock()
    selected = select_products(keyed_products(source.products()), products)

    jobs = [(key, p, api) for key, p in selected.items() for api in p.apis]
    fetched: dict[str, list[tuple[PortalAPI, FetchedSpec]]] = {key: [] for key in selected}
    for key, product, api in track(jobs, "downloading specs"):
        spec = source.fetch_spec(product, api)
        if spec is not None:
            fetched[key].append((api, spec))

    contents: dict[Path, bytes] = {}
    new_products = {} if not products else dict(old.products)
    for key, portal_product in selected.items():
        product = _normalise(portal_product)
        files = _spec_files(key, fetched[key], out_dir)
        relative = [Path(os.path.relpath(f, lock_path.parent)).as_posix() for f in files]
        contents.update((f, spec.content) for f, (_, spec) in zip(files, fetched[key], strict=True))
        apis = tuple(
            LockedAPI(
                api_id=api.api_id,
                name=api.name,
                listen_path=api.listen_path,
                file=rel,
                source=spec.source,
                sha256=hashlib.sha256(spec.content).hexdigest(),
            )
            for rel, (api, spec) in zip(relative, fetched[key], strict=True)
        )
        new_products[key] = LockedProduct(
            key=key,
            id=product.id,
            name=product.name,
            display_name=product.display_name,
            path=product.path,
            scopes=product.scopes,
            catalogues=product.catalogues,
            documentation_only=product.documentation_only,
            derived=derive(
                product,
                key,
                spec=relative[0] if relative else None,
                documents=[spec.document for _, spec in fetched[key]],
            ),
            plans=product.plans,
            apis=apis,
        )
    new = Lock(products=dict(sorted(new_products.items())))
    result = PullResult(lock=new, changes=_changes(old, new))
    if check:
        return result
    written = [path for path, data in contents.items() if write_if_changed(path, data)]
    if write_if_changed(lock_path, render_lock(new).encode("utf-8")):
        written.append(lock_path)
    return dataclasses.replace(result, written=written)
