"""The hatchling build hook `odido-gen`: generate a project's clients while it builds.

A downstream project keeps its specs and `[tool.odido-gen]` table, not the generated code:

```toml
[build-system]
requires = ["hatchling>=1.25", "odido-gen"]
build-backend = "hatchling.build"

[project]
dependencies = ["odido-runtime>=0.2.0,<0.3"]

[tool.hatch.build.hooks.odido-gen]
# products = ["stores"]        # default: every configured product
# config = "odido-gen.toml"    # default: odido-gen.toml here, else this file's [tool.odido-gen]

[tool.odido-gen.products.stores]
spec = "specs/stores.yaml"
```

When a wheel (or an editable wheel) is built, the hook generates every selected product into a
temporary folder and adds each package (`odido_stores/`) to the wheel at its import name. The
sdist carries the specs and the config instead, and the wheel built from it generates them again.
Generation is deterministic and hatchling stamps entries with `SOURCE_DATE_EPOCH`, so the same
inputs build the same wheel. hatchling finds the hook through the `hatch` entry point.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.plugin import hookimpl

from odido_gen._errors import ConfigError
from odido_gen.config import CONFIG_FILE, ProductConfig, find_config, load_config

__all__ = ["OdidoGenBuildHook", "hatch_register_build_hook"]

RUNTIME = "odido-runtime"


class OdidoGenBuildHook(BuildHookInterface[BuilderConfig]):
    """Adds the generated client packages of `[tool.odido-gen]` to the wheel."""

    PLUGIN_NAME = "odido-gen"

    _workdir: Path | None = None

    def _config_path(self) -> Path:
        root = Path(self.root)
        option = self.config.get("config")
        if option is not None:
            if not isinstance(option, str) or not option:
                raise ConfigError(
                    "tool.hatch.build.hooks.odido-gen.config: expected a path, relative to "
                    "the project"
                )
            path = root / option
            if not path.is_file():
                raise ConfigError(f"tool.hatch.build.hooks.odido-gen.config: {path} is missing")
            return path
        # The file `odido-gen generate` would use here, so that both see the same products; only
        # this project's own: a config further up belongs to someone else.
        found = find_config(root)
        if found is not None and found.parent == root:
            return found
        raise ConfigError(
            f"{root / 'pyproject.toml'}: no [tool.odido-gen] table and no {CONFIG_FILE} beside "
            "it; declare the products to generate there",
        )

    def _selected(self, path: Path, output: Path) -> list[ProductConfig]:
        config = load_config(path, output=output)
        keys = self.config.get("products")
        if keys is None:
            selected = list(config.products.values())
        elif isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            unknown = [k for k in keys if k not in config.products]
            if unknown:
                known = ", ".join(config.products) or "none"
                raise ConfigError(
                    f"tool.hatch.build.hooks.odido-gen.products: unknown product "
                    f"{unknown[0]!r} (configured in {path.name}: {known})",
                )
            selected = [config.products[k] for k in keys]
        else:
            raise ConfigError(
                "tool.hatch.build.hooks.odido-gen.products: expected a list of product keys"
            )
        if not selected:
            raise ConfigError(f"{path}: no products configured for the odido-gen build hook")
        return selected

    def _check_runtime_dependency(self) -> None:
        """The generated code imports odido_runtime: a wheel without it would not import."""
        from packaging.requirements import InvalidRequirement, Requirement
        from packaging.utils import canonicalize_name

        names = set()
        for dependency in self.metadata.core.dependencies:
            try:
                names.add(canonicalize_name(Requirement(dependency).name))
            except InvalidRequirement:
                continue
        if RUNTIME not in names:
            from odido_gen.render._package import RUNTIME_REQUIREMENT

            raise ConfigError(
                f"{Path(self.root) / 'pyproject.toml'}: the generated clients need the runtime; "
                f'add "{RUNTIME_REQUIREMENT}" to [project] dependencies',
            )

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return  # the sdist ships the specs and the config; its wheel generates from them
        from odido_gen._cache import RenderCache
        from odido_gen.generate import generate_all

        self._check_runtime_dependency()
        self._workdir = Path(tempfile.mkdtemp(prefix="odido-gen-hook-"))
        try:
            products = self._selected(self._config_path(), self._workdir)
            results = generate_all(products, self._workdir, cache=RenderCache(), jobs=1)
        except BaseException:
            self._cleanup()
            raise
        for product, result in zip(products, results, strict=True):
            package = result.target / product.package
            build_data["force_include"][str(package)] = product.package
            self.app.display_info(
                f"odido-gen: {product.key} -> {product.package}/ "
                f"({result.rendered.operations} operations)"
            )

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None


@hookimpl
def hatch_register_build_hook() -> type[OdidoGenBuildHook]:
    return OdidoGenBuildHook
