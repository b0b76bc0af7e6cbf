"""Per-module facts: what one lean libcst pass extracts from one file.

Facts are plain immutable records (no libcst, no networkx) so they can cross a process
boundary, be cached, and be read by the whole-program stages (resolve, frameworks). A
worker encodes each module's facts once (:func:`encode`); the same bytes travel to the main
process and go into the cache, so caching costs no second serialization. The numerous
records are named tuples: unpickling one is a quarter of the cost of a frozen dataclass,
and a million-line tree has millions of them (``ModuleFacts``, one per file, stays a
dataclass).

Expressions are kept as small *reference strings* instead of syntax trees, which is what
makes cross-module resolution cheap:

``a.b.c``      attribute chain on a name
``f().x``      ``()`` marks the result of a call
``d[].y``      ``[]`` marks an element of a container (subscript, iteration)
``super().m``  ``super()`` is kept as written
``"text"``     never: literals go to ``Arg.value`` / ``Binding.value`` instead

An expression that is none of these (an operator, a comprehension...) is ``None``.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Literal = str | int | float | bool | None | tuple  # tuple of literals (list/tuple/set literal)


class Arg(NamedTuple):
    """One argument of a call or decorator.

    ``expr`` is the reference string of the argument (``views.index``), ``value`` its literal
    value (``"/orders"``, ``("GET", "POST")``), ``call`` the index in ``ModuleFacts.calls`` of
    the call the argument *is* (``include("a.urls")`` inside ``path(...)``), ``star`` is 1 for
    ``*args`` and 2 for ``**kwargs``. ``items`` holds the reference strings of the elements of
    a list, tuple or set written in place that is not all literal (``route_handlers=[UserController,
    list_items, *more]`` gives ``("UserController", "list_items", "more[]")``): the names a
    registration lists, which no binding records.
    """

    keyword: str | None = None
    expr: str | None = None
    value: Literal = None
    call: int | None = None
    star: int = 0
    items: tuple[str | None, ...] | None = None


class Call(NamedTuple):
    """A call site. ``scope`` is the qualified name of the enclosing def (the module name for
    top-level code, the class name for a class body)."""

    scope: str
    callee: str | None
    args: tuple[Arg, ...]
    line: int
    result_used: bool = True
    first: int | None = None  # calls[first:index] are the calls nested in this one (receiver, args)


class Decorator(NamedTuple):
    expr: str | None
    args: tuple[Arg, ...] | None  # None: used without call (``@task``); () : ``@task()``
    line: int


def annotation_members(ref: str) -> list[str]:
    """The members of a union reference (``list[A|B]|C`` -> ``list[A|B]``, ``C``): split at
    the ``|`` outside brackets."""
    if "[" not in ref:
        return ref.split("|") if ref else []
    out, depth, start = [], 0, 0
    for i, ch in enumerate(ref):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(ref[start:i])
            start = i + 1
    out.append(ref[start:])
    return out


def annotation_items(ref: str) -> str | None:
    """What a container reference says of its items (``list[A|B]`` -> ``A|B``); ``None`` for a
    class (``A``) or a class itself (``type[A]``)."""
    if ref.endswith("]") and not ref.startswith("type["):
        return ref[ref.index("[") + 1:-1]
    return None


class Param(NamedTuple):
    name: str
    annotation: str | None = None  # source text of the annotation
    annotation_expr: str | None = None  # reference string of the annotated type, if simple
    default: str | None = None  # source text of the default, if any
    kind: str = "positional"  # positional | keyword_only | var_positional | var_keyword | positional_only


class Definition(NamedTuple):
    """A module, class, function or method, with its line span and size in lines."""

    qualname: str
    kind: str  # module | class | function | method
    name: str
    line: int
    end_line: int
    decorators: tuple[Decorator, ...] = ()
    bases: tuple[str | None, ...] = ()  # reference strings of base classes (class only)
    keywords: tuple[Arg, ...] = ()  # class keywords, e.g. metaclass=...
    params: tuple[Param, ...] = ()
    returns: str | None = None  # source text of the return annotation
    returns_expr: str | None = None
    is_async: bool = False
    docstring: str | None = None  # first line only

    @property
    def lines(self) -> int:
        return self.end_line - self.line + 1


LAMBDA = "<lambda"  # how the names of lambdas begin (``<lambda1>``): see :func:`lambda_owner`


def lambda_owner(qualname: str) -> str:
    """The definition a lambda's code belongs to in the dependency graph: the def, class or
    module holding it (``app.f.<lambda1>`` -> ``app.f``); any other name as it is. A lambda is
    a function of its own for resolution and the call graph, never a symbol or a unit."""
    while LAMBDA in qualname:
        head, _, last = qualname.rpartition(".")
        if not last.startswith(LAMBDA):
            break
        qualname = head
    return qualname


class Import(NamedTuple):
    """``import module [as asname]`` (name is None) or ``from module import name [as asname]``.

    ``module`` is absolute: relative imports are resolved against the importing module.
    """

    scope: str
    module: str
    name: str | None
    asname: str | None
    line: int

    @property
    def bound_name(self) -> str:
        if self.asname:
            return self.asname
        if self.name is not None:
            return self.name
        return self.module.split(".")[0]


class Binding(NamedTuple):
    """``name = expr`` in a scope (also ``with ... as name``, ``for name in``, annotated
    assignments, ``self.name = ...`` recorded on the class scope).

    ``name`` may end in ``[]`` for the elements of a container literal:
    ``HANDLERS = {"a": f}`` gives ``HANDLERS -> None (value container)`` and ``HANDLERS[] -> f``.
    ``annotation`` holds the reference string of an annotated type (``x: Foo = ...``).
    ``<return>`` is the name used for the expressions a function returns, ``<yield>`` for
    what a generator yields (``yield from rows`` as ``rows[]``).
    """

    scope: str
    name: str
    expr: str | None
    line: int
    value: Literal = None
    annotation: str | None = None
    call: int | None = None  # index of the call the right-hand side is, if it is one
    origin: str | None = None  # scope the expression is evaluated in, when not ``scope``


class With(NamedTuple):
    """A ``with`` statement: its context managers and the line span of its body."""

    scope: str
    items: tuple[Arg, ...]  # expr/call of each context manager; keyword holds the ``as`` name
    line: int
    end_line: int
    first_call: int = 0  # calls[first_call:end_call] are the call sites inside the body
    end_call: int = 0


class StringRef(NamedTuple):
    """A string literal that looks like SQL or a dotted path, with where it stands."""

    scope: str
    value: str
    line: int


class AttrStore(NamedTuple):
    """``obj.attr = ...`` or ``obj.attr += ...``: an attribute written on an object.

    Kept because writing a loaded ORM instance's attribute is a database write in
    SQLAlchemy's unit of work. ``base`` is the reference string of the object.
    """

    scope: str
    base: str
    attr: str
    line: int


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """A file that could not be read or parsed; recorded, never raised."""

    path: str
    line: int | None
    message: str
    kind: str = "syntax"  # syntax | decode | read | size | internal (our walker failed on it)


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    module: str
    path: str
    is_package: bool
    lines: int
    sha: str
    definitions: tuple[Definition, ...] = ()
    imports: tuple[Import, ...] = ()
    calls: tuple[Call, ...] = ()
    bindings: tuple[Binding, ...] = ()
    withs: tuple[With, ...] = ()
    strings: tuple[StringRef, ...] = ()
    error: ParseFailure | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    stores: tuple[AttrStore, ...] = ()
    shape: str = ""  # facts.resolution_shape of these facts, set where they are made


# A string built from parts (an f-string, ``"...".format(...)``, ``"/api/" + PREFIX``) is
# kept as a literal template: TEMPLATE, then its text with each part between TEMPLATE_OPEN
# and TEMPLATE_CLOSE. A part that is a name or an attribute chain is filled from the constant
# it is bound to; any other part (a call, a formatted value) starts with OPAQUE and is known
# only at run time: the string then has a pattern (``fill_pattern``) but no value.
TEMPLATE = "\x00f"
TEMPLATE_OPEN = "\x01"
TEMPLATE_CLOSE = "\x02"
OPAQUE = "?"
TEMPLATE_MARKS = ("\x00", "\x01", "\x02")
RUNTIME_PART = "${"  # how a pattern writes a part known only at run time: ``${name}``


def is_template(value: object) -> bool:
    return isinstance(value, str) and value.startswith(TEMPLATE)


def template_parts(template: str) -> list[tuple[str | None, str]]:
    """``(ref, text)`` pairs of a template: the text before the first part has ref None."""
    out: list[tuple[str | None, str]] = []
    for i, chunk in enumerate(template[len(TEMPLATE):].split(TEMPLATE_OPEN)):
        if i == 0:
            out.append((None, chunk))
        else:
            ref, _, text = chunk.partition(TEMPLATE_CLOSE)
            out.append((ref, text))
    return out


def format_fields(text: str, positional: list, named: dict) -> list[tuple[str, object, bool]] | None:
    """``str.format``'s reading of ``text`` with these arguments: per replacement field, the
    text before it, the argument it names and whether it takes the argument plain (no format
    spec, no conversion); a last row with the text after the last field and argument
    ``None``. ``None`` when the text cannot be read so: a format error (the call raises at
    run time), a spec taking arguments of its own (``{:{width}}``), or a field that names
    no argument (``{0.name}``, ``{x[0]}``, ``{²}``, an index past the arguments)."""
    import string

    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return None
    out: list[tuple[str, object, bool]] = []
    auto = 0
    for chunk, name, spec, conversion in fields:
        if name is None:
            out.append((chunk, None, True))
            continue
        if spec and "{" in spec:
            return None
        if name == "":
            name, auto = str(auto), auto + 1
        if name.isascii() and name.isdigit():
            value = positional[int(name)] if int(name) < len(positional) else None
        else:
            value = named.get(name)
        if value is None:
            return None
        out.append((chunk, value, not spec and not conversion))
    return out


def fill_template(template: str, value_of: Callable[[str], object]) -> str | None:
    """The string a template stands for, each name's value given by ``value_of``; None
    when one of them is no string or number, or a part known only at run time."""
    out: list[str] = []
    for ref, text in template_parts(template):
        if ref is not None:
            value = None if ref.startswith(OPAQUE) else value_of(ref)
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                return None
            out.append(str(value))
        out.append(text)
    return "".join(out)


def fill_pattern(template: str, text_of: Callable[[str], str | None]) -> str:
    """A template's text with each part ``text_of`` gives (its constant, or the pattern
    of the template it is bound to) and every other written ``${ref}``: ``"^${prefix}api/"``."""
    out: list[str] = []
    for ref, text in template_parts(template):
        if ref is not None:
            known = None if ref.startswith(OPAQUE) else text_of(ref)
            out.append(known if known is not None else f"{RUNTIME_PART}{ref.removeprefix(OPAQUE)}}}")
        out.append(text)
    return "".join(out)


def package_of(module: str, is_package: bool) -> str:
    """The package a module's relative imports start from: itself for a package."""
    return module if is_package else module.rpartition(".")[0]


def absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute module a relative import names (``from ..x import y`` in ``a.b.c``); with
    ``level`` 0, ``target`` as it is. Facts hold absolute names only, so the parser, the
    extraction and the frameworks stage (``config.include(".views")``) all resolve here."""
    if level == 0:
        return target or ""
    package = package_of(module, is_package)
    base = package.split(".") if package else []
    if level > 1:
        base = base[: len(base) - (level - 1)] if level - 1 <= len(base) else []
    parts = [*base, *(target.split(".") if target else [])]
    return ".".join(p for p in parts if p)


def argument(call: Call, position: int | None, keyword: str | None = None, *,
             past_stars: bool = True) -> Arg | None:
    """The argument a call passes at ``position`` (counting positional ones) or as
    ``keyword``. With ``past_stars=False`` there is none at a position after ``*args``:
    which value lands there is then not known."""
    if keyword is not None:
        for a in call.args:
            if a.keyword == keyword and not a.star:
                return a
    if position is not None:
        n = 0
        for a in call.args:
            if a.star and not past_stars:
                return None
            if a.keyword is None and not a.star:
                if n == position:
                    return a
                n += 1
    return None


def argument_rows(index: int, position: int) -> str:
    """The name the rows of a list of tuples given as an argument are bound under, in the
    call's scope: ``<argument 3 of call 12>[k][i]`` is the i-th item of row k of the list
    passed as the call's fourth argument (``Application([(r"/", MainHandler), ...])``)."""
    return f"<argument {position} of call {index}>"


