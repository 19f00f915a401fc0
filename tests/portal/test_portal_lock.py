"""The lock file: stable TOML that reads back to what was written; derived config per product."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from odido_gen._errors import ConfigError
from odido_gen.config import HeaderConfig, load_config
from odido_gen.portal import (
    Derived,
    Lock,
    LockedAPI,
    LockedProduct,
    derived_products,
    read_lock,
    render_lock,
)
from odido_gen.portal._derive import product_key
from odido_gen.portal._lock import parse_lock
from odido_gen.portal._model import PortalPlan, PortalProduct

text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
keys = st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True)


def _product(key: str, name: str, spec: str | None = "specs/x.json") -> LockedProduct:
    return LockedProduct(
        key=key,
        id=7,
        name=name,
        display_name=name.upper(),
        path=key,
        scopes=(name, "b"),
        catalogues=("Public",),
        documentation_only=False,
        derived=Derived(
            spec=spec,
            distribution=f"odido-{key}",
            package="odido_x",
            client_name="X",
            base_path="/x",
            header=HeaderConfig("x-auth-token", "Bearer "),
            scopes=(name,),
        ),
        plans=(PortalPlan("demoplan", "demoplan"),),
        apis=(LockedAPI("a1", name, "/x/", "specs/x.json", "https://p/x", "0" * 64),)
        if spec
        else (),
    )


@given(key=keys, name=text)
def test_round_trip(key: str, name: str) -> None:
    lock = Lock(products={key: _product(key, name)})

    assert parse_lock(render_lock(lock)) == lock


def test_rendering_is_stable_and_sorted() -> None:
    a, b = _product("b-prod", "B"), _product("a-prod", "A")

    first = render_lock(Lock(products={"b-prod": a, "a-prod": b}))

    assert first == render_lock(Lock(products={"a-prod": b, "b-prod": a}))
    assert first.index("[products.a-prod]") < first.index("[products.b-prod]")


def test_derived_products_skip_products_without_a_spec() -> None:
    lock = Lock(products={"x": _product("x", "X"), "y": _product("y", "Y", spec=None)})

    derived = derived_products(lock)

    assert list(derived) == ["x"]
    assert derived["x"]["header"] == {"name": "x-auth-token", "prefix": "Bearer "}
    assert derived["x"]["portal"] == {"id": 7, "name": "X"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("version = [", "is not valid TOML"),
        ("version = 9", "lock version 9"),
        ("[products.x]\nname = 1\n", "products.x.name must be a string"),
        ('[products.x]\nname = "x"\nscopes = "a"\n', "products.x.scopes must be a list"),
        ('[products.x]\nname = "x"\n', "products.x.derived must be a table"),
    ],
)
def test_invalid_lock_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "odido-gen.lock"
    path.write_text(content)

    with pytest.raises(ConfigError, match=re.escape(message)):
        read_lock(path)


@given(path=text, name=text, product_id=st.integers(0, 10**6))
def test_derived_names_are_valid_config_values(
    tmp_path_factory: pytest.TempPathFactory, path: str, name: str, product_id: int
) -> None:
    from odido_gen.portal._derive import derive

    product = PortalProduct(id=product_id, name=name, display_name=name, path=path)
    key = product_key(product)
    derived = derive(product, key, spec="x.json", documents=[])
    lock = Lock(
        products={key: LockedProduct(key, product_id, name, name, path, (), (), False, derived)}
    )
    project = tmp_path_factory.mktemp("project")
    (project / "odido-gen.lock").write_text(render_lock(lock))
    (project / "odido-gen.toml").write_text("")

    # The config loader validates key, distribution, package and client name.
    config = load_config(project / "odido-gen.toml")

    assert list(config.products) == [key]
