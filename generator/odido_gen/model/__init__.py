"""The product model: operations, parameters, bodies, responses, paging and names."""

from odido_gen.model._build import build_product
from odido_gen.model._types import (
    Body,
    Operation,
    Paging,
    Parameter,
    Product,
    PyType,
    Resource,
    Result,
    SecurityNote,
)

__all__ = [
    "Body",
    "Operation",
    "Paging",
    "Parameter",
    "Product",
    "PyType",
    "Resource",
    "Result",
    "SecurityNote",
    "build_product",
]
