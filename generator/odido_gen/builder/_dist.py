"""Build sdists and wheels of odido-runtime and the generated product packages.

Each package is generated afresh into a temporary folder (never into `generated/`, which stays
exactly what `odido-gen generate` wrote) and built there through PEP 517 with hatchling, in this
Python and without build isolation: no network at build time. The wheel is built from the
sdist, as `python -m build` does, so a file missing from the sdist fails the build.

Builds are reproducible: hatchling stamps every archive entry with `SOURCE_DATE_EPOCH`, which
is taken from the environment when set and is otherwise `DEFAULT_SOURCE_DATE_EPOCH`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import build
import pyproject_hooks
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

from odido_gen._cache import RenderCache
from odido_gen._errors import OdidoGenError
from odido_gen.config import ProductConfig

__all__ = [
    "DEFAULT_SOURCE_DATE_EPOCH",
    "RUNTIME_DISTRIBUTION",
    "BuildError",
    "Built",
    "build_all",
    "build_distribution",
    "runtime_source",
    "source_date_epoch",
]

RUNTIME_DISTRIBUTION = "odido-runtime"
# hatchling's own default, made explicit so that our builds do not depend on it. Any fixed
# value would do; this one is after 1980, the earliest time a zip entry can hold.
DEFAULT_SOURCE_DATE_EPOCH = 1580601600  # 2020-02-02T00:00:00Z
_ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z
# What never belongs in a distribution's source, should a checkout hold it.
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".*")

Distribution = Literal["sdist", "wheel"]


class BuildError(OdidoGenError):
    """A distribution could not be built (the message ends with the backend's output)."""


@dataclass(frozen=True)
class Built:
    """One distribution's two artifacts."""

    label: str  # the product key, or the runtime's distribution name
    name: str  # the distribution name as it is in the metadata
    version: str
    sdist: Path
    wheel: Path


def source_date_epoch(environ: Mapping[str, str] | None = None) -> int:
    """`SOURCE_DATE_EPOCH` from the environment, else `DEFAULT_SOURCE_DATE_EPOCH`."""
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_SOURCE_DATE_EPOCH
    if not value.isdigit() or int(value) < _ZIP_EPOCH:
        raise BuildError(
            f"SOURCE_DATE_EPOCH={value!r}: expected whole seconds since 1970, "
            f"at least {_ZIP_EPOCH} (1980-01-01, the earliest time a wheel can hold)",
        )
    return int(value)


def runtime_source() -> Path:
    """The odido-runtime project this odido-gen targets: packed into its wheel, or a checkout."""
    here = Path(__file__).resolve().parent.parent  # the odido_gen package
    for candidate in (here / "_runtime", here.parent.parent / "runtime"):
        if (candidate / "pyproject.toml").is_file() and (candidate / "src").is_dir():
            return candidate
    raise BuildError("odido-runtime's source is missing from this installation; use --no-runtime")


def _runner(epoch: int, *, verbose: bool) -> Callable[..., None]:
    """Runs the backend's hooks with SOURCE_DATE_EPOCH set, quietly unless verbose."""
    base = (
        pyproject_hooks.default_subprocess_runner
        if verbose
        else pyproject_hooks.quiet_subprocess_runner
    )

    def run(
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        base(cmd, cwd, {**(extra_environ or {}), "SOURCE_DATE_EPOCH": str(epoch)})

    return run


def _backend_failure(label: str, exc: Exception) -> BuildError:
    detail = ""
    cause = getattr(exc, "exception", exc)
    if isinstance(cause, subprocess.CalledProcessError) and cause.output:
        output = cause.output
        text = output.decode(errors="replace") if isinstance(output, bytes) else str(output)
        # The end of the backend's output says what went wrong; the start is its traceback.
        detail = "\n" + "\n".join(text.strip().splitlines()[-15:])
    return BuildError(f"{label}: the build backend failed: {exc}{detail}")


def _build(
    source: Path, distribution: Distribution, work: Path, label: str, epoch: int, *, verbose: bool
) -> Path:
    try:
        builder = build.ProjectBuilder(
            source, python_executable=sys.executable, runner=_runner(epoch, verbose=verbose)
        )
    except build.BuildException as exc:
        raise BuildError(f"{label}: {exc}") from None
    # Without isolation the backend must already be here: name a missing requirement rather
    # than let the backend fail to import.
    missing = sorted(
        " <- ".join(chain)
        for requirement in builder.build_system_requires
        for chain in build.check_dependency(requirement)
    )
    if missing:
        raise BuildError(
            f"{label}: the build needs {', '.join(missing)} in {sys.executable}; "
            "install it there and retry",
        )
    try:
        return Path(builder.build(distribution, work))
    except (build.BuildBackendException, build.BuildException) as exc:
        raise _backend_failure(label, exc) from None


def _unpack(sdist: Path, into: Path) -> Path:
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: no links or paths outside `into`
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - our own sdist, just built
            archive.extractall(into)
    (root,) = into.iterdir()  # an sdist holds one top-level folder
    return root


def build_distribution(
    source: Path,
    out: Path,
    *,
    label: str,
    epoch: int | None = None,
    verbose: bool = False,
) -> Built:
    """Build `source` (a folder with a pyproject.toml) into an sdist and, from it, a wheel."""
    epoch = source_date_epoch() if epoch is None else epoch
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="odido-gen-build-") as tmp:
        work = Path(tmp)
        sdist = _build(source, "sdist", work / "sdist", label, epoch, verbose=verbose)
        unpacked = _unpack(sdist, work / "unpacked")
        wheel = _build(unpacked, "wheel", work / "wheel", label, epoch, verbose=verbose)
        name, version = parse_sdist_filename(sdist.name)
        wheel_name = parse_wheel_filename(wheel.name)[0]
        if canonicalize_name(wheel_name) != name:  # pragma: no cover - a backend bug
            raise BuildError(f"{label}: the sdist and the wheel name different distributions")
        placed = []
        for artifact in (sdist, wheel):
            target = out / artifact.name
            shutil.copyfile(artifact, target)
            placed.append(target)
    return Built(label=label, name=name, version=str(version), sdist=placed[0], wheel=placed[1])


def build_all(
    products: Sequence[ProductConfig],
    out: Path,
    *,
    runtime: bool = True,
    cache: RenderCache | None = None,
    jobs: int | None = None,
    verbose: bool = False,
) -> list[Built]:
    """Generate each product into a temporary folder and build it; the runtime first.

    Artifacts land in `out` only once every distribution has built: a failure leaves `out`
    as it was.
    """
    from odido_gen.generate import generate_all

    epoch = source_date_epoch()
    taken = [p for p in products if canonicalize_name(p.distribution) == RUNTIME_DISTRIBUTION]
    if taken:
        raise BuildError(f"{taken[0].key}: the distribution name {RUNTIME_DISTRIBUTION} is taken")
    with tempfile.TemporaryDirectory(prefix="odido-gen-build-") as tmp:
        sources: list[tuple[str, Path]] = []
        if runtime:
            copy = Path(tmp) / "src" / RUNTIME_DISTRIBUTION
            shutil.copytree(runtime_source(), copy, ignore=_IGNORE)
            sources.append((RUNTIME_DISTRIBUTION, copy))
        if products:
            results = generate_all(products, Path(tmp) / "src", cache=cache, jobs=jobs)
            sources += [(r.key, r.target) for r in results]
        staged = Path(tmp) / "dist"
        built = []
        for label, source in sources:
            built.append(
                build_distribution(source, staged, label=label, epoch=epoch, verbose=verbose)
            )
        out.mkdir(parents=True, exist_ok=True)
        placed = []
        for item in built:
            sdist, wheel = out / item.sdist.name, out / item.wheel.name
            shutil.copyfile(item.sdist, sdist)
            shutil.copyfile(item.wheel, wheel)
            placed.append(Built(item.label, item.name, item.version, sdist, wheel))
    return placed
