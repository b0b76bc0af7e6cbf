"""Names from the analyzed code made safe for the places the scaffold writes them.

Service and function names come from someone else's code (or a hand-edited plan), so they
may hold anything: ``../../etc``, ``a/b``, ``{{ 7*7 }}``, keywords, non-ASCII letters. Every
name that becomes a file name, a Python identifier, a DNS label or an environment variable
goes through here first; the original text only ever appears inside quoted literals.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Callable, Iterable

_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
MAX_LABEL = 40  # leaves room for suffixes inside the 63-character DNS label limit


def words(text: str) -> list[str]:
    """Lower-case ASCII words of ``text``: camelCase, snake_case and punctuation all split.

    >>> words("FakeGateway.charge_card")
    ['fake', 'gateway', 'charge', 'card']
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out: list[str] = []
    for chunk in _WORD.findall(ascii_text):
        out.extend(part.lower() for part in _CAMEL.split(chunk) if part)
    return out


def kebab(text: str, *, fallback: str = "x") -> str:
    """``place-order``: a URL path segment / DNS label body (may start with a digit)."""
    return "-".join(words(text)) or fallback


def snake(text: str, *, fallback: str = "x") -> str:
    """``place_order``: a Python identifier (never a keyword, never starting with a digit)."""
    name = "_".join(words(text)) or fallback
    if name[0].isdigit():
        name = f"n{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name = f"{name}_"
    return name


def pascal(text: str, *, fallback: str = "X") -> str:
    """``PlaceOrder``: a class name."""
    name = "".join(w.capitalize() for w in words(text)) or fallback
    return f"N{name}" if name[0].isdigit() else name


def service_slug(name: str) -> str:
    """A DNS-1035 label (letters, digits, ``-``; starts with a letter): usable as a folder,
    a Kubernetes object name, a compose service and a URL segment at once."""
    slug = kebab(name, fallback="service")[:MAX_LABEL].strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"svc-{slug}".strip("-")
    return slug


def unique(names: Iterable[str], make: Callable[[str], str], *, sep: str = "-",
           taken: Iterable[str] = ()) -> dict[str, str]:
    """original -> made name, with ``-2``, ``-3`` suffixes so that the mapping is one-to-one.

    Names are taken in sorted order, so the suffixes do not depend on input order; ``taken``
    holds names that are reserved already.
    """
    out: dict[str, str] = {}
    used: set[str] = set(taken)
    for original in sorted(set(names)):
        base = make(original)
        candidate, n = base, 2
        while candidate in used:
            candidate = f"{base}{sep}{n}"
            n += 1
        used.add(candidate)
        out[original] = candidate
    return out


def env_name(text: str) -> str:
    """``ORDERS_PAYMENTS_URL``: an environment variable name."""
    return snake(text).upper().strip("_")


def one_line(text: str | None, *, limit: int = 200) -> str:
    """Printable text without line breaks: safe inside a comment or a Markdown table cell."""
    if not text:
        return ""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
