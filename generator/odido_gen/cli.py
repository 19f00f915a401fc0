"""The `odido-gen` command line.

Exit codes: 0 success, 1 a check found drift, 2 a usage or input error.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path
from typing import ClassVar

import click

from odido_gen import __version__
from odido_gen._errors import OdidoGenError
from odido_gen._gc import no_collection_at_exit
from odido_gen.config import (
    HeaderConfig,
    ProductConfig,
    find_config,
    load_config,
    product_from_options,
)

__all__ = ["main"]

EXIT_DRIFT = 1


class _Errors(click.Group):
    """Turns the generator's own errors into one line on stderr and exit code 2.

    The portal and sandbox commands (web stack, HTML parsing) are imported only when used, so
    `generate` starts fast.
    """

    lazy_commands: ClassVar[dict[str, str]] = {
        "build": "odido_gen.builder:build",
        "portal": "odido_gen.portal:portal",
        "sandbox": "odido_gen.sandbox:sandbox",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is not None and cmd_name not in self.commands:
            module, _, attribute = target.partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{target} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OdidoGenError as exc:  # config, spec, render and portal errors alike
            click.secho(f"error: {exc}", err=True, fg="red")
            ctx.exit(exc.exit_code)


@click.group(cls=_Errors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="odido-gen")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Print more: every spec repair, the build backend's log."
)
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Typed Python clients for the APIs of the Odido developer portal.

    \b
    Examples:
      odido-gen sandbox            # a local Odido stack to try clients on
      odido-gen generate           # ./odido-gen.toml's products -> generated/
      odido-gen generate --check   # in CI: exit 1 if generated/ is stale
      odido-gen build              # sdists and wheels -> dist/
      odido-gen COMMAND --help     # a command's options and examples

    \b
    Exit codes: 0 ok, 1 check or drift failed, 2 usage or input error.
    Colour on a terminal only. Shell completion for bash (zsh_source and
    fish_source for zsh and fish):
      eval "$(_ODIDO_GEN_COMPLETE=bash_source odido-gen)"
    """
    ctx.obj = {"quiet": quiet, "verbose": verbose}
    no_collection_at_exit()


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
@click.option(
    "--no-cache", is_flag=True, help="Render every product afresh (see ODIDO_GEN_CACHE_DIR)."
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), help="Parallel processes (default: CPUs)."
)
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
    no_cache: bool,
    jobs: int | None,
) -> None:
    """Generate client packages from the products' OpenAPI descriptions.

    \b
    Examples:
      odido-gen generate                  # every product of ./odido-gen.toml
      odido-gen generate genesys --check  # exit 1 if generated/ is stale
      odido-gen generate --spec api.yaml --package my_api --output out/
    """
    from odido_gen._cache import RenderCache
    from odido_gen.generate import generate_all

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

    started = time.perf_counter()
    results = generate_all(
        selected, out, check=check, cache=None if no_cache else RenderCache(), jobs=jobs
    )
    seconds = time.perf_counter() - started
    drifted: list[str] = []
    verbose = ctx.obj["verbose"]
    for result in results:
        rendered = result.rendered
        for warning in rendered.warnings if verbose else ():
            click.echo(f"warning: {result.key}: {warning}", err=True)
        notes = ["cached" if rendered.cached else "rendered"]
        if rendered.warnings and not verbose:
            notes.append(f"{len(rendered.warnings)} spec repairs (-v lists them)")
        if check:
            if result.drift:
                drifted.append(result.key)
                click.echo(f"{result.key}: {result.target} is out of date:", err=True)
                for line in result.drift.lines(str(result.target)):
                    click.echo(line, err=True)
            else:
                _echo(ctx, f"{result.key}: {result.target} is up to date")
        else:
            notes.insert(0, "written" if result.changed else "unchanged")
            _echo(
                ctx,
                f"{result.key}: {rendered.operations} operations, {rendered.models} models "
                f"-> {result.target} ({', '.join(notes)})",
            )
    _echo(ctx, f"{len(results)} product(s) in {seconds:.1f}s")
    if drifted:
        click.echo(
            f"drift in {', '.join(drifted)}: run `odido-gen generate` and commit the result",
            err=True,
        )
        sys.exit(EXIT_DRIFT)
