"""Type hints of the monolith's functions → pydantic field types and JSON schemas.

Only plain data crosses a service boundary as JSON, so only plain data types are mapped:
``int``, ``str``, ``float``, ``bool``, ``None``, ``Decimal``, ``datetime``, ``date``,
``UUID``, ``Any``, lists (``list``, ``List``, ``Sequence``, ``set``, ``tuple[T, ...]``...),
dicts (``dict``, ``Dict``, ``Mapping``...), ``Optional``, ``Union``, ``X | Y``,
``Annotated`` and ``Literal``. Anything else (an ORM model, a dataclass, a missing hint)
becomes ``Any`` and the model that holds it is made permissive, with the reason recorded so
the generated code can say why.

Annotations are parsed with :mod:`ast` and never evaluated: the analyzed code is not
imported.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any

# PyType kinds
INT, STR, FLOAT, BOOL, NONE, DECIMAL, DATETIME, DATE, UUID, ANY, LIST, DICT, UNION = (
    "int", "str", "float", "bool", "none", "decimal", "datetime", "date", "uuid", "any", "list", "dict",
    "union",
)


@dataclass(frozen=True, slots=True)
class PyType:
    """A mapped type: a scalar kind, or ``list``/``dict``/``union`` over ``args``."""

    kind: str
    args: tuple[PyType, ...] = ()


@dataclass(frozen=True, slots=True)
class Mapped:
    """The result of mapping one annotation: the type, and why it is not exact (if not)."""

    type: PyType
    exact: bool
    reason: str | None = None


ANY_T = PyType(ANY)
NONE_T = PyType(NONE)

_SCALARS = {
    "int": INT, "str": STR, "float": FLOAT, "bool": BOOL, "None": NONE, "NoneType": NONE,
    "Decimal": DECIMAL, "datetime": DATETIME, "date": DATE, "UUID": UUID, "Any": ANY,
}
_LISTS = {"list", "List", "Sequence", "MutableSequence", "Iterable", "Collection", "set", "Set",
          "frozenset", "FrozenSet", "AbstractSet", "MutableSet", "tuple", "Tuple"}
_DICTS = {"dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "defaultdict"}
# module prefixes under which the names above keep their meaning (``typing.List``...)
_PREFIXES = {"typing", "typing_extensions", "t", "tp", "datetime", "dt", "decimal", "uuid", "builtins",
             "collections", "collections.abc", "abc"}
_MAX_DEPTH = 8


class _Unmapped(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def map_annotation(text: str | None) -> Mapped:
    """Map an annotation's source text.

    >>> map_annotation("Optional[list[int]]").type == union(PyType(LIST, (PyType(INT),)), NONE_T)
    True
    >>> map_annotation("Order").reason
    '`Order` is not a plain data type'
    """
    if text is None or not text.strip():
        return Mapped(ANY_T, False, "no type hint")
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return Mapped(ANY_T, False, f"`{_short(text)}` could not be read")
    reasons: list[str] = []
    mapped = _map(node, reasons, 0)
    if reasons:
        return Mapped(mapped, False, reasons[0])
    return Mapped(mapped, True)


def _short(text: str) -> str:
    text = " ".join(text.split()).replace("`", "'")
    return text if len(text) <= 60 else text[:59] + "…"


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def _name(node: ast.expr) -> str | None:
    """The bare name of a type reference when its prefix is one we understand."""
    dotted = _dotted(node)
    if dotted is None:
        return None
    if "." not in dotted:
        return dotted
    prefix, name = dotted.rsplit(".", 1)
    return name if prefix in _PREFIXES else None


def _map(node: ast.expr, reasons: list[str], depth: int) -> PyType:
    if depth > _MAX_DEPTH:
        reasons.append("the type is nested too deeply")
        return ANY_T
    if isinstance(node, ast.Constant):
        if node.value is None:
            return NONE_T
        if isinstance(node.value, str):  # a forward reference written as a string
            try:
                inner = ast.parse(node.value.strip(), mode="eval").body
            except (SyntaxError, ValueError):
                reasons.append(f"`{_short(node.value)}` could not be read")
                return ANY_T
            return _map(inner, reasons, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return union(_map(node.left, reasons, depth + 1), _map(node.right, reasons, depth + 1))
    name = _name(node)
    if name is not None:
        if name in _SCALARS:
            return PyType(_SCALARS[name])
        if name in _LISTS:
            return PyType(LIST, (ANY_T,))
        if name in _DICTS:
            return PyType(DICT, (PyType(STR), ANY_T))
    if isinstance(node, ast.Subscript):
        head = _name(node.value)
        items = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head in ("Optional",) and len(items) == 1:
            return union(_map(items[0], reasons, depth + 1), NONE_T)
        if head == "Union":
            return union(*(_map(i, reasons, depth + 1) for i in items))
        if head == "Annotated" and items:
            return _map(items[0], reasons, depth + 1)
        if head == "Literal":
            return _literal(items, reasons)
        if head in _LISTS:
            if head in ("tuple", "Tuple"):
                if len(items) == 2 and isinstance(items[1], ast.Constant) and items[1].value is Ellipsis:
                    return PyType(LIST, (_map(items[0], reasons, depth + 1),))
                arms = [_map(i, reasons, depth + 1) for i in items]
                return PyType(LIST, (union(*arms) if arms else ANY_T,))
            return PyType(LIST, (_map(items[0], reasons, depth + 1),))
        if head in _DICTS and len(items) == 2:
            key = _map(items[0], [], depth + 1)
            if key.kind not in (STR, INT):
                reasons.append(f"dict keys of type `{_short(ast.unparse(items[0]))}` are not JSON keys")
                key = PyType(STR)
            return PyType(DICT, (key, _map(items[1], reasons, depth + 1)))
    reasons.append(f"`{_short(ast.unparse(node))}` is not a plain data type")
    return ANY_T


def _literal(items: list[ast.expr], reasons: list[str]) -> PyType:
    kinds = set()
    for item in items:
        if not isinstance(item, ast.Constant):
            reasons.append("a `Literal` holds a non-constant value")
            return ANY_T
        kinds.add(NONE if item.value is None else type(item.value).__name__)
    arms = [PyType(_SCALARS[k]) if k in _SCALARS else PyType(k) for k in sorted(kinds)]
    if any(a.kind not in _SCALARS.values() for a in arms):
        reasons.append("a `Literal` holds a value that is not plain data")
        return ANY_T
    return union(*arms)


def union(*arms: PyType) -> PyType:
    """A flattened, de-duplicated union; ``None`` goes last; ``Any`` absorbs everything."""
    flat: list[PyType] = []
    for arm in arms:
        for a in arm.args if arm.kind == UNION else (arm,):
            if a not in flat:
                flat.append(a)
    if any(a.kind == ANY for a in flat):
        return ANY_T
    flat.sort(key=lambda a: a.kind == NONE)
    return flat[0] if len(flat) == 1 else PyType(UNION, tuple(flat))


def optional(t: PyType) -> PyType:
    return union(t, NONE_T)


def accepts_none(t: PyType) -> bool:
    return t.kind in (NONE, ANY) or (t.kind == UNION and any(a.kind == NONE for a in t.args))


# -- rendering --------------------------------------------------------------------------------


def python_type(t: PyType) -> str:
    """Source text of the type for a pydantic model (Python 3.11 syntax).

    >>> python_type(union(PyType(LIST, (PyType(INT),)), NONE_T))
    'list[int] | None'
    """
    simple = {INT: "int", STR: "str", FLOAT: "float", BOOL: "bool", NONE: "None", DECIMAL: "Decimal",
              DATETIME: "datetime", DATE: "date", UUID: "UUID", ANY: "Any"}
    if t.kind in simple:
        return simple[t.kind]
    if t.kind == LIST:
        return f"list[{python_type(t.args[0])}]"
    if t.kind == DICT:
        return f"dict[{python_type(t.args[0])}, {python_type(t.args[1])}]"
    if t.kind == UNION:
        return " | ".join(python_type(a) for a in t.args)
    raise ValueError(f"unknown type kind {t.kind!r}")


def imports(t: PyType) -> set[str]:
    """What the type's source text needs imported, as ``module:name`` items."""
    need = {DECIMAL: "decimal:Decimal", DATETIME: "datetime:datetime", DATE: "datetime:date", UUID: "uuid:UUID",
            ANY: "typing:Any"}
    out = {need[t.kind]} if t.kind in need else set()
    for a in t.args:
        out |= imports(a)
    return out


