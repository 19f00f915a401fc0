"""Generate product packages: load the spec, build the product model, render, format, place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from odido_gen.config import ProductConfig
from odido_gen.model import build_product
from odido_gen.render import Drift, diff_tree, format_files, render_package, replace_tree

__all__ = ["ProductResult", "generate_product", "render_product"]


@dataclass(frozen=True)
class ProductResult:
    key: str
    target: Path
    operations: int
    models: int
    warnings: tuple[str, ...]
    changed: bool = False
    drift: Drift | None = None
    files: dict[str, str] = field(default_factory=dict, repr=False)


def render_product(config: ProductConfig) -> tuple[dict[str, str], int, int, tuple[str, ...]]:
    """The formatted files of one product's package, with its counts and warnings."""
    from odido_gen.spec import load_spec

    spec = load_spec(config.spec, label=config.key)
    product = build_product(spec.document, config)
    product.spec_sha256 = spec.sha256
    files = format_files(render_package(product), label=config.key)
    models = sum(
        1
        for path in files
        if path.startswith(f"{product.package}/models/") and not path.endswith("__init__.py")
    )
    warnings = tuple(str(w) for w in spec.warnings) + tuple(product.warnings)
    return files, product.operation_count, models, warnings


def generate_product(
    config: ProductConfig,
    output: Path,
    *,
    check: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> ProductResult:
    """Render one product into `output/<distribution>`, or (check) compare it with what is there."""
    files, operations, models, warnings = render_product(config)
    if on_warning is not None:
        for warning in warnings:
            on_warning(warning)
    target = output / config.distribution
    if check:
        drift = diff_tree(target, files)
        return ProductResult(config.key, target, operations, models, warnings, drift=drift)
    changed = replace_tree(target, files)
    return ProductResult(config.key, target, operations, models, warnings, changed=changed)


def generate_all(
    products: Sequence[ProductConfig],
    output: Path,
    *,
    check: bool = False,
    on_warning: Callable[[str], None] | None = None,
) -> list[ProductResult]:
    return [generate_product(p, output, check=check, on_warning=on_warning) for p in products]
