"""`odido-gen portal products|pull`."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from odido_gen._errors import OdidoGenError
from odido_gen.portal._admin import AdminSource
from odido_gen.portal._errors import PortalError, scrub
from odido_gen.portal._http import DEFAULT_TIMEOUT, PortalHTTP
from odido_gen.portal._live import LiveSource
from odido_gen.portal._lock import LOCK_FILE, read_lock
from odido_gen.portal._model import PortalProduct, Source
from odido_gen.portal._pull import keyed_products, pull
from odido_gen.portal._single import SingleSpecSource

__all__ = ["portal"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class _CommandError(click.ClickException):
    exit_code = 2  # as the generator's other input errors (OdidoGenError)


@contextmanager
def _one_line_errors(secrets: Sequence[str | None]) -> Iterator[None]:
    """Errors as one `Error: ...` line with the generator's exit code, secrets scrubbed."""
    try:
        yield
    except OdidoGenError as exc:
        raise _CommandError(scrub(str(exc), secrets)) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise _CommandError(scrub(f"{where}{exc.strerror or exc}", secrets)) from None


def _warner(secrets: Sequence[str | None]) -> Callable[[str], None]:
    def warn(message: str) -> None:
        click.echo(f"warning: {scrub(message, secrets)}", err=True)

    return warn


def _track(items: Sequence[T], description: str) -> Iterable[T]:
    """A progress bar on an interactive terminal for pulls of several specs; else nothing."""
    from rich.console import Console
    from rich.progress import track

    console = Console(stderr=True)
    if len(items) < 2 or not console.is_terminal or os.environ.get("CI"):
        return items
    return track(items, description=description, console=console, transient=True)


