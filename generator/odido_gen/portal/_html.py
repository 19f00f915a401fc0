"""A small, forgiving HTML tree built on the standard library's `html.parser`.

Portal themes differ and real pages are not always well formed, so the builder never fails:
unknown end tags are ignored, void elements never take children, and the elements HTML lets
authors leave open (`li`, `dt`, `dd`, `tr`, `td`, `th`, `p`, `option`) are closed by their
next sibling.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Element", "parse_html"]

_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ],
)
# Opening one of the keys closes an open element of the listed tags, up to the given boundary.
_IMPLIED_END: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist"})),
    "p": (frozenset({"p"}), frozenset({"div", "section", "article", "main", "body"})),
}
_RAW_TEXT = frozenset({"script", "style", "template"})
_SPACES = re.compile(r"\s+")


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    @property
    def classes(self) -> frozenset[str]:
        return frozenset(self.attrs.get("class", "").lower().split())

    def text(self) -> str:
        """All text below this element, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Element) -> None:
            if node.tag in _RAW_TEXT:
                return
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return _SPACES.sub(" ", " ".join(parts)).strip()

    def iter(self, *tags: str) -> Iterator[Element]:
        """This element and its descendants in document order, optionally only `tags`."""
        stack: list[Element] = [self]
        while stack:
            node = stack.pop()
            if not tags or node.tag in tags:
                yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Element))

    def find(self, *tags: str) -> Element | None:
        return next((e for e in self.iter(*tags) if e is not self), None)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self._stack: list[Element] = [self.root]

    def _close_implied(self, tag: str) -> None:
        rule = _IMPLIED_END.get(tag)
        if rule is None:
            return
        closes, boundary = rule
        for index in range(len(self._stack) - 1, 0, -1):
            open_tag = self._stack[index].tag
            if open_tag in boundary:
                return
            if open_tag in closes:
                del self._stack[index:]
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        parent = self._stack[-1]
        element = Element(tag, {k.lower(): v or "" for k, v in attrs}, parent=parent)
        parent.children.append(element)
        if tag not in _VOID:
            self._stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._close_implied(tag)
        parent = self._stack[-1]
        parent.children.append(Element(tag, {k.lower(): v or "" for k, v in attrs}, parent=parent))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, 0, -1):
            if self._stack[index].tag == tag:
                del self._stack[index:]
                return
        # An end tag with no open element is ignored, as browsers do.

    def handle_data(self, data: str) -> None:
        self._stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    """Parse `text` into a tree rooted at a `#document` element; never raises on bad markup."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root
