"""Node constructors for trees the parser builds from source: the same objects, made cheaper.

libcst's native parser makes every node by calling the class it names on the ``libcst``
module with keyword arguments. Node classes are frozen, slotted dataclasses: their
``__init__`` sets each field through ``object.__setattr__`` and then runs
``__post_init__``, which validates the node. For a tree parsed from source both are
overhead; construction is about a quarter of a parse, and this saves about a tenth of it.

:func:`lean_construction` puts a constructor per node class in place of the class on the
``libcst`` module while the parser runs. Each takes the class's ``__init__`` fields, with
the same defaults, and stores them straight into the slots: the node is the same object
an ordinary construction makes, minus the validation (``deep_equals`` and ``code`` agree,
checked once per process on a sample that uses most node kinds). A class the scheme does
not fit (a field without a slot, a field outside ``__init__``) keeps its own constructor.
If libcst ever calls the classes otherwise, the check fails or the parse raises
``TypeError`` and the plain construction is used from then on.

The swap is process-wide for the length of one parse: files are parsed in worker processes
(in the caller's thread only with ``jobs=1``), where nothing else uses libcst meanwhile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import libcst as cst

# A sample that makes most node kinds: the check that lean and plain construction agree.
_SAMPLE = '''\
"""Doc."""
from __future__ import annotations
import os.path as p, sys
from . import a as b
from .x import (y, z)
@decorator(arg, *rest, key=1, **extra)
async def f(a: int, /, b=2, *args, c: str = "s", **kw) -> list[int]:
    global g
    q = lambda q, *, r=1: q + r
    x = [i async for i in aiter() if i] + [*a, *b]
    y = {k: v for k, v in items.items()} | {**d, 'k': 1} | {1, 2}
    z = (1, 2.5, 3j, -x, not y, x if y else z, x[1:2:3, ...], x.y(z)[0], (i for i in x))
    w: int = await g(b'b', f"{x!r:>{w}}", rb'r', u'u' 'implicit')
    x += 1; x @= m; del x[0], y.z
    assert x is not None and (y or z), "msg"
    async with open(p) as fh, ctx():
        async for i, (j, k) in enumerate(fh):
            while j < k <= 3 != 4:
                if i in j:
                    break
                elif i not in k:
                    continue
                else:
                    pass
    try:
        raise ValueError("e") from None
    except (ValueError, TypeError) as exc:
        print(exc, file=sys.stderr)
    finally:
        return ~x >> 2 << 1 & 3 ^ 4 | 5 // 6 % 7 ** 8
def gen():
    yield (x := 1)
    yield from g()
    try:
        pass
    except* OSError:
        pass
    match command:
        case [1, *rest] if rest:
            pass
        case {"k": v, **others} if v:
            pass
        case Point(x=0, y=v) | Other(v) as n if n:
            pass
        case _:
            pass
class C(Base, metaclass=Meta):  # comment
    attr: int = 1
    def m(self): return self
'''


def _constructor(cls: type) -> Callable | None:
    """A function of the class's ``__init__`` fields (same defaults) that stores them into
    the slots of a new instance, or ``None`` where that would not make the same node."""
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        return None
    namespace: dict = {"_new": object.__new__, "_cls": cls, "_MISSING": dataclasses.MISSING}
    params, body = [], ["    node = _new(_cls)"]
    for i, f in enumerate(fields):
        slot = next((k.__dict__[f.name] for k in cls.__mro__ if f.name in k.__dict__), None)
        if type(slot).__name__ != "member_descriptor":
            return None
        namespace[f"_set{i}"] = slot.__set__
        if f.default is not dataclasses.MISSING:
            namespace[f"_default{i}"] = f.default
            params.append(f"{f.name}=_default{i}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{i}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            body.append(f"    if {f.name} is _MISSING:\n        {f.name} = _factory{i}()")
        else:
            params.append(f.name)
        body.append(f"    _set{i}(node, {f.name})")
    signature = f"*, {', '.join(params)}" if params else ""
    code = f"def construct({signature}):\n" + "\n".join(body) + "\n    return node\n"
    exec(code, namespace)  # noqa: S102 -- generated from the dataclass fields, as dataclasses does
    return namespace["construct"]


def _build() -> dict[str, Callable]:
    made: dict[str, Callable] = {}
    for name in dir(cst):
        cls = getattr(cst, name)
        if isinstance(cls, type) and issubclass(cls, cst.CSTNode) and dataclasses.is_dataclass(cls):
            construct = _constructor(cls)
            if construct is not None:
                made[name] = _shared(cls, construct) if _shareable(cls) else construct
    return made


# Whitespace is most of a tree: 40 % of Django's nodes are ``SimpleWhitespace`` (30 % the
# empty one) and 7 % ``Newline``. Both are immutable, compared by identity and hold one
# string; the walker never asks where one is. So equal ones are made once per process and
# shared, which saves about 4 % of a parse. (Sharing the nodes built of these as well,
# ``TrailingWhitespace``, ``Comma``, operators, cost more in key building than it saved.)
_SHARED = frozenset({"SimpleWhitespace", "Newline"})
_SHARED_LIMIT = 10_000  # distinct values kept per class: whitespace takes a few hundred forms


def _shareable(cls: type) -> bool:
    fields = dataclasses.fields(cls)
    return cls.__name__ in _SHARED and len(fields) == 1 and fields[0].name == "value"


def _shared(cls: type, construct: Callable) -> Callable:
    """``construct``, made once per distinct ``value`` (the class's one field)."""
    cache: dict = {}
    missing = dataclasses.MISSING
    default = dataclasses.fields(cls)[0].default

    def shared(*, value=default):
        node = cache.get(value)
        if node is None:
            if value is missing:
                raise TypeError(f"{cls.__name__}: missing 'value'")
            node = construct(value=value)
            if len(cache) < _SHARED_LIMIT:
                cache[value] = node
        return node

    return shared


_constructors: dict[str, Callable] | None = None  # built and checked on the first parse


@contextmanager
def _swapped(constructors: dict[str, Callable]) -> Iterator[None]:
    originals = {name: getattr(cst, name) for name in constructors}
    for name, construct in constructors.items():
        setattr(cst, name, construct)
    try:
        yield
    finally:
        for name, cls in originals.items():
            setattr(cst, name, cls)


def _checked() -> dict[str, Callable]:
    """The constructors, if a sample parsed with them equals the sample parsed without."""
    try:
        made = _build()
        plain = cst.parse_module(_SAMPLE)
        with _swapped(made):
            lean = cst.parse_module(_SAMPLE)
        return made if lean.deep_equals(plain) and lean.code == plain.code == _SAMPLE else {}
    except (TypeError, AttributeError, ValueError, cst.ParserSyntaxError):  # constructs otherwise
        return {}


def disable() -> None:
    """Use the plain construction from now on (after a lean parse raised ``TypeError``)."""
    global _constructors
    _constructors = {}


def prepare() -> None:
    """Build and check the constructors now (a parsing worker does it while it waits for work)."""
    global _constructors
    if _constructors is None:
        _constructors = _checked()


@contextmanager
def lean_construction() -> Iterator[bool]:
    """While this lasts, the parser builds nodes with the lean constructors; yields whether
    there are any (``False``: the plain ones are in use)."""
    prepare()
    if not _constructors:
        yield False
        return
    with _swapped(_constructors):
        yield True
