"""Names from untrusted spec text: stable, safe, collision-free."""

from __future__ import annotations

import keyword

import pytest
from odido_gen.naming import (
    MAX_NAME_LENGTH,
    Identifier,
    UniqueNames,
    class_name,
    module_name,
    snake_case,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("getOutboundContactlists", "get_outbound_contactlists"),
        ("postOutboundContactlistExport", "post_outbound_contactlist_export"),
        ("site.id", "site_id"),
        ("pairing-token", "pairing_token"),
        ("$schema", "schema"),
        ("HTTPServerError", "http_server_error"),
        ("get /api/v2/users/{userId}", "get_api_v2_users_user_id"),
        ("naïve Ünïcode", "naive_unicode"),
        ("from", "from_"),
        ("class", "class_"),
        ("match", "match_"),  # soft keyword
        ("__init__", "init"),
        ("", "value"),
        ("123", "value_123"),
        ("日本語", "value"),
    ],
)
def test_snake_case(text: str, expected: str) -> None:
    assert snake_case(text) == expected


def test_snake_case_avoids_builtins_only_when_asked() -> None:
    assert snake_case("id") == "id_"
    assert snake_case("id", avoid_builtins=False) == "id"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ContactListEntityListing", "ContactListEntityListing"),
        ("contact list", "ContactList"),
        ("system.SysAuthority", "SystemSysAuthority"),
        ("weird name.x", "WeirdNameX"),
        ("type", "Type"),
        ("None", "NoneModel"),
        ("", "Model"),
    ],
)
def test_class_name(text: str, expected: str) -> None:
    assert class_name(text) == expected


@pytest.mark.parametrize("text", ["../../etc/passwd", "a/b\\c", "CON", "x" * 500, "..", "__init__"])
def test_module_names_cannot_escape_or_overflow(text: str) -> None:
    name = module_name(text)
    assert name.isidentifier()
    assert "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith("__")
    assert len(name) <= 120


def test_identifier_rejects_unsafe_values() -> None:
    for bad in ("a b", "import", "x-y", "é", "1a", ""):
        with pytest.raises(ValueError, match="not a safe identifier"):
            Identifier(bad)
    assert Identifier("ok_name") == "ok_name"


def test_unique_names_are_deterministic_and_respect_reserved() -> None:
    names = UniqueNames(reserved={"timeout"})
    assert names.claim(Identifier("timeout")) == "timeout_2"
    assert names.claim(Identifier("get_x")) == "get_x"
    assert names.claim(Identifier("get_x")) == "get_x_2"
    assert names.claim(Identifier("get_x")) == "get_x_3"
    assert "get_x_2" in names


def test_unique_names_keep_their_suffix_within_the_length_limit() -> None:
    """Two long tags cut to the same name: the second's suffix survives the cut that makes
    its module name, so the two resources never share a module."""
    names = UniqueNames()
    long = snake_case("VeryLongName" * 40)
    first, second = names.claim(long), names.claim(long)
    assert first != second and second.endswith("_2")
    assert len(second) <= MAX_NAME_LENGTH
    assert module_name(first) != module_name(second)


def test_no_generated_name_is_a_keyword() -> None:
    for word in keyword.kwlist + keyword.softkwlist:
        assert not keyword.iskeyword(snake_case(word))
        assert not keyword.iskeyword(class_name(word))
