"""Errors of the portal sync.

OdidoGenError (odido_gen._errors)      one-line message, exit code 2
 └── PortalError                       the portal or a spec source could not be used
      └── SessionExpiredError          the live portal answered its login page
"""

from __future__ import annotations

from collections.abc import Iterable

from odido_gen._errors import OdidoGenError

__all__ = ["PortalError", "SessionExpiredError", "scrub"]


class PortalError(OdidoGenError):
    """A source of specs failed in a way the user can fix (URL, credentials, payload)."""


class SessionExpiredError(PortalError):
    """The portal served its HTML login page where a catalogue page or a spec was expected."""


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of a secret in `text` by `***`.

    Messages are built without secrets in the first place; this is the last line of defence
    for text that comes from elsewhere (server error bodies echo what they were sent).
    """
    for secret in secrets:
        # Very short values would mangle ordinary words and carry no real secret.
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
