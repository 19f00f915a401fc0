"""Request building and response parsing helpers (no server needed)."""

from __future__ import annotations

import datetime as dt
import email.utils
import enum
from typing import Any

import httpx
import pydantic
import pytest
from odido_runtime import (
    NOT_GIVEN,
    APIError,
    APIResponseValidationError,
    Model,
    NotGiven,
    build_path,
    parse_response,
    query_object,
)
from odido_runtime._client import parse_retry_after
from odido_runtime._serde import _ADAPTERS, encode_params, parse_error_body


class Kind(enum.Enum):
    A = "a/b"


def test_build_path_quotes_every_value() -> None:
    assert build_path("/api/v2/x/{site.id}/{id}", {"site.id": "a/b c", "id": 7}) == (
        "/api/v2/x/a%2Fb%20c/7"
    )
    assert build_path("/x/{k}", {"k": Kind.A}) == "/x/a%2Fb"
    assert build_path("/x/{k}", {"k": "é?#&"}) == "/x/%C3%A9%3F%23%26"
    assert build_path("/x/{k}", {"k": ".."}) == "/x/%2E%2E"
    assert build_path("/x/{k}/y", {"k": True}) == "/x/true/y"
    assert build_path("/no/params", {}) == "/no/params"


@pytest.mark.parametrize("params", [{}, {"id": None}, {"id": ""}])
def test_build_path_refuses_missing_values(params: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="'id'"):
        build_path("/x/{id}", params)


def test_parse_response() -> None:
    class Item(pydantic.BaseModel):
        id: int

    response = httpx.Response(200, json=[{"id": 1}, {"id": 2}])
    assert parse_response(response, None) is None
    assert parse_response(response, bytes) == b'[{"id":1},{"id":2}]'
    assert parse_response(response, str) == '[{"id":1},{"id":2}]'
    assert parse_response(response, httpx.Response) is response
    items = parse_response(response, list[Item])
    assert [i.id for i in items] == [1, 2]
    adapter = _ADAPTERS[list[Item]]
    parse_response(response, list[Item])
    assert _ADAPTERS[list[Item]] is adapter  # built once


def test_a_body_that_does_not_fit_is_a_typed_error() -> None:
    class Item(pydantic.BaseModel):
        id: int

    request = httpx.Request("GET", "https://api.test/items/1?secret=no")
    response = httpx.Response(
        200, json={"id": "x"}, request=request, headers={"x-request-id": "r-1"}
    )
    with pytest.raises(APIResponseValidationError) as caught:
        parse_response(response, Item)
    error = caught.value
    assert isinstance(error, APIError)
    assert isinstance(error.__cause__, pydantic.ValidationError)
    assert error.errors == [
        ("id", "Input should be a valid integer, unable to parse string as an integer")
    ]
    assert error.body == {"id": "x"}
    assert (error.status_code, error.request_id, error.method) == (200, "r-1", "GET")
    assert str(error).startswith("the 200 response to GET https://api.test/items/1")
    assert "does not match Item: id: Input should be a valid integer" in str(error)

    not_json = httpx.Response(200, text="<html>", request=request)
    with pytest.raises(APIResponseValidationError) as caught:
        parse_response(not_json, list[Item])
    assert caught.value.body == "<html>"
    assert "does not match list[" in str(caught.value)
    assert "Invalid JSON" in str(caught.value)

    many = httpx.Response(200, json=[{}, {}, {}, {}, {}], request=request)
    with pytest.raises(APIResponseValidationError, match=r"\(\+2 more\)$"):
        parse_response(many, list[Item])


def test_encode_params() -> None:
    assert encode_params(
        {"a": None, "b": [1, None, 2], "c": False, "d": dt.datetime(2024, 5, 6, 7, 8, 9)}
    ) == [("b", 1), ("b", 2), ("c", "false"), ("d", "2024-05-06T07:08:09")]


def test_not_given() -> None:
    assert NotGiven() is NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert not NOT_GIVEN


def test_retry_after_forms() -> None:
    def headers(value: str) -> httpx.Headers:
        return httpx.Headers({"Retry-After": value})

    assert parse_retry_after(headers("3")) == 3.0
    assert parse_retry_after(headers("1.5")) == 1.5
    assert parse_retry_after(headers("-4")) == 0.0
    assert parse_retry_after(headers("soon")) is None
    assert parse_retry_after(httpx.Headers()) is None
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 5, usegmt=True)
    assert parse_retry_after(headers(date), now=now) == 5.0
    past = email.utils.formatdate(now - 5, usegmt=True)
    assert parse_retry_after(headers(past), now=now) == 0.0


def test_retry_delays_are_capped_and_jittered() -> None:
    from odido_runtime import SyncAPIClient

    client = SyncAPIClient.__new__(SyncAPIClient)
    assert client._backoff(0, httpx.Headers({"Retry-After": "3600"})) == 60.0
    delays = [client._backoff(attempt, None) for attempt in range(10)]
    assert all(0 < d <= 8.0 for d in delays)
    assert 0.375 <= delays[0] <= 0.5
    assert 6.0 <= delays[-1] <= 8.0


def test_dump_json_leaves_out_unset_fields_at_any_depth() -> None:
    from odido_runtime._serde import dump_json

    class Inner(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(populate_by_name=True)
        note: str | None = None
        page_size: int = pydantic.Field(25, alias="pageSize")

    assert dump_json(Inner(pageSize=3)) == b'{"pageSize":3}'
    assert dump_json({"items": [Inner(note=None)], "when": dt.date(2024, 1, 2)}) == (
        b'{"items":[{"note":null}],"when":"2024-01-02"}'
    )
    assert dump_json([Inner(), Kind.A]) == b'[{},"a/b"]'


def test_an_error_model_that_matches_nothing_declared_falls_back_to_json() -> None:
    from odido_runtime import Model

    class ErrorBody(Model):
        message: str | None = None
        code: str | None = None

    gateway = httpx.Response(401, content=b'{"error": "Key not authorized"}')
    assert parse_error_body(gateway, {"401": ErrorBody}) == {"error": "Key not authorized"}
    api = httpx.Response(404, content=b'{"message": "gone", "code": "not.found"}')
    parsed = parse_error_body(api, {"default": ErrorBody})
    assert isinstance(parsed, ErrorBody)
    assert parsed.code == "not.found"


def test_query_object_styles() -> None:
    class Search(Model):
        q: str
        page: int | None = None
        tags: list[str] | None = None
        nested: dict[str, int] | None = None
        on: bool | None = None

    value = Search(q="a b", page=2, tags=["x", "y"], nested={"k": 1}, on=False)
    assert query_object(value, "s") == {
        "q": "a b",
        "page": "2",
        "tags": ["x", "y"],
        "nested": '{"k":1}',  # no style defines nested objects: JSON text
        "on": "false",
    }
    assert query_object(Search(q="a"), "s", style="deepObject") == {"s[q]": "a"}
    assert query_object({"q": "a", "page": 2}, "s", explode=False) == {"s": "q,a,page,2"}
    assert query_object(None, "s") == {}
    with pytest.raises(TypeError, match="'s' must be an object, not list"):
        query_object([1], "s")  # type: ignore[arg-type]
