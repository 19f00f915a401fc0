"""`odido-gen build`: sdists and wheels of odido-runtime and the configured products."""

from __future__ import annotations

import time
from pathlib import Path

import click

from odido_gen.config import ProductConfig, find_config, load_config

__all__ = ["build"]


def _products(config_path: Path | None, keys: tuple[str, ...]) -> list[ProductConfig]:
    path = config_path or find_config(Path.cwd())
    if path is None:
        if keys:
            raise click.UsageError(
                "no odido-gen.toml or [tool.odido-gen] found here or above; pass --config"
            )
        return []
    config = load_config(path)
    unknown = [k for k in keys if k not in config.products]
    if unknown:
        known = ", ".join(config.products) or "none"
        raise click.UsageError(f"unknown product {unknown[0]!r} (configured: {known})")
    return [config.products[k] for k in (keys or tuple(config.products))]


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1000:.0f} kB"


@click.command("build")
@click.argument("products", nargs=-1)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="odido-gen.toml or a pyproject.toml with [tool.odido-gen] (default: the nearest one).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder for the sdists and wheels.",
)
@click.option("--no-runtime", is_flag=True, help="Build the products only, not odido-runtime.")
@click.option(
    "--no-cache", is_flag=True, help="Render every product afresh (see ODIDO_GEN_CACHE_DIR)."
)
@click.pass_context
def build(
    ctx: click.Context,
    products: tuple[str, ...],
    config_path: Path | None,
    out: Path,
    no_runtime: bool,
    no_cache: bool,
) -> None:
    """Build an sdist and a wheel of odido-runtime and of each product.

    Each product is generated afresh into a temporary folder and built there with hatchling
    (PEP 517, no build isolation, so no network); generated/ is left as it is. Versions come
    from each product's `version` in the config. Builds are reproducible: every file in an
    archive carries the time SOURCE_DATE_EPOCH (default 1580601600, 2020-02-02), so the same
    inputs give the same bytes.

    \b
    Examples:
      odido-gen build                        # runtime + every product
      odido-gen build genesys --out wheels/  # runtime + one product
      odido-gen build --no-runtime genesys   # the product only
      pip install dist/odido_genesys-0.1.0-py3-none-any.whl \\
                  dist/odido_runtime-0.1.0-py3-none-any.whl
    """
    from odido_gen._cache import RenderCache
    from odido_gen.builder._dist import build_all

    quiet = bool(ctx.obj and ctx.obj.get("quiet"))
    verbose = bool(ctx.obj and ctx.obj.get("verbose"))
    selected = _products(config_path, products)
    if not selected and no_runtime:
        raise click.UsageError("nothing to build: no products configured and --no-runtime")
    started = time.perf_counter()
    built = build_all(
        selected,
        out,
        runtime=not no_runtime,
        cache=None if no_cache else RenderCache(),
        verbose=verbose,
    )
    if quiet:
        return
    for item in built:
        click.echo(f"{item.label}: {item.name} {item.version}")
        for artifact in (item.sdist, item.wheel):
            click.echo(f"  {artifact} ({_size(artifact)})")
    seconds = time.perf_counter() - started
    click.echo(f"{len(built)} distribution(s), {2 * len(built)} files in {out} ({seconds:.1f}s)")
