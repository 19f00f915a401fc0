"""Building the distributions: `odido-gen build` (sdists and wheels, reproducible, offline).

The hatchling build hook that generates clients while a downstream project builds is
`odido_gen.hatch`.
"""

from odido_gen.builder._cli import build
from odido_gen.builder._dist import (
    DEFAULT_SOURCE_DATE_EPOCH,
    RUNTIME_DISTRIBUTION,
    BuildError,
    Built,
    build_all,
    build_distribution,
    runtime_source,
    source_date_epoch,
)

__all__ = [
    "DEFAULT_SOURCE_DATE_EPOCH",
    "RUNTIME_DISTRIBUTION",
    "BuildError",
    "Built",
    "build",
    "build_all",
    "build_distribution",
    "runtime_source",
    "source_date_epoch",
]
