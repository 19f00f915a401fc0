"""The forgiving HTML tree under the live-portal reader."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from odido_gen.portal._html import parse_html
from odido_gen.portal._http import is_login_page


def test_implied_end_tags_and_stray_end_tags() -> None:
    root = parse_html("<ul><li>one<li>two</b></ul><dl><dt>A<dd>1<dt>B<dd>2</dl><p>x<p>y")

    assert [li.text() for li in root.iter("li")] == ["one", "two"]
    assert [e.text() for e in root.iter("dd")] == ["1", "2"]
    assert [p.text() for p in root.iter("p")] == ["x", "y"]


def test_void_elements_and_raw_text() -> None:
    root = parse_html('<div>a<br>b<img src=x><script>var t = "<p>no</p>";</script></div>')

    div = root.find("div")
    assert div is not None
    assert div.text() == "a b"
    assert root.find("p") is None


def test_attributes_and_classes() -> None:
    root = parse_html("<A HREF=/x CLASS='Card  plan'>t</A><input disabled>")

    anchor = root.find("a")
    assert anchor is not None
    assert (anchor.attrs["href"], anchor.classes) == ("/x", frozenset({"card", "plan"}))
    assert root.find("input") is not None


@given(st.text(max_size=200))
def test_never_fails_on_any_text(text: str) -> None:
    parse_html(text).text()


def test_login_pages() -> None:
    assert is_login_page('<form><input type="password" name="pw"></form>')
    assert is_login_page('<a href="https://connect/realms/r/protocol/openid-connect/auth">SSO</a>')
    assert is_login_page("<title>Sign in | Portal</title>")
    assert not is_login_page("<title>API Products</title><a href='/portal/apps'>My apps</a>")
