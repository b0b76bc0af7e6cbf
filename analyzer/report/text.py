"""Small text helpers shared by every output format: numbers and Markdown escaping.

Names in a report come from the analyzed source, so anything that writes Markdown runs them
through :func:`md_escape` (a name such as ``a|b`` would otherwise split a table cell, and
``<script>`` would reach a renderer that accepts raw HTML).
"""

from __future__ import annotations

import math
from typing import Any

_MD_SPECIAL = set("\\`*_{}[]#|~")


def fmt_number(value: Any, digits: int = 3) -> str:
    """Integers as integers, floats with ``digits`` decimals, missing values as an en dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer() and abs(value) >= 10:
            return f"{int(value):,}"
        if abs(value) >= 100:  # a count's median (``4,502.5`` lines), not a score in [0, 1]
            return f"{value:,.1f}"
        text = f"{value:.{digits}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0.000"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt_number(v, digits)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_number(v, digits) for v in value)
    return str(value)


def fmt_detail(value: Any) -> str:
    """A list or mapping on one line; "none" when empty."""
    if isinstance(value, (list, tuple, dict)) and not value:
        return "none"
    return fmt_number(value)


def md_escape(value: Any) -> str:
    """Text safe inside a Markdown paragraph or table cell: one line, specials escaped."""
    text = " ".join(str(value).split())
    out = []
    for ch in text:
        if ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def md_code(value: Any) -> str:
    """An inline code span that survives backticks, pipes and angle brackets in the text.

    Inside a code span nothing is interpreted, except that a table still splits on ``|``; so
    pipes become ``\\|`` (GitHub's tables unescape it) and the fence is longer than any run of
    backticks in the text.
    """
    text = " ".join(str(value).split()).replace("|", "\\|")
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def mermaid_label(value: Any) -> str:
    """A quoted Mermaid node label: quotes, ``#`` and angle brackets as Mermaid entity codes."""
    codes = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}
    text = " ".join(str(value).split())
    return '"' + "".join(codes.get(ch, ch) for ch in text) + '"'


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


__all__ = ["fmt_detail", "fmt_number", "md_code", "md_escape", "mermaid_label", "plural"]
