"""Loading API descriptions: Swagger 2.0 / OpenAPI 3.0 / 3.1, JSON or YAML, file or URL.

`load_spec` returns a normalized OpenAPI 3.x document (Swagger 2.0 converted to 3.0.3,
real-world defects repaired with a warning each) and its openapi-pydantic model.
"""

from ._errors import SpecError, SpecWarning
from ._load import (
    LoadedSpec,
    PreparedSpec,
    load_spec,
    needs_other_files,
    prepare_spec,
    read_spec,
    validate_spec,
)

__all__ = [
    "LoadedSpec",
    "PreparedSpec",
    "SpecError",
    "SpecWarning",
    "load_spec",
    "needs_other_files",
    "prepare_spec",
    "read_spec",
    "validate_spec",
]