def json_schema(t: PyType) -> dict[str, Any]:
    """The JSON schema of the type, shaped like the one pydantic writes into OpenAPI."""
    if t.kind == INT:
        return {"type": "integer"}
    if t.kind == STR:
        return {"type": "string"}
    if t.kind == FLOAT:
        return {"type": "number"}
    if t.kind == BOOL:
        return {"type": "boolean"}
    if t.kind == NONE:
        return {"type": "null"}
    if t.kind == DECIMAL:
        return {"anyOf": [{"type": "number"}, {"type": "string"}]}
    if t.kind == DATETIME:
        return {"type": "string", "format": "date-time"}
    if t.kind == DATE:
        return {"type": "string", "format": "date"}
    if t.kind == UUID:
        return {"type": "string", "format": "uuid"}
    if t.kind == ANY:
        return {}
    if t.kind == LIST:
        return {"type": "array", "items": json_schema(t.args[0])}
    if t.kind == DICT:
        return {"type": "object", "additionalProperties": json_schema(t.args[1])}
    if t.kind == UNION:
        return {"anyOf": [json_schema(a) for a in t.args]}
    raise ValueError(f"unknown type kind {t.kind!r}")


def example(t: PyType) -> Any:
    """A small JSON value that validates against the type (used by the generated tests)."""
    values = {INT: 1, STR: "text", FLOAT: 1.5, BOOL: True, NONE: None, DECIMAL: "9.99",
              DATETIME: "2024-01-01T00:00:00Z", DATE: "2024-01-01",
              UUID: "00000000-0000-0000-0000-000000000001", ANY: None}
    if t.kind in values:
        return values[t.kind]
    if t.kind == LIST:
        return []
    if t.kind == DICT:
        return {}
    if t.kind == UNION:
        return example(next((a for a in t.args if a.kind != NONE), t.args[0]))
    raise ValueError(f"unknown type kind {t.kind!r}")


# -- defaults -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Default:
    """How a parameter default is written in a model: a plain value, or an empty container."""

    value: Any = None  # the default as JSON (``None`` also stands for defaults that are not literals)
    factory: str | None = None  # ``list`` / ``dict`` for empty containers
    reason: str | None = None  # why the default could not be kept


def map_default(text: str | None) -> Default | None:
    """``None`` when there is no default; otherwise what the model writes for it."""
    if text is None:
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return Default(reason=f"default `{_short(text)}` is not a literal; None stands for it")
    if value is None or isinstance(value, (bool, int, str)):
        return Default(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return Default(value)
        return Default(reason=f"default `{_short(text)}` is not valid JSON; None stands for it")
    if isinstance(value, (list, tuple, set, frozenset)) and not value:
        return Default([], factory="list")
    if isinstance(value, dict) and not value:
        return Default({}, factory="dict")
    return Default(reason=f"default `{_short(text)}` is a container; None stands for it")
