"""Settings of one sandbox run."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from odido_gen.sandbox._keycloak import DEFAULT_REALM

__all__ = ["SESSION_COOKIE", "SandboxConfig", "random_secret"]

# The live portal's session cookie, as the sandbox names it.
SESSION_COOKIE = "_portal_session"


def random_secret() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class SandboxConfig:
    """What `create_app` serves. Secrets default to fresh random values and stay out of reprs."""

    specs_dir: Path
    upstream: str | None = None  # forward gateway calls here instead of answering from the spec
    upstream_token: str = field(default="sandbox-gateway-token", repr=False)
    client_id: str = "odido-sandbox"
    client_secret: str = field(default_factory=random_secret, repr=False)
    admin_token: str = field(default_factory=random_secret, repr=False)
    session: str = field(default_factory=random_secret, repr=False)  # the session cookie's value
    token_lifetime: int = 300
    realm: str = DEFAULT_REALM

    @property
    def cookie(self) -> str:
        """The Cookie header a logged-in browser sends (what `portal pull --cookie` takes)."""
        return f"{SESSION_COOKIE}={self.session}"
