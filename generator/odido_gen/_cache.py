"""A cache of rendered packages, keyed by everything that decides their bytes.

The key covers the spec's bytes, the product's config, the generator's version, its templates
and the versions of the model generator and formatter. An unchanged product is then read back
instead of rendered: well under a second, where rendering a large spec takes seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from dataclasses import asdict
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from odido_gen import __version__
from odido_gen.config import ProductConfig

__all__ = ["RenderCache", "cache_dir"]

_FORMAT = 1


def cache_dir() -> Path:
    """`$ODIDO_GEN_CACHE_DIR`, else `$XDG_CACHE_HOME/odido-gen`, else `~/.cache/odido-gen`."""
    explicit = os.environ.get("ODIDO_GEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "odido-gen"


@cache
def _toolchain_digest() -> str:
    """What besides the inputs decides the output: our code and templates, the libraries."""
    from odido_gen.render._templates import templates_dir

    h = hashlib.sha256(f"{_FORMAT}:{__version__}".encode())
    for dist in ("datamodel-code-generator", "ruff", "jinja2", "pydantic", "openapi-pydantic"):
        h.update(f"{dist}={version(dist)}".encode())
    # The generator's own source too: an edited checkout must never be served stale output.
    for root, pattern in ((templates_dir(), "*.j2"), (Path(__file__).parent, "*.py")):
        for path in sorted(root.rglob(pattern)):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class RenderCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_dir()

    @staticmethod
    def key(config: ProductConfig, raw_spec: bytes) -> str:
        h = hashlib.sha256(_toolchain_digest().encode())
        settings = asdict(config)
        settings.pop("spec")  # where the spec lives does not change the package; its bytes do
        h.update(json.dumps(settings, sort_keys=True, default=str).encode())
        h.update(hashlib.sha256(raw_spec).digest())
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json.z"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads(zlib.decompress(self._path(key).read_bytes()))
        except (OSError, ValueError, zlib.error):
            return None  # absent or damaged: render again
        return data if isinstance(data, dict) and data.get("format") == _FORMAT else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            payload = zlib.compress(json.dumps({**entry, "format": _FORMAT}).encode(), 6)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
            os.replace(tmp, target)
        except OSError:
            pass  # a cache that cannot be written only costs time
