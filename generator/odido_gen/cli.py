"""The `odido-gen` command line.

Exit codes: 0 success, 1 a check found drift, 2 a usage or input error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from odido_gen import __version__
from odido_gen._errors import OdidoGenError
from odido_gen.config import (
    HeaderConfig,
    ProductConfig,
    find_config,
    load_config,
    product_from_options,
)
from odido_gen.portal import portal
from odido_gen.sandbox import sandbox

__all__ = ["main"]

EXIT_DRIFT = 1
EXIT_INPUT = 2


class _Errors(click.Group):
    """Turns the generator's own errors into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OdidoGenError as exc:
            click.secho(f"error: {exc}", err=True, fg="red")
            ctx.exit(exc.exit_code)
        except Exception as exc:
            # Spec loading errors and the like come from other modules; report them the same way.
            from odido_gen.spec import SpecError

            if isinstance(exc, SpecError):
                click.secho(f"error: {exc}", err=True, fg="red")
                ctx.exit(EXIT_INPUT)
            raise


@click.group(cls=_Errors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="odido-gen")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Print every spec repair warning.")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Typed Python clients for the APIs of the Odido developer portal.

    \b
    Exit codes: 0 ok, 1 check or drift failed, 2 usage or input error.
    """
    ctx.obj = {"quiet": quiet, "verbose": verbose}


def _echo(ctx: click.Context, message: str) -> None:
    if not ctx.obj["quiet"]:
        click.echo(message)


def _parse_header(value: str | None) -> HeaderConfig | None:
    if value is None:
        return None
    name, sep, prefix = value.partition(":")
    if not sep or not name.strip():
        raise click.BadParameter("expected NAME:PREFIX, e.g. 'x-auth-token:Bearer '")
    return HeaderConfig(name=name.strip(), prefix=prefix.lstrip())


@main.command()
@click.argument("products", nargs=-1)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="odido-gen.toml or a pyproject.toml with [tool.odido-gen] (default: the nearest one).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the packages (default: the config's `output`).",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 listing files that would change."
)
@click.option("--spec", help="Generate one package from this spec (path or URL), without a config.")
@click.option("--package", help="With --spec: the import name of the package.")
@click.option(
    "--distribution", help="With --spec: the distribution name (default: from --package)."
)
@click.option("--client-name", help="With --spec: CapWords name, e.g. Genesys -> GenesysClient.")
@click.option("--base-path", default="", help="With --spec: the product's path on the gateway.")
@click.option("--header", "header", help="With --spec: token header as NAME:PREFIX.")
@click.option("--scope", "scopes", multiple=True, help="With --spec: a default scope (repeatable).")
@click.option("--version", "version", default="0.1.0", help="With --spec: the package version.")
@click.pass_context
def generate(
    ctx: click.Context,
    products: tuple[str, ...],
    config_path: Path | None,
    output: Path | None,
    check: bool,
    spec: str | None,
    package: str | None,
    distribution: str | None,
    client_name: str | None,
    base_path: str,
    header: str | None,
    scopes: tuple[str, ...],
    version: str,
) -> None:
    """Generate client packages from the products' OpenAPI descriptions.

    \b
    Examples:
      odido-gen generate                       # every product of ./odido-gen.toml
      odido-gen generate genesys --check       # exit 1 if generated/ is out of date
      odido-gen generate --spec api.yaml --package my_api --output out/
    """
    from odido_gen.generate import generate_product

    selected: list[ProductConfig]
    if spec is not None:
        if package is None or output is None:
            raise click.UsageError("--spec needs --package and --output")
        if products or config_path:
            raise click.UsageError("--spec generates one package; leave out PRODUCTS and --config")
        selected = [
            product_from_options(
                spec=spec,
                package=package,
                distribution=distribution,
                client_name=client_name,
                base_path=base_path,
                header=_parse_header(header),
                scopes=scopes,
                version=version,
            ),
        ]
        out = output
    else:
        path = config_path or find_config(Path.cwd())
        if path is None:
            raise click.UsageError(
                "no odido-gen.toml or [tool.odido-gen] found here or above; "
                "pass --config, or --spec with --package and --output",
            )
        config = load_config(path, output=output)
        unknown = [p for p in products if p not in config.products]
        if unknown:
            known = ", ".join(config.products) or "none"
            raise click.UsageError(f"unknown product {unknown[0]!r} (configured: {known})")
        selected = [config.products[k] for k in (products or tuple(config.products))]
        out = config.output
        if not selected:
            raise click.UsageError(f"{path}: no products configured")

    drifted: list[str] = []
    verbose = ctx.obj["verbose"]
    for product in selected:
        started = time.perf_counter()
        warned: list[str] = []
        result = generate_product(product, out, check=check, on_warning=warned.append)
        seconds = time.perf_counter() - started
        for warning in warned if verbose else ():
            click.echo(f"warning: {product.key}: {warning}", err=True)
        note = f", {len(warned)} spec repairs (-v lists them)" if warned and not verbose else ""
        if check:
            if result.drift:
                drifted.append(product.key)
                click.echo(f"{product.key}: {result.target} is out of date:", err=True)
                for line in result.drift.lines(str(result.target)):
                    click.echo(line, err=True)
            else:
                _echo(ctx, f"{product.key}: {result.target} is up to date")
        else:
            state = "written" if result.changed else "unchanged"
            _echo(
                ctx,
                f"{product.key}: {result.operations} operations, {result.models} model modules "
                f"-> {result.target} ({state}, {seconds:.1f}s{note})",
            )
    if drifted:
        click.echo(
            f"drift in {', '.join(drifted)}: run `odido-gen generate` and commit the result",
            err=True,
        )
        sys.exit(EXIT_DRIFT)


main.add_command(portal)
main.add_command(sandbox)
