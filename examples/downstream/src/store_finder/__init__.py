"""Find Odido stores by city, through the `odido_stores` client generated at build time."""

from __future__ import annotations

from odido_stores import StoresClient

__all__ = ["store_names"]


def store_names(client: StoresClient, city: str) -> list[str]:
    """The names of the stores in `city`, from every page of the listing."""
    return [store.name for store in client.stores.iter_list_stores(city=city)]
