"""`odido-gen sandbox`: serve the local Odido stack until Ctrl+C."""

from __future__ import annotations

import socket
from pathlib import Path

import click

from odido_gen._errors import OdidoGenError
from odido_gen.sandbox._config import SESSION_COOKIE, SandboxConfig, random_secret

__all__ = ["sandbox"]


class _CommandError(click.ClickException):
    exit_code = 2


def _describe(
    config: SandboxConfig, base_url: str, app_state: object, *, given: frozenset[str]
) -> str:
    """The banner. It prints the secrets the sandbox made up (nobody knows them otherwise),
    never one the user gave: that one may be real, and the banner ends up in logs."""
    from odido_gen.sandbox._catalog import Catalog

    catalog = getattr(app_state, "catalog", None)
    assert isinstance(catalog, Catalog)

    def shown(option: str, value: str, placeholder: str) -> str:
        return placeholder if option in given else value

    secret = shown("--client-secret", config.client_secret, "$ODIDO_CLIENT_SECRET")
    admin_token = shown("--admin-token", config.admin_token, "$ODIDO_PORTAL_TOKEN")
    token_url = f"{base_url}/realms/{config.realm}/protocol/openid-connect/token"
    lines = [
        f"Odido sandbox listening on {base_url}",
        f"  portal (cookie):     {base_url}/portal/catalogue-products",
        f"  admin API (token):   {base_url}/portal-api",
        f"  token endpoint:      {token_url}",
        f"  discovery:           {base_url}/realms/{config.realm}/.well-known/openid-configuration",
        f"  client id:           {config.client_id}",
        f"  client secret:       {shown('--client-secret', config.client_secret, '(as given)')}",
        f"  admin token:         {shown('--admin-token', config.admin_token, '(as given)')}",
        f"  cookie:              {shown('--cookie', config.cookie, '(as given)')}",
        f"  token lifetime:      {config.token_lifetime} s",
        "  products:",
    ]
    for p in catalog.products:
        where = "documentation only" if p.documentation_only else f"{base_url}{p.base_path}"
        lines.append(
            f"    {p.path}: {p.name} at {where} "
            f"(header {p.header.name}: {p.header.prefix}<token>; scopes {' '.join(p.scopes)})"
        )
    if catalog.plans:
        lines.append("  plans: " + ", ".join(f"{p.name} (scope {p.scope})" for p in catalog.plans))
    if config.upstream:
        lines.append(f"  forwarding gateway calls to {config.upstream}")
    lines += [
        "Try:",
        f"  odido-gen portal pull --portal {base_url} --token {admin_token}",
        f"  ODIDO_TOKEN_URL={token_url} ODIDO_API_BASE={base_url} "
        f"ODIDO_CLIENT_ID={config.client_id} ODIDO_CLIENT_SECRET={secret}",
    ]
    return "\n".join(lines)


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port; the URL is printed).",
)
@click.option(
    "--specs",
    "specs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("specs"),
    show_default=True,
    help="Directory of spec files: each file is one product (see sandbox.toml for overrides).",
)
@click.option(
    "--upstream",
    metavar="URL",
    help="Forward gateway calls to this URL instead of answering from the specs.",
)
@click.option(
    "--upstream-token",
    envvar="ODIDO_SANDBOX_UPSTREAM_TOKEN",
    default="sandbox-gateway-token",
    help="Bearer token the gateway sends upstream (env ODIDO_SANDBOX_UPSTREAM_TOKEN).",
)
@click.option("--client-id", default="odido-sandbox", show_default=True, help="Demo client id.")
@click.option("--client-secret", help="Demo client secret (default: random, printed).")
@click.option("--admin-token", help="Admin API token (default: random, printed).")
@click.option(
    "--cookie",
    "session",
    metavar="VALUE",
    help=f"Value of the portal session cookie {SESSION_COOKIE} (default: random, printed).",
)
@click.option(
    "--token-lifetime",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="Seconds an access token stays valid.",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="warning",
    show_default=True,
    help="uvicorn's log level (info shows each request).",
)
def sandbox(
    host: str,
    port: int,
    specs_dir: Path,
    upstream: str | None,
    upstream_token: str,
    client_id: str,
    client_secret: str | None,
    admin_token: str | None,
    session: str | None,
    token_lifetime: int,
    log_level: str,
) -> None:
    """Run a local Odido stack: portal, admin API, token endpoint and gateway.

    Each spec file in --specs is one product, served at its listen path and pullable with
    `odido-gen portal pull --portal <printed URL> --token <printed admin token>`.

    \b
    Examples:
      odido-gen sandbox                        # the specs in ./specs on port 8765
      odido-gen sandbox --specs my-specs/ --port 0 --client-secret s3cret
      odido-gen sandbox --upstream https://api-agile.odido.nl   # forward calls
    """
    import uvicorn

    from odido_gen.sandbox._app import create_app

    if session and session.startswith(f"{SESSION_COOKIE}="):
        session = session[len(SESSION_COOKIE) + 1 :]
    config = SandboxConfig(
        specs_dir=specs_dir,
        upstream=upstream,
        upstream_token=upstream_token,
        client_id=client_id,
        client_secret=client_secret or random_secret(),
        admin_token=admin_token or random_secret(),
        session=session or random_secret(),
        token_lifetime=token_lifetime,
    )
    try:
        app = create_app(config)
    except OdidoGenError as exc:
        raise _CommandError(str(exc)) from None
    except Exception as exc:
        from odido_gen.spec import SpecError

        if isinstance(exc, SpecError):
            raise _CommandError(str(exc)) from None
        raise
    # Bound and listening before the URL is printed: a client that reads it can connect.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise _CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    bound = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    given = frozenset(
        option
        for option, value in (
            ("--client-secret", client_secret),
            ("--admin-token", admin_token),
            ("--cookie", session),
        )
        if value
    )
    click.echo(_describe(config, f"http://{shown_host}:{bound}", app.state, given=given))
    click.echo("Press Ctrl+C to stop.")
    server = uvicorn.Server(
        uvicorn.Config(app, log_level=log_level, access_log=log_level in ("info", "debug"))
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