# A name or dotted name: the only parameter defaults resolution evaluates (``def f(callback=handler)``)
REFERENCE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_OTHER_DEFAULT = "<default>"


def params_seen(params: tuple[Param, ...]) -> tuple[Param, ...]:
    """``params`` as resolution and the frameworks stage read them: a default that is no
    :data:`REFERENCE` (``limit=50``, ``name="x"``; the calls in ``db=Depends(get_db)`` are
    call sites of their own) is only there or not. Neither stage reads its text (the
    document's signatures are assembled from the facts themselves), so editing it keeps
    both stages' results."""
    if all(p.default is None or REFERENCE.match(p.default) for p in params):
        return params
    return tuple(p if p.default is None or REFERENCE.match(p.default) else p._replace(default=_OTHER_DEFAULT)
                 for p in params)


def resolution_shape(m: ModuleFacts) -> str:
    """A digest of what resolution reads of one module's facts: names, scopes, expressions,
    signatures and the order of the call sites, but no position, docstring, literal value or
    parameter default other than a name (:func:`params_seen`), nor what only the frameworks
    stage reads (``with`` blocks, strings, attribute stores). Computed where the facts are
    made and cached with them; here, beside the records, so that the facts version covers
    it (``analyzer.cache.FACTS_VERSION``)."""
    if m.error is not None:
        return ""

    def args(xs):
        return None if xs is None else tuple((a.keyword, a.expr, a.star) for a in xs)

    parts = (
        m.module, m.is_package,
        tuple((d.qualname, d.kind, d.name, tuple((x.expr, args(x.args)) for x in d.decorators), d.bases,
               args(d.keywords), params_seen(d.params), d.returns, d.returns_expr, d.is_async) for d in m.definitions),
        tuple((i.scope, i.module, i.name, i.asname) for i in m.imports),
        tuple((c.scope, c.callee, args(c.args), c.result_used) for c in m.calls),
        tuple((b.scope, b.name, b.expr, b.annotation, b.origin) for b in m.bindings),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def source_hash(source: bytes) -> str:
    """The content hash of a file (``ModuleFacts.sha``, cache keys). Here, not in the parser,
    so that a warm run can key its cache without importing libcst."""
    return hashlib.blake2b(source, digest_size=16).hexdigest()


_FACT_CLASSES = {c.__name__: c for c in (Arg, Call, Decorator, Param, Definition, Import, Binding, With,
                                        StringRef, AttrStore, ParseFailure, ModuleFacts)}


class _FactsUnpickler(pickle.Unpickler):
    """Loads nothing but fact classes: a cache file someone else wrote cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name in _FACT_CLASSES:
            return _FACT_CLASSES[name]
        raise pickle.UnpicklingError(f"not a fact class: {module}.{name}")


def layout_fingerprint() -> str:
    """A short hash of every fact class's field names, in order. Cached rows are pickles
    that name fields by position, so the cache keys include this: a changed record layout
    can never be read back into the wrong fields, even if nobody bumps the facts version."""
    from dataclasses import fields

    parts = []
    for name, cls in sorted(_FACT_CLASSES.items()):
        names = cls._fields if hasattr(cls, "_fields") else tuple(f.name for f in fields(cls))
        parts.append(f"{name}({','.join(names)})")
    return hashlib.blake2b(";".join(parts).encode(), digest_size=4).hexdigest()


def encode(facts: ModuleFacts) -> bytes:
    """Compact bytes for one module's facts (pickle, lightly compressed)."""
    return zlib.compress(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL), 1)


def decode(data: bytes) -> ModuleFacts:
    """The facts :func:`encode` wrote; raises ``ValueError`` on anything else."""
    try:
        facts = _FactsUnpickler(io.BytesIO(zlib.decompress(data))).load()
    except Exception as exc:  # any damage: the caller parses the file again
        raise ValueError(f"not encoded facts: {exc}") from None
    if not isinstance(facts, ModuleFacts):
        raise ValueError("not encoded facts")
    return facts
