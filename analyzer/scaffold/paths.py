"""URL paths of the monolith's routes → FastAPI paths and gateway match patterns.

Flask writes ``/orders/<int:order_id>``, Django ``orders/<int:pk>/`` or a regular
expression ``^orders/(?P<pk>[0-9]+)/$``, FastAPI ``/orders/{order_id}``. The generated
service needs the FastAPI form and the gateway an anchored regular expression. A path whose
fixed text holds characters outside a conservative set is refused (``None`` with a reason):
the same text ends up in nginx configuration and YAML, where it must never be able to
change the meaning of the file around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.facts import RUNTIME_PART
from analyzer.scaffold.names import snake

# Flask / Django converters -> parameter kind
_CONVERTERS = {"int": "int", "float": "float", "path": "path", "string": "str", "str": "str",
               "slug": "str", "uuid": "str", "any": "str", "default": "str"}
# ``<int:id>`` / ``<id>`` (Flask, Django) or ``{id}`` / ``{rest:path}`` (FastAPI, Starlette)
_PARAM = re.compile(
    r"<(?:(?P<conv>[A-Za-z_]\w*)(?:\((?:\"[^\"<>]*\"|'[^'<>]*'|[^)<>\"'])*\))?:)?(?P<name>[A-Za-z_]\w*)>"
    r"|\{(?P<name2>[A-Za-z_]\w*)(?::(?P<conv2>path|int|float|str))?\}"
)
_FASTAPI_PARAM = re.compile(r"\{[^{}]*\}")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>[A-Za-z_]\w*)>(?P<pattern>[^()]*)\)")
_INT_PATTERNS = {r"\d+", "[0-9]+", r"[\d]+"}
_SAFE_LITERAL = re.compile(r"^[A-Za-z0-9/._~:@!+,=-]*$")
_REGEX_META = set("()[]{}*+?|\\^$")

# what the gateway matches for each parameter kind
_MATCH = {"int": "[0-9]+", "float": "[0-9]+[.][0-9]+", "str": "[^/]+", "path": ".+"}
_EXAMPLE = {"int": "1", "float": "1.5", "str": "x", "path": "a/b"}


def _own_converter(name: str) -> str:
    """The kind of a converter the project registers itself (Flask's ``app.url_map.converters``:
    quay's ``<repopath:repository>``, mwdb's ``<hash64:identifier>``, udata's ``<org:org>``,
    which loads the organization): its own check is the project's to port, the path
    parameter it reads is one segment, or several when its name says it is a path. The
    gateway then matches it by that kind's fixed pattern, never by the project's own text."""
    return "path" if "path" in name.lower() else "str"


@dataclass(frozen=True, slots=True)
class PathParam:
    name: str  # Python identifier
    kind: str  # int | float | str | path


@dataclass(frozen=True, slots=True)
class RoutePath:
    """One monolith URL path in the forms the scaffold writes."""

    original: str
    fastapi: str  # ``/orders/{order_id}``
    params: tuple[PathParam, ...]
    regex: str | None  # ``^/orders/[0-9]+$``; None for a fixed path (``^/about/?$`` for an optional slash)
    example: str  # a concrete path that matches (``/orders/1``)

    @property
    def is_static(self) -> bool:
        return not self.params

    @property
    def literal_length(self) -> int:
        """Characters of fixed text: more specific patterns go first in the gateway."""
        return len(_FASTAPI_PARAM.sub("", self.fastapi))

    def starlette_pattern(self) -> re.Pattern[str]:
        """What Starlette matches for the template: any segment for ``{name}``, anything for
        ``{name:path}``, whatever the parameter's name or type."""
        parts = []
        last = 0
        for m in _FASTAPI_PARAM.finditer(self.fastapi):
            parts.append(re.escape(self.fastapi[last:m.start()]))
            parts.append(".*" if m.group(0).endswith(":path}") else "[^/]+")
            last = m.end()
        parts.append(re.escape(self.fastapi[last:]))
        return re.compile("^" + "".join(parts) + "$")


@dataclass(frozen=True, slots=True)
class Refused:
    original: str
    reason: str


def convert(path: str | None) -> RoutePath | Refused:
    """Convert a route path, or say why it cannot be served as it is.

    >>> convert("/orders/<int:order_id>").fastapi
    '/orders/{order_id}'
    >>> convert("^orders/(?P<pk>[0-9]+)/$").regex
    '^/orders/[0-9]+/$'
    >>> convert("/about/?").fastapi, convert("/about/?").regex
    ('/about', '^/about/?$')
    """
    if path is None or not path.strip():
        return Refused(str(path), "the route has no path")
    if RUNTIME_PART in path:  # a pattern of the analysis: ``^${get_system_setting()}api/``
        return Refused(path, "part of the path is only known at run time (written `${...}`)")
    original = path
    text = path.strip()
    optional_slash = False
    if text.startswith("^") or text.endswith("$") or "(?P<" in text:
        text = text.removeprefix("^").removesuffix("$")
        text = _REGEX_GROUP.sub(lambda m: _regex_param(m), text)
    if text.endswith("/?"):  # ``^about/?$`` (Django's ``/about/?``): with or without the slash
        text, optional_slash = text[:-2], True
    if not text.startswith("/"):
        text = "/" + text

    tokens: list[tuple[str, str]] = []  # ("lit", text) | ("param", name) with kinds alongside
    kinds: dict[str, str] = {}
    pos = 0
    for m in _PARAM.finditer(text):
        tokens.append(("lit", text[pos:m.start()]))
        raw_name = m.group("name") or m.group("name2")
        conv = m.group("conv") or m.group("conv2") or "default"
        name = snake(raw_name)
        if name in kinds:
            return Refused(original, f"the path parameter `{raw_name}` appears twice")
        kinds[name] = _CONVERTERS.get(conv) or _own_converter(conv)
        tokens.append(("param", name))
        pos = m.end()
    tokens.append(("lit", text[pos:]))

    for kind, value in tokens:
        if kind == "lit":
            if any(ch in _REGEX_META for ch in value):
                return Refused(original, "the path is a regular expression that cannot be converted")
            if not _SAFE_LITERAL.match(value) or "//" in value or "/./" in value or "/../" in value \
                    or value.endswith(("/..", "/.")):
                return Refused(original, "the path holds characters the gateway does not route")
    fastapi = "".join(v if k == "lit" else (f"{{{v}:path}}" if kinds[v] == "path" else f"{{{v}}}")
                      for k, v in tokens)
    params = tuple(PathParam(v, kinds[v]) for k, v in tokens if k == "param")
    regex = None
    if params or optional_slash:
        regex = "^" + "".join(_escape(v) if k == "lit" else _MATCH[kinds[v]] for k, v in tokens)
        regex += "/?$" if optional_slash and not regex.endswith("/") else "$"
    example = "".join(v if k == "lit" else _EXAMPLE[kinds[v]] for k, v in tokens)
    return RoutePath(original, fastapi, params, regex, example)


def _regex_param(m: re.Match[str]) -> str:
    conv = "int" if m.group("pattern") in _INT_PATTERNS else "default"
    return f"<{conv}:{m.group('name')}>"


def _escape(literal: str) -> str:
    """Escape the regex-special characters that survive the safe-literal filter."""
    return literal.replace(".", "[.]").replace("+", "[+]")
