"""Bounds on the shape of sanitized HTML: how deep it nests and how wide its tables are.

Allowed tags can still be stacked ten thousand deep or laid out as a table of a thousand
columns: harmless to scripts, but they stall a browser's layout and break a page's design
from inside a widget. What lies beyond the bounds keeps its text and loses its tags.
"""

from __future__ import annotations

import re

MAX_DEPTH = 24  # nested elements in one item's content
MAX_CELLS = 32  # cells in one table row
MAX_SPAN = 32  # colspan / rowspan
VOID = frozenset({"br", "hr", "img"})
# A whole tag of nh3's output: there a quoted value never holds a `"`, so `>` inside one is
# matched as part of the value.
_TAG_RE = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:[^>"]|"[^"]*")*)>')


def bounded(html: str) -> str:
    """`html` (well-formed, as nh3 writes it) with the tags beyond the bounds removed."""
    if html.count("<") - html.count("</") <= MAX_DEPTH and "<t" not in html:
        return html  # too few elements to nest beyond the bound, and no table: all kept
    stack: list[bool] = []  # per open element: kept?
    depth = 0  # kept elements open
    cells: list[int] = []  # per open row: cells seen

    def one(match: re.Match[str]) -> str:
        nonlocal depth
        closing, tag = match[1], match[2]
        if tag in VOID:
            return match[0] if depth < MAX_DEPTH else ""
        if closing:
            if not stack:
                return ""
            kept = stack.pop()
            depth -= kept
            if tag == "tr" and cells:
                cells.pop()
            return match[0] if kept else ""
        keep = depth < MAX_DEPTH
        if tag in ("td", "th") and cells:
            cells[-1] += 1
            keep = keep and cells[-1] <= MAX_CELLS
        if tag == "tr":
            cells.append(0)
        stack.append(keep)
        depth += keep
        return match[0] if keep else ""

    return _TAG_RE.sub(one, html)


def span(value: str) -> str | None:
    """A colspan or rowspan within bounds, else None (the attribute is dropped)."""
    return value if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_SPAN else None