def _source_options(command: F) -> F:
    options = [
        click.option(
            "--portal",
            "portal_url",
            metavar="URL",
            envvar="ODIDO_PORTAL_URL",
            help="Portal root URL, e.g. https://developer-agile.odido.nl (wins over --env).",
        ),
        click.option(
            "--env",
            "env_name",
            metavar="NAME",
            help="Use the portal of this Odido environment: dev, agile, staging or production.",
        ),
        click.option(
            "--token",
            envvar="ODIDO_PORTAL_TOKEN",
            metavar="TOKEN",
            help="Admin API token (prefer the ODIDO_PORTAL_TOKEN variable): use the admin API.",
        ),
        click.option(
            "--cookie",
            envvar="ODIDO_PORTAL_COOKIE",
            metavar="COOKIE",
            help="Browser session cookie as the browser sends it, `name=value; ...` "
            "(prefer the ODIDO_PORTAL_COOKIE variable): read the live portal's pages.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Seconds to wait for each response.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _portal_url(portal_url: str | None, env_name: str | None) -> str:
    if portal_url:
        return portal_url
    if env_name:
        from odido_runtime import Environment, OdidoError

        try:
            url = Environment.named(env_name).portal_url
        except OdidoError as exc:
            raise PortalError(str(exc)) from None
        if url:
            return url
        raise PortalError(f"environment {env_name!r} has no portal URL: pass --portal URL")
    raise PortalError("which portal? pass --env NAME (e.g. --env agile) or --portal URL")


def _cookie_header(cookie: str) -> str:
    value = cookie.strip()
    if value.lower().startswith("cookie:"):
        value = value[len("cookie:") :].strip()
    if "=" not in value or any(c in value for c in "\r\n"):
        raise PortalError(
            "--cookie must be the Cookie header as the browser sends it (name=value; ...)"
        )
    return value


def _portal_source(
    portal_url: str | None,
    env_name: str | None,
    token: str | None,
    cookie: str | None,
    timeout: float,
    warn: Callable[[str], None],
) -> tuple[Source, PortalHTTP]:
    if not token and not cookie:
        raise PortalError(
            "no credentials: pass --token (or ODIDO_PORTAL_TOKEN) for the admin API, "
            "--cookie (or ODIDO_PORTAL_COOKIE) for the live portal, "
            "or --spec URL_OR_FILE --product NAME for one spec"
        )
    url = _portal_url(portal_url, env_name)
    if token:
        http = PortalHTTP(url, credential="token", secret=token.strip(), timeout=timeout)
        return AdminSource(http, warn), http
    assert cookie is not None
    http = PortalHTTP(url, credential="cookie", secret=_cookie_header(cookie), timeout=timeout)
    return LiveSource(http, warn), http


def _product_json(key: str, product: PortalProduct) -> dict[str, object]:
    return {
        "key": key,
        "id": product.id,
        "name": product.name,
        "display_name": product.display_name,
        "path": product.path,
        "scopes": list(product.scopes),
        "catalogues": list(product.catalogues),
        "plans": [{"name": p.name, "scope": p.scope} for p in product.plans],
        "documentation_only": product.documentation_only,
        "apis": [
            {"api_id": a.api_id, "name": a.name, "listen_path": a.listen_path} for a in product.apis
        ],
    }


@click.group("portal")
def portal() -> None:
    """List the portal's products and pull their specs into specs/ and odido-gen.lock.

    \b
    Examples:
      odido-gen portal products --env agile      # with ODIDO_PORTAL_TOKEN set
      odido-gen portal pull --env agile          # then: odido-gen generate
      odido-gen portal pull --check --env agile  # exit 1 if a spec changed
    """


@portal.command("products")
@_source_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def products_command(
    portal_url: str | None,
    env_name: str | None,
    token: str | None,
    cookie: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """List the products on the portal and their APIs.

    \b
    Examples:
      ODIDO_PORTAL_TOKEN=... odido-gen portal products --env agile
      odido-gen portal products --portal http://127.0.0.1:8765 --token T --json
    """
    secrets = (token, cookie)
    with _one_line_errors(secrets):
        source, http = _portal_source(
            portal_url, env_name, token, cookie, timeout, _warner(secrets)
        )
        with http:
            keyed = keyed_products(source.products())
    if as_json:
        click.echo(json.dumps([_product_json(k, p) for k, p in keyed.items()], indent=2))
        return
    for key, product in keyed.items():
        ident = f", id {product.id}" if product.id is not None else ""
        click.echo(f"{key}: {product.display_name} ({product.name}{ident})")
        for api in product.apis:
            listen = f" at {api.listen_path}" if api.listen_path else ""
            click.echo(f"  - {api.name or api.api_id}{listen} [{api.api_id}]")


@portal.command("pull")
@_source_options
@click.option(
    "--spec",
    "spec",
    metavar="URL_OR_FILE",
    help="Pull this one spec (URL or file) for the product given with --product.",
)
@click.option(
    "--product",
    "product_names",
    metavar="NAME",
    multiple=True,
    help="Only this product (key, Name or Path); repeatable. Other products stay in the lock.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("specs"),
    show_default=True,
    help="Directory for the spec files.",
)
@click.option(
    "--lock",
    "lock_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(LOCK_FILE),
    show_default=True,
    help="The lock file (keep it beside odido-gen.toml).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 naming the products that changed upstream.",
)
def pull_command(
    portal_url: str | None,
    env_name: str | None,
    token: str | None,
    cookie: str | None,
    timeout: float,
    spec: str | None,
    product_names: tuple[str, ...],
    out_dir: Path,
    lock_path: Path,
    check: bool,
) -> None:
    """Download every product's specs into specs/ and record them in odido-gen.lock.

    Derived settings (names, base path, header, scopes) go into the lock only; set your own in
    odido-gen.toml under [products.<key>] and they win over the lock on every pull.

    \b
    Examples:
      ODIDO_PORTAL_TOKEN=... odido-gen portal pull --env agile
      ODIDO_PORTAL_COOKIE='_portal_session=...' odido-gen portal pull --env agile
      odido-gen portal pull --product genesys --spec ./genesys.json
      odido-gen portal pull --check --env agile   # exit 1 if a spec changed
    """
    secrets = (token, cookie)
    warn = _warner(secrets)
    with _one_line_errors(secrets):
        if spec is not None:
            if len(product_names) != 1:
                raise PortalError("--spec needs exactly one --product NAME")
            existing = None
            if lock_path.exists():
                wanted = product_names[0].lower()
                existing = next(
                    (
                        p
                        for k, p in read_lock(lock_path).products.items()
                        if wanted in (k, p.name.lower(), p.path.lower())
                    ),
                    None,
                )
            source: Source = SingleSpecSource(
                spec, product_names[0], existing=existing, timeout=timeout
            )
            result = pull(
                source,
                lock_path=lock_path,
                out_dir=out_dir,
                products=product_names,
                check=check,
                track=_track,
            )
        else:
            portal_source, http = _portal_source(portal_url, env_name, token, cookie, timeout, warn)
            with http:
                result = pull(
                    portal_source,
                    lock_path=lock_path,
                    out_dir=out_dir,
                    products=product_names,
                    check=check,
                    track=_track,
                )
    if check:
        if result.changes:
            click.echo("changed upstream: " + ", ".join(result.changes))
            click.echo("run `odido-gen portal pull` (without --check) to update.")
            sys.exit(1)
        click.echo(f"up to date: {len(result.lock.products)} products")
        return
    if result.changes:
        click.echo("changes: " + ", ".join(result.changes))
    cwd = Path.cwd()
    for path in result.written:
        shown = path.relative_to(cwd) if path.is_relative_to(cwd) else path
        click.echo(f"wrote {shown}")
    if not result.written:
        click.echo(f"nothing changed: {len(result.lock.products)} products up to date")
