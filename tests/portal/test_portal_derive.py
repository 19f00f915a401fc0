"""Config derived from portal metadata: names, base path, header style, scopes."""

from __future__ import annotations

import pytest
from odido_gen.config import HeaderConfig
from odido_gen.portal._derive import derive, product_key
from odido_gen.portal._model import PortalAPI, PortalPlan, PortalProduct

API_KEY = {"type": "apiKey", "in": "header", "name": "X-Key"}


def _product(**fields: object) -> PortalProduct:
    values: dict[str, object] = {
        "id": 3,
        "name": "Payments",
        "display_name": "Payments",
        "path": "",
    }
    values.update(fields)
    return PortalProduct(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "name", "key"),
    [
        ("genesys", "Genesys_Services_Oauth_External", "genesys"),
        ("My API!!", "x", "my-api"),
        ("", "Payments_API", "payments-api"),
        ("123-go", "x", "product-123-go"),
        ("", "", "product-3"),
    ],
)
def test_product_keys(path: str, name: str, key: str) -> None:
    assert product_key(_product(path=path, name=name)) == key


def test_names_and_base_path_from_path_and_listen_path() -> None:
    product = _product(path="sms-gateway", apis=(PortalAPI("a", "A", listen_path="/sms/v1/"),))

    derived = derive(product, "sms-gateway", spec="specs/sms-gateway.json", documents=[])

    assert (derived.distribution, derived.package) == ("odido-sms-gateway", "odido_sms_gateway")
    assert (derived.client_name, derived.base_path) == ("SmsGateway", "/sms/v1")
    assert derived.header == HeaderConfig("Authorization", "Bearer ")


def test_no_double_odido_prefix() -> None:
    derived = derive(_product(path="odido-sms"), "odido-sms", spec=None, documents=[])

    assert (derived.distribution, derived.package) == ("odido-sms", "odido_sms")


@pytest.mark.parametrize(
    "document",
    [
        {
            "components": {
                "securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "X-Key"}}
            }
        },
        {"securityDefinitions": {"k": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    ],
)
def test_header_from_an_api_key_scheme(document: dict[str, object]) -> None:
    derived = derive(_product(path="p"), "p", spec=None, documents=[document])

    assert derived.header == HeaderConfig("X-Key", "")


@pytest.mark.parametrize(
    "product",
    [
        _product(name="Genesys_Services_Oauth_External", path="contact-center"),
        _product(name="Genesys", path="x"),
        _product(path="x", apis=(PortalAPI("a", "A", listen_path="/oauth/genesyscloud/"),)),
    ],
)
def test_known_products_use_their_gateway_header(product: PortalProduct) -> None:
    # The Genesys spec's own OAuth scheme describes Genesys Cloud, not Odido's gateway.
    oauth = {"securityDefinitions": {"PureCloud": {"type": "oauth2", "flow": "implicit"}}}

    derived = derive(product, "k", spec=None, documents=[oauth])

    assert derived.header == HeaderConfig("x-auth-token", "Bearer ")
    assert derived.base_path == "/oauth/genesyscloud"


def test_scopes_from_product_and_plans() -> None:
    product = _product(
        path="p",
        scopes=("payments", "clients"),
        plans=(PortalPlan("gold", "gold,premium"), PortalPlan("free", "payments")),
    )

    derived = derive(product, "p", spec=None, documents=[])

    assert derived.scopes == ("payments", "clients", "gold", "premium")
