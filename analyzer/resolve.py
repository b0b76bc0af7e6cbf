"""Whole-program resolution: bind every call site and name to qualified symbols.

Works only on the small facts extracted per module, never on syntax trees. The analysis is
flow-insensitive (every binding of a name in a scope counts) and context-insensitive, in the
spirit of PyCG: names are looked up through function, module, import and builtin scopes;
attributes through modules (with ``__init__`` re-exports and star imports) and classes
(through the MRO); calls of classes reach ``__init__``; values flow from arguments into
parameters, through returns, containers, ``with ... as`` and ``for`` targets, until a fixed
point (bounded). What cannot be resolved is kept and counted, never guessed.

Values are short strings:

``d:Q``  the definition Q itself (function, class, method)
``bd:Q`` method Q bound to an instance (or a classmethod bound to its class)
``i:C``  an instance of project class C
``s:C``  ``super()`` inside class C
``m:M``  project module M
``x:P``  something outside the project, by dotted path (``x:django.db.models.Model``)
``xi:P`` the result of calling an outside thing P
``b:N``  builtin N (``b:str.join`` for a method of a builtin type)
``bi:N`` an instance of builtin type N (the value of a literal, or of ``str(x)``)
"""

from __future__ import annotations

import builtins
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from analyzer.facts import (
    LAMBDA,
    REFERENCE,
    Arg,
    Binding,
    Call,
    Definition,
    Import,
    ModuleFacts,
    Param,
    annotation_items,
    annotation_members,
    argument,
    is_template,
    lambda_owner,
    template_parts,
)
from analyzer.graph import sorted_items
from analyzer.model import CALL, IMPORT, INHERIT, Edge, Symbol, edge, symbol

BUILTINS = frozenset(dir(builtins))
MAX_ROUNDS = 6
# call sites from which the rounds, and the pass asking what the edges need, are split between
# this process and a forked partner (analyzer.forked.Partner): below this, the fork and the
# merges cost more than the half saves
FORK_SITES = 20_000
# What the partner comes to, and what this process grows by while it lives, as shares of this
# process's resident memory at the fork (analyzer.forked): the partner copies the pages of the
# objects it touches and fills a memo of its own for its half. Measured at 1.2 M lines: 671 MiB
# at the fork, the partner's unique set 698 MiB at its last turn, this process 1,062 MiB when
# it closed the partner (Django: 0.60 and 0.29).
CHILD_COPIES = 1.05
PARENT_GROWS = 0.6
# Outside values (``x:``, ``xi:``) one parameter may receive. A recursive walk over an outside
# structure (``walk(ref.items)``, ``walk(ref.inner)``...) passes ever longer attribute chains
# round after round: 185,000 values for one parameter of Polar's SDK generator, and most of
# its resolution time and memory. Outside values resolve to nothing in the project; the
# first ones (in sorted order, so that runs agree) are kept.
MAX_OUTSIDE_FLOWS = 64
# Project values (functions, classes, instances, bound methods) one parameter may receive. A
# parameter of generic code (sympy's ``Printer._print(expr)``, mypy's ``typ`` and ``context``)
# is handed instances of hundreds of classes; each round passes them on to every function it
# calls with them, and what calls on them reach is every class's method of that name. On
# sympy (800 k lines) such parameters held 1.4 M values after six rounds (resolution 96 s,
# 2.7 GiB); on mypy (180 k lines) 8,000 parameters held about 190 values each (129 s, 4 GiB).
# A parameter handed more than this is *megamorphic*: it reads as no flow (its annotation and
# default still count) and passes nothing on, as in a tool without argument flows. On web
# trees only dispatch wrappers, registries and decorators pass it (Django's
# ``cached_property`` is handed 285 functions, saleor's ``NonNullList`` 174 types), and few
# edges went (docs/performance.md, "Megamorphic parameters").
MAX_PROJECT_FLOWS = 64
_PROPERTIES = frozenset({"property", "cached_property"})
_EMPTY: frozenset[str] = frozenset()
# outside bases that give their classes no attribute: ``class Repo(Generic[T])`` has no
# ``Generic.get``, so an attribute missing from the project classes stays unresolved
_NO_ATTRIBUTES = frozenset({"x:typing.Generic", "x:typing.Protocol", "x:typing_extensions.Generic",
                            "x:typing_extensions.Protocol"})


# What a web framework hands the functions it calls, by the framework's top package: an
# unannotated parameter of that name (in a function of that name, when one is given), in a
# project that imports the framework, is an instance of that class. A call on it that
# nothing else resolves is a call into the framework (a Django view's ``request.POST.get``,
# a Pyramid view's ``request.route_path``, Pyramid's ``includeme(config)`` and its
# ``config.add_route``): 3,700 of warehouse's 4,600 unresolved calls. Only the site's target
# is set, at the end of the evaluation: no value flows from it, so what the project's own
# annotations say is never displaced by a guess. The first row of a parameter the project's
# imports match wins.
FRAMEWORK_PARAMETERS = (
    ("pyramid", "request", None, "pyramid.request.Request"),
    ("pyramid", "config", "includeme", "pyramid.config.Configurator"),
    ("django", "request", None, "django.http.HttpRequest"),
    ("django", "parser", "add_arguments", "django.core.management.base.CommandParser"),  # a command's options
    ("django", "queryset", None, "django.db.models.QuerySet"),  # filters, admin actions, list filters
    ("django", "form", None, "django.forms.Form"),  # ``form_valid(self, form)``
    ("aiohttp", "request", None, "aiohttp.web.Request"),
    ("starlette", "request", None, "starlette.requests.Request"),
    ("fastapi", "request", None, "starlette.requests.Request"),
)

# what every class has from ``object``
_OBJECT_ATTRIBUTES = frozenset(dir(object))

_PARSED: dict[str, tuple[tuple[str, str], ...]] = {}
_CONSTANTS = frozenset({"None", "True", "False", "Ellipsis", "NotImplemented"})
# library functions that return a class, not an instance: ``User = get_user_model()`` is a
# model class (a base of ``class Profile(User)``, the receiver of ``User.objects``)
CLASS_FACTORIES = {"django.contrib.auth.get_user_model": "django.contrib.auth.models.User"}
# library calls whose value stands, for this analysis, for one of their arguments: a
# ``NewType("AsyncSession", _AsyncSession)`` annotates values of the type it wraps
_STANDS_FOR = {"typing.NewType": (1, "tp"), "typing_extensions.NewType": (1, "tp")}
_STR_TO_STR = frozenset(
    ["capitalize", "casefold", "center", "expandtabs", "format", "format_map", "join", "ljust", "lower", "lstrip", "removeprefix", "removesuffix", "replace", "rjust", "rstrip", "strip", "swapcase", "title", "translate", "upper", "zfill"]
)


_PACKED = {"var_positional": "bi:tuple", "var_keyword": "bi:dict"}  # what a star parameter holds


def parse_expr(expr: str) -> tuple[tuple[str, str], ...]:
    hit = _PARSED.get(expr)
    if hit is None:
        hit = _PARSED[expr] = _parse_expr(expr)
    return hit


def _parse_expr(expr: str) -> tuple[tuple[str, str], ...]:
    """``a.b()[].c`` -> (("name","a"), ("attr","b"), ("call",""), ("item",""), ("attr","c"))."""
    ops: list[tuple[str, str]] = []
    i, n = 0, len(expr)
    start = 0
    first = True
    while i <= n:
        c = expr[i] if i < n else "."
        if c in ".([":
            token = expr[start:i]
            if token:
                ops.append(("name" if first else "attr", token))
                first = False
            if c == "(":
                ops.append(("call", ""))
                i += 2
            elif c == "[":
                ops.append(("item", ""))
                i += 2
            else:
                i += 1
            start = i
            continue
        i += 1
    # ``d.values()[]`` iterates the values of a container: same as ``d[]``
    out: list[tuple[str, str]] = []
    for op in ops:
        out.append(op)
        if (
            op[0] == "item"
            and len(out) >= 3
            and out[-2][0] == "call"
            and out[-3] == ("attr", "values")
        ):
            del out[-3:]
            out.append(("item", ""))
    return tuple(out)


class ResolvedCall(NamedTuple):
    call: Call
    module: str
    index: int  # index in the module's calls
    targets: frozenset[str]  # values the callee evaluated to


@dataclass
class Resolution:
    symbols: list[Symbol]
    edges: list[Edge]
    stats: dict
    unresolved: Counter = field(default_factory=Counter)
    implicit_calls: list[ResolvedCall] = field(default_factory=list)  # decorator applications
    resolver: Resolver | None = None  # for the frameworks stage, which evaluates names with it
    evaluation: Evaluation | None = None  # what the stage cache keeps
    site_counts: dict[str, int] = field(default_factory=dict)  # module -> its call sites
    # module -> (its calls, what each callee evaluated to, by index): a list of shared sets
    # per module, not an object per site (a million-line tree has 700 k sites)
    call_targets: dict[str, tuple[tuple[Call, ...], list[frozenset[str]]]] = field(default_factory=dict)

    @property
    def calls(self) -> list[ResolvedCall]:
        """The call sites of the facts (``index`` into the module's calls), built on demand."""
        return [ResolvedCall(c, module, i, t) for module, (calls, targets) in self.call_targets.items()
                for i, (c, t) in enumerate(zip(calls, targets))]


class Resolver:
    """Indexes of the whole program plus the evaluator of reference strings."""

    def __init__(self, modules: Iterable[ModuleFacts]) -> None:
        self.facts: dict[str, ModuleFacts] = {m.module: m for m in modules if m.error is None}
        self.defs: dict[str, Definition] = {}
        self.def_module: dict[str, str] = {}
        self.scope_bindings: dict[str, dict[str, list[Binding]]] = defaultdict(lambda: defaultdict(list))
        self.scope_imports: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
        self.star_imports: dict[str, list[str]] = defaultdict(list)
        self.children: dict[str, dict[str, str]] = defaultdict(dict)
        self.params: dict[str, dict[str, Param]] = {}
        self.flows: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._outside_flows: dict[tuple[str, str], int] = {}  # outside values held per flow
        self.megamorphic: set[tuple[str, str]] = set()  # see MAX_PROJECT_FLOWS
        self.class_of_scope: dict[str, str | None] = {}
        self.stores_elsewhere: set[str] = set()  # scopes binding a name of another (``self.x = ...``)
        self.self_param: dict[str, str] = {}
        self.cls_param: dict[str, str] = {}
        for m in self.facts.values():
            for d in m.definitions:
                self.defs[d.qualname] = d
                self.def_module[d.qualname] = m.module
                if d.kind != "module":
                    parent = d.qualname.rsplit(".", 1)[0]
                    self.children[parent][d.name] = d.qualname
                if d.kind in ("function", "method"):
                    self.params[d.qualname] = {p.name: p for p in d.params}
            for b in m.bindings:
                self.scope_bindings[b.scope][b.name].append(b)
                if b.origin is not None:
                    self.stores_elsewhere.add(b.origin)
            for imp in m.imports:
                if imp.name == "*":
                    self.star_imports[imp.scope].append(imp.module)
                else:
                    self.scope_imports[imp.scope][imp.bound_name].append(imp)
        self._rehome_item_stores()
        for q, d in self.defs.items():
            if d.kind == "method":
                decos = {x.expr for x in d.decorators}
                cls = q.rsplit(".", 1)[0]
                if d.params and "staticmethod" not in decos and d.params[0].kind in ("positional", "positional_only"):
                    if "classmethod" in decos:
                        self.cls_param[q] = d.params[0].name
                    else:
                        self.self_param[q] = d.params[0].name
                self.class_of_scope[q] = cls
        # Memos: expressions, names in scopes, module members, function returns. Each has a
        # stable half (values that read no argument flow and met no cycle: they hold across
        # the rounds of the fixed point) and a volatile one (emptied between rounds).
        self._memo: dict[tuple[str, str], frozenset[str]] = {}
        self._lookups: dict[tuple[str, str], frozenset[str]] = {}
        self._members: dict[tuple[str, str], frozenset[str]] = {}
        self._returned: dict[tuple[str, str], frozenset[str]] = {}
        self._memo_v: dict[tuple[str, str], frozenset[str]] = {}
        self._lookups_v: dict[tuple[str, str], frozenset[str]] = {}
        self._members_v: dict[tuple[str, str], frozenset[str]] = {}
        self._returned_v: dict[tuple[str, str], frozenset[str]] = {}
        self._flow_read = False  # the value being computed read a flow (or met a cycle)
        self._shared_sets: dict[frozenset[str], frozenset[str]] = {_EMPTY: _EMPTY}
        self._entered: dict[frozenset[str], frozenset[str]] = {}
        self._busy: set[tuple[int, tuple[str, str]]] = set()
        self._mro: dict[str, tuple[str, ...]] = {}
        self._bases: dict[str, tuple[str, ...]] = {}
        self._bases_v: dict[str, tuple[str, ...]] = {}
        self._mro_v: dict[str, tuple[str, ...]] = {}
        self._builtin: dict[str, tuple[str, ...]] = {}  # see _builtin_bases
        self._builtin_v: dict[str, tuple[str, ...]] = {}
        self._direct_subclasses: dict[str, list[str]] | None = None  # see subclasses
        self._mixed: dict[str, tuple[str | None, frozenset[str]]] = {}  # see mixed_into_outside, after the evaluation
        self._flow_changed = False
        self.changed_funcs: set[str] = set()
        self.flow_log: list[tuple[tuple[str, str], set[str]]] | None = None  # see grow_flow
        self._sig: dict[str, tuple[tuple[Param, ...], dict[str, Param]]] = {}
        self._returns_param: dict[str, tuple[int | None, str] | None] = {}  # see returned_param
        self._own_class: dict[str, bool] = {}  # see makes_own_class
        self._top_names = frozenset(name.partition(".")[0] for name in self.facts)  # see sibling

    def _rehome_item_stores(self) -> None:
        """``REGISTRY[key] = cls`` in a function that neither binds ``REGISTRY`` nor takes it
        as a parameter stores into the container of the scope that has it (a module's
        registry filled by a registering decorator): the items are that scope's, evaluated
        where they were stored (``origin``)."""
        for scope in sorted(s for s, names in self.scope_bindings.items()
                            if any(n.endswith("[]") for n in names) and self.kind(s) in ("function", "method")):
            names = self.scope_bindings[scope]
            for name in sorted(n for n in names if n.endswith("[]")):
                base = name[:-2]
                if not base.isidentifier() or base in names or base in self.params.get(scope, {}):
                    continue
                home = scope.rsplit(".", 1)[0]  # a class body is no scope of the function's names
                while self.kind(home) == "class" or (self.kind(home) in ("function", "method")
                                                     and base not in self.scope_bindings.get(home, {})
                                                     and base not in self.params.get(home, {})):
                    home = home.rsplit(".", 1)[0]
                for b in names.pop(name):
                    self.scope_bindings[home][name].append(b._replace(scope=home, origin=b.origin or scope))
                self.stores_elsewhere.add(scope)

    @functools.cached_property
    def imported_roots(self) -> frozenset[str]:
        """The top-level packages the program imports anything from, its own included."""
        return frozenset(imp.module.partition(".")[0] for m in self.facts.values() for imp in m.imports)

    @functools.cached_property
    def framework_parameters(self) -> dict[str, tuple[str | None, str]]:
        """Parameter name -> (the function name it must be in, or ``None``; its class), for
        the web frameworks the project imports (:data:`FRAMEWORK_PARAMETERS`)."""
        roots = self.imported_roots - self._top_names
        out: dict[str, tuple[str | None, str]] = {}
        for root, name, func, cls in FRAMEWORK_PARAMETERS:
            if root in roots:
                out.setdefault(name, (func, cls))
        return out

    def parameter_scope(self, scope: str, name: str) -> str | None:
        """The function, ``scope`` or one enclosing it, whose parameter ``name`` is in
        ``scope``; ``None`` when a binding on the way hides it, or no function has it."""
        q = scope
        while self.kind(q) in ("function", "method"):
            if name in self.scope_bindings.get(q, {}):
                return None
            if name in self.params.get(q, {}):
                return q
            q = q.rsplit(".", 1)[0]
        return None

    def framework_value(self, scope: str, expr: str | None) -> str | None:
        """``x:<path>`` when ``expr`` starts from a plain framework parameter: one a web
        framework hands the function (:data:`FRAMEWORK_PARAMETERS`), not annotated
        (``request.db.query()`` -> ``x:pyramid.request.Request.db.query``); else ``None``."""
        head, _, rest = (expr or "").partition(".")
        found = self.framework_parameters.get(head)
        if found is None:
            return None
        rest = _outside_path(rest)
        func = self.parameter_scope(scope, head)
        if func is None or (rest and not REFERENCE.match(rest)) or found[0] not in (None, func.rsplit(".", 1)[-1]):
            return None
        p = self.params[func][head]
        if p.annotation or p.kind in _PACKED:
            return None
        return f"x:{found[1]}.{rest}" if rest else f"x:{found[1]}"

    # -- structure -------------------------------------------------------------------------
    def module_of(self, qualname: str) -> str:
        m = self.def_module.get(qualname)
        if m is not None:
            return m
        while "." in qualname:
            qualname = qualname.rsplit(".", 1)[0]
            if qualname in self.facts:
                return qualname
        return qualname

    def kind(self, qualname: str) -> str | None:
        d = self.defs.get(qualname)
        return d.kind if d else None

    def enclosing_class(self, scope: str) -> str | None:
        """The class a method (or a function nested in a method) belongs to."""
        q = scope
        while q in self.defs:
            d = self.defs[q]
            if d.kind == "method":
                return q.rsplit(".", 1)[0]
            if d.kind in ("module", "class"):
                return None
            q = q.rsplit(".", 1)[0]
        return None

    def bases(self, cls: str) -> tuple[str, ...]:
        """Values of a class's bases, evaluated in the scope that defines the class."""
        return self._class_memo(self._bases, self._bases_v, cls, (), self._bases_of)

    def _bases_of(self, cls: str) -> tuple[str, ...]:
        d = self.defs.get(cls)
        out: list[str] = []
        if d is not None:
            parent = cls.rsplit(".", 1)[0]
            for b in d.bases:
                if b is None:
                    continue
                for v in sorted(self.eval(parent, b)):
                    if v.startswith("d:") and self.kind(v[2:]) == "class" or v.startswith("x:"):
                        out.append(v)
        return tuple(out)

    def mro(self, cls: str) -> tuple[str, ...]:
        """Project classes in method resolution order (C3 where it applies, else DFS)."""
        return self._class_memo(self._mro, self._mro_v, cls, (cls,), self._mro_of)

    def _mro_of(self, cls: str) -> tuple[str, ...]:
        seqs = [list(self.mro(b[2:])) for b in self.bases(cls) if b.startswith("d:")]
        seqs.append([b[2:] for b in self.bases(cls) if b.startswith("d:")])
        result = [cls]
        seqs = [s for s in seqs if s]
        while seqs:
            for s in seqs:
                head = s[0]
                if not any(head in t[1:] for t in seqs):
                    break
            else:  # inconsistent hierarchy: fall back to depth-first order
                for s in seqs:
                    for c in s:
                        if c not in result:
                            result.append(c)
                break
            result.append(head)
            seqs = [[c for c in s if c != head] for s in seqs]
            seqs = [s for s in seqs if s]
        return tuple(result)

    def _class_memo(self, stable: dict, volatile: dict, cls: str, cycle: tuple[str, ...],
                    compute) -> tuple[str, ...]:
        """``compute(cls)`` memoized in two halves like :meth:`_remember`; ``cycle`` answers a
        class met again while its own value is computed (its own base or ancestor), as a
        volatile value."""
        hit = stable.get(cls)
        if hit is not None:
            return hit
        hit = volatile.get(cls)
        if hit is not None:
            self._flow_read = True
            return hit
        outer, self._flow_read = self._flow_read, False
        volatile[cls] = cycle
        result = compute(cls)
        self._keep(stable, volatile, cls, result, outer)
        return result

    def _keep(self, stable: dict, volatile: dict, key, value, outer: bool) -> None:
        """Store a value computed since ``outer`` was saved, in the stable memo unless it
        read a flow, and pass that on to the value that asked for it."""
        volatile.pop(key, None)
        if self._flow_read:
            volatile[key] = value
        else:
            stable[key] = value
            self._flow_read = outer

    def _remember(self, stable: dict, volatile: dict, key: tuple[str, str], compute, *args) -> frozenset[str]:
        """:func:`analyzer.memo.memoized` with the two halves: a value that read a flow, a
        volatile value or a key still being computed (a cycle) is volatile itself, since the
        next round of the fixed point may give it more."""
        hit = stable.get(key)
        if hit is not None:
            return hit
        hit = volatile.get(key)
        if hit is not None:
            self._flow_read = True
            return hit
        mark = (id(stable), key)
        if mark in self._busy:
            self._flow_read = True
            return _EMPTY
        outer, self._flow_read = self._flow_read, False
        self._busy.add(mark)
        try:
            result = frozenset(compute(*args))
        finally:
            self._busy.discard(mark)
        result = self._shared_sets.setdefault(result, result)
        self._keep(stable, volatile, key, result, outer)
        return result

    def external_bases(self, cls: str) -> tuple[str, ...]:
        """Outside base classes anywhere in the MRO (``x:django.db.models.Model``)."""
        out: list[str] = []
        for c in self.mro(cls):
            for b in self.bases(c):
                if b.startswith("x:") and b not in out:
                    out.append(b)
        return tuple(out)

    # -- evaluation ------------------------------------------------------------------------
    def eval(self, scope: str, expr: str | None) -> frozenset[str]:
        if not expr:
            return _EMPTY
        hit = self._memo.get((scope, expr))  # the hot path, without a call
        if hit is not None:
            return hit
        return self._remember(self._memo, self._memo_v, (scope, expr), self._eval_ops, scope, parse_expr(expr))

    def _eval_ops(self, scope: str, ops) -> frozenset[str]:
        if not ops:
            return _EMPTY
        kind, name = ops[0]
        i = 1
        if name == "super" and len(ops) > 1 and ops[1][0] == "call":
            cls = self.enclosing_class(scope)
            values: set[str] | frozenset[str] = {f"s:{cls}"} if cls else set()
            i = 2
        elif len(ops) > 1 and ops[1][0] == "item":
            values = self.lookup(scope, name + "[]")
            i = 2
            if not values:
                values = self._iterated(self.lookup(scope, name)) or _EMPTY
        else:
            values = self.lookup(scope, name)
        receivers = None  # what the attribute just looked up was looked up on
        while i < len(ops) and values:
            op, arg = ops[i]
            if op == "call" and i + 1 < len(ops) and ops[i + 1][0] == "item":
                # ``load()[0]``, ``for x in load()``; ``for x in Pages()``
                values = self._returned_items(values) or self._iterated(self.call_result_all(values))
                receivers = None
                i += 2
                continue
            if op == "attr":
                if i + 1 < len(ops) and ops[i + 1][0] == "item":
                    nxt = self.attribute_all(values, arg + "[]")
                    if nxt:
                        values = nxt
                        receivers = None
                        i += 2
                        continue
                receivers = values
                values = self.attribute_all(values, arg)
            elif op == "call":
                values = self.call_result_all(values) if receivers is None else self._call_on(receivers, values)
                receivers = None
            else:  # item of something that is not a known container: a project iterable's
                values = self._iterated(values)
            i += 1
        return frozenset(values)

    def _iterated(self, values: Iterable[str]) -> set[str]:
        """What iterating instances of project classes gives: what a generator ``__iter__``
        yields, else what the ``__next__`` of the iterator ``__iter__`` returns gives."""
        out: set[str] = set()
        for v in sorted(values):
            iters = self.iter_methods((v,))
            if not iters:
                continue
            out |= self._returned_items(iters)
            for it in sorted(self.call_result_all(iters)):
                out |= self.call_result_all(self.attribute(it, "__next__"))
        return out

    def iter_methods(self, values: Iterable[str]) -> set[str]:
        """The project ``__iter__`` methods of the instances among these values."""
        return {x for v in sorted(values) if v.startswith("i:")
                for x in self.class_attribute(v[2:], "__iter__", instance=True) if x.startswith(("d:", "bd:"))}

    def _returned_items(self, callees: Iterable[str]) -> set[str]:
        """The items of what these functions return: what a generator yields, and what
        their return annotations type (``def load() -> list[Order]``)."""
        out: set[str] = set()
        for v in sorted(callees):
            tag, _, q = v.partition(":")
            d = self.defs.get(q) if tag in ("d", "bd") else None
            if d is None or d.kind not in ("function", "method"):
                continue
            for b in self.scope_bindings.get(q, {}).get("<yield>", ()):
                out |= self.binding_values(q, b)
            if d.returns_expr:
                out |= self.annotated_items(q.rsplit(".", 1)[0], d.returns_expr)
        return out

    def _call_on(self, receivers, callees) -> set[str]:
        """Calls of methods looked up on ``receivers``: a method that makes an instance of its
        own class (``return cls(...)``, ``-> Self``) makes one of the receiver's class there,
        so ``OrgRepo.from_session(s)`` is an OrgRepo, not the base that defines the method; and
        ``super().from_dict(d)`` in a class method of ``User`` is a ``User``."""
        out: set[str] = set()
        for v in sorted(callees):
            if v.startswith("bd:") and self.makes_own_class(v[3:]):
                own = {f"i:{r[2:]}" for r in receivers
                       if r.startswith(("d:", "i:", "s:")) and self.kind(r[2:]) == "class"}
                if own:
                    out |= own
                    continue
            out |= self.call_result(v)
        return out

    def makes_own_class(self, func: str) -> bool:
        """Does every return of this method give an instance of the class it is called on
        (``return cls(...)`` in a class method, or a ``-> Self`` annotation)?"""
        hit = self._own_class.get(func)
        if hit is None:
            d = self.defs.get(func)
            hit = False
            if d is not None and d.kind == "method":
                if d.returns_expr and d.returns_expr.rsplit(".", 1)[-1] == "Self":
                    hit = True
                elif func in self.cls_param:
                    made = {b.expr for b in self.scope_bindings.get(func, {}).get("<return>", ())}
                    hit = made == {f"{self.cls_param[func]}()"}
            self._own_class[func] = hit
        return hit

    def lookup(self, scope: str, name: str) -> frozenset[str]:
        """A name in a scope: locals, parameters, nested defs, imports, then outward."""
        hit = self._lookups.get((scope, name))  # the hot path, without a call
        if hit is not None:
            return hit
        return self._remember(self._lookups, self._lookups_v, (scope, name), self._lookup, scope, name)

    def _lookup(self, scope: str, name: str) -> set[str] | frozenset[str]:
        q: str | None = scope
        first = True
        while q is not None:
            d = self.defs.get(q)
            kind = d.kind if d else ("module" if q in self.facts else None)
            if kind is None:
                break
            if kind == "class" and not first:
                q = q.rsplit(".", 1)[0]  # class bodies are not enclosing scopes
                continue
            if not first:  # the enclosing scope's own answer, asked once for all its functions
                return self.lookup(q, name)
            found = self._local(q, kind, name)
            if found:
                return found
            if kind == "module":
                break
            q = q.rsplit(".", 1)[0]
            first = False
        base = name.removesuffix("[]")
        if base in BUILTINS and not name.endswith("[]") and base not in _CONSTANTS:
            return {f"b:{name}"}
        return set()

    def _local(self, scope: str, kind: str, name: str) -> set[str]:
        out: set[str] = set()
        bindings = self.scope_bindings.get(scope, {})
        for b in bindings.get(name, ()):
            out |= self.binding_values(scope, b)
        if name.endswith("[]"):
            out |= self._annotated_items_of(scope, bindings.get(name[:-2], ()))
        if kind in ("function", "method"):
            if self.self_param.get(scope) == name:
                out.add(f"i:{scope.rsplit('.', 1)[0]}")
            elif self.cls_param.get(scope) == name:
                out.add(f"d:{scope.rsplit('.', 1)[0]}")
            else:
                p = self.params.get(scope, {}).get(name)
                if p is None and name.endswith("[]"):
                    items = self.params.get(scope, {}).get(name[:-2])
                    if items is not None and items.annotation_expr and items.kind not in _PACKED:
                        out |= self.annotated_items(scope.rsplit(".", 1)[0], items.annotation_expr)
                if p is not None and p.kind in _PACKED:
                    out.add(_PACKED[p.kind])  # ``*args`` is a tuple, ``**kwargs`` a dict, whatever flows
                elif p is not None:
                    outer = scope.rsplit(".", 1)[0]
                    if p.annotation_expr:
                        out |= self.annotated(outer, p.annotation_expr)
                    if p.default and REFERENCE.match(p.default) and p.default not in _CONSTANTS:  # see facts.params_seen
                        out |= self.eval(outer, p.default)  # ``def f(callback=handler)``
                    self._flow_read = True  # the flows may grow in the next round
                    out |= self.flows.get((scope, name), set())
        child = self.children.get(scope, {}).get(name)
        if child is not None:
            out.add(f"d:{child}")
        for imp in self.scope_imports.get(scope, {}).get(name, ()):
            out |= self.import_values(imp)
        if not out and kind == "module":
            for star in self.star_imports.get(scope, ()):
                out |= self.member(star, name, via_star=True)
        return out

    def binding_values(self, scope: str, b: Binding) -> set[str]:
        scope = b.origin or scope
        out: set[str] = set()
        if b.expr is not None:
            passed = self._passed_through(scope, b.call) if b.call is not None else None
            if passed is None and b.call is not None and b.expr.endswith("import_module()"):
                passed = self._imported_by_name(scope, b.call)
            elif passed is None and b.call is not None and b.expr.startswith("getattr()"):
                passed = self._got_by_name(scope, b.call, b.expr)
            out |= passed if passed is not None else self.eval(scope, b.expr)
        if b.annotation:
            out |= self.annotated(scope, b.annotation)
        return out

    def _call_at(self, scope: str, index: int) -> Call | None:
        """The call site a binding in ``scope`` names by its index, if there is one."""
        m = self.facts.get(self.module_of(scope))
        return m.calls[index] if m is not None and 0 <= index < len(m.calls) else None

    def _passed_through(self, scope: str, index: int) -> frozenset[str] | None:
        """The value of a call to a function that returns one of its parameters unchanged
        (``def update(model): ...; return model``): this call's argument for it, not what
        every caller passed (``cert = database.update(cert)`` stays a certificate). ``None``
        when the callee is no such function."""
        c = self._call_at(scope, index)
        if c is None:
            return None
        arg = self.passed_argument(c, self.eval(c.scope, c.callee) if c.callee else _EMPTY)
        return self.eval(c.scope, arg.expr) if arg is not None else None

    def _imported_by_name(self, scope: str, index: int) -> frozenset[str] | None:
        """``importlib.import_module("pkg.plugins")``: the project module a literal name
        names (a plugin loader's package, looked into by ``getattr`` next); ``None`` otherwise."""
        c = self._call_at(scope, index)
        name = argument(c, 0, "name", past_stars=False) if c is not None else None
        if name is None or not isinstance(name.value, str) or self.eval(c.scope, c.callee or "") != _IMPORT_MODULE:
            return None
        if not is_template(name.value):
            return frozenset({f"m:{name.value}"}) if name.value in self.facts else None
        # ``import_module("%s.admin" % app.name)``: every project module the literal parts fit
        found = names_fitting(name.value, self.facts)
        return frozenset(f"m:{q}" for q in found) if found and len(found) <= MAX_NAMES_LOOKED_UP else None

    def _got_by_name(self, scope: str, index: int, expr: str) -> frozenset[str] | None:
        """``handler = getattr(self, f"on_{event}")`` and ``plugin = getattr(module, name)()``:
        what the lookup gives (:func:`_getattr_values`), or what calling it gives; ``None``
        when it gives nothing of the project."""
        c = self._call_at(scope, index)
        if c is None or expr not in ("getattr()", "getattr()()"):
            return None
        looked = _getattr_call(self.facts[self.module_of(scope)].calls, index) if expr == "getattr()()" else c
        if looked is None or looked.callee != "getattr" or self.eval(looked.scope, "getattr") != _GOT_FUNCTION:
            return None
        found = _getattr_values(self, looked)
        if not any(v.startswith(("d:", "bd:")) for v in found):
            return None
        return frozenset(self.call_result_all(found) if expr == "getattr()()" else found)

    def passed_argument(self, c: Call, targets: Iterable[str]):
        """The argument a call passes to the parameter its callees (``targets``) all return
        unchanged, or ``None``."""
        arg = None
        for v in sorted(targets):
            tag, _, func = v.partition(":")
            param = self.returned_param(func) if tag in ("d", "bd") else _STANDS_FOR.get(func) if tag == "x" else None
            if param is None:
                return None
            position, name = param
            if tag == "bd" and position is not None:
                position -= 1  # the instance is the first parameter
            found = argument(c, position, name, past_stars=False)
            if found is None or found.expr is None or (arg is not None and found != arg):
                return None
            arg = found
        return arg

    def return_may_follow(self, func: str) -> bool:
        """Whether what ``func`` returns may change when its parameters gain values: some
        return starts from a parameter, a local (perhaps bound from one), ``self`` or ``cls``
        (whose attributes other calls bind), or is no plain reference. A function that returns
        nothing, a global, an import or a nested def returns the same whatever flows in, so
        its callers need not be asked again when it gains an argument."""
        own = self.scope_bindings.get(func, {})
        params = self.params.get(func, {})
        for b in own.get("<return>", ()):
            if not b.expr:
                continue
            ops = parse_expr(b.expr)
            if not ops or ops[0][0] != "name" or ops[0][1] in params or ops[0][1] in own:
                return True
        return False

    def returned_param(self, func: str) -> tuple[int | None, str] | None:
        """(position among the positional parameters, name) of the parameter every return of
        ``func`` gives back as it came, or ``None``."""
        if func in self._returns_param:
            return self._returns_param[func]
        found = None
        d = self.defs.get(func)
        if d is not None and d.kind in ("function", "method"):
            returned = {b.expr for b in self.scope_bindings.get(func, {}).get("<return>", ())}
            name = next(iter(returned)) if len(returned) == 1 else None
            if name and any(p.name == name and p.kind not in _PACKED for p in d.params):
                found = (positional_index(d.params, name), name)
        self._returns_param[func] = found
        return found

    def annotated(self, scope: str, annotation: str) -> set[str]:
        """What a value annotated so holds: instances of the class it names, or the class
        itself for ``type[Foo]``; what each member holds for a union (``Foo|Bar``); a container
        of the annotation's head for ``list[Foo]`` (:meth:`annotated_items` for its items)."""
        if "|" in annotation and len(members := annotation_members(annotation)) > 1:
            return set().union(*(self.annotated(scope, part) for part in members))
        if annotation.startswith("type[") and annotation.endswith("]"):
            return set(self.eval(scope, annotation[5:-1]))
        if annotation_items(annotation) is not None:
            annotation = annotation[:annotation.index("[")]  # ``list[Order]`` is a list
        return self.instances_of(self.eval(scope, annotation))

    def annotated_items(self, scope: str, annotation: str) -> set[str]:
        """What the items of a value annotated so hold: ``Order`` instances for
        ``list[Order]``, ``dict[str, Order]`` or ``Iterator[Order] | None``; nothing when the
        annotation names no container of known items."""
        out: set[str] = set()
        for part in annotation_members(annotation):
            if (items := annotation_items(part)) is not None:
                out |= self.annotated(scope, items)
        return out

    def instances_of(self, values: Iterable[str]) -> set[str]:
        out = set()
        for v in values:
            if v.startswith("d:") and self.kind(v[2:]) == "class":
                out.add(f"i:{v[2:]}")
            elif v.startswith("x:"):
                out.add(f"xi:{v[2:]}")
            elif v.startswith("b:") and "." not in v:
                out.add(f"bi:{v[2:]}")  # ``name: str``, ``rows: list[Row]``: as ``str()`` makes
        return out

    def import_values(self, imp: Import) -> set[str]:
        module = self.sibling(imp.scope, imp.module)
        if imp.name is None:
            if imp.asname:
                return {self.module_value(module)}
            top = imp.module.split(".")[0]
            return {self.module_value(module[: len(module) - len(imp.module)] + top)}
        return self.member(module, imp.name)

    def sibling(self, scope: str, module: str) -> str:
        """The module a bare import means in a script folder: a module in a folder without
        ``__init__.py`` (named from its import root, ``tools.run``) that imports ``utils``
        runs with its own folder on the path, so it gets ``tools.utils`` when the project
        has no ``utils`` of its own. Elsewhere, ``module`` as written."""
        top = module.partition(".")[0]
        if top in self._top_names:
            return module
        package = self.module_of(scope).rpartition(".")[0]
        if not package or package in self.facts or f"{package}.{top}" not in self.facts:
            return module  # a regular package's imports are absolute
        return f"{package}.{module}"

    def module_value(self, module: str) -> str:
        return f"m:{module}" if module in self.facts else f"x:{module}"

    def member(self, module: str, name: str, via_star: bool = False) -> frozenset[str]:
        """``module.name``: definitions, submodules, bindings, re-exported imports."""
        if module not in self.facts:
            sub = f"{module}.{name}"
            return frozenset({f"m:{sub}"}) if sub in self.facts else frozenset({f"x:{sub}"})
        if via_star and name.startswith("_"):
            return _EMPTY  # star imports skip private names
        return self._remember(self._members, self._members_v, (module, name), self._member, module, name)

    def _member(self, module: str, name: str) -> set[str]:
        out = set(self._local(module, "module", name))
        sub = f"{module}.{name}"
        if sub in self.facts and not out:
            out.add(f"m:{sub}")
        return out

    def attribute_all(self, values: Iterable[str], attr: str) -> set[str]:
        out: set[str] = set()
        for v in sorted(values):
            out |= self.attribute(v, attr)
        return out

    def attribute(self, value: str, attr: str) -> set[str]:
        tag, _, q = value.partition(":")
        if tag == "m":
            return set(self.member(q, attr))
        if tag == "x":
            return {f"x:{q}.{attr}"}
        if tag == "xi":
            return {f"x:{q}.{attr}"}
        if tag in ("b", "bi"):
            return {f"b:{q}.{attr}"}
        if tag == "d":
            if self.kind(q) == "class":
                return self.class_attribute(q, attr, instance=False)
            if attr in _TASK_SENDS and self._sends_itself(q, attr):
                # ``sync.delay(pk)`` runs ``sync(pk)`` on a worker; a bound task
                # (``@app.task(bind=True)``) gets the task itself as its first parameter
                return {f"bd:{q}"} if self._bound_task(q) else {value}
            return set()
        if tag == "i":
            return self.class_attribute(q, attr, instance=True)
        if tag == "s":
            found = self.class_attribute(q, attr, instance=True, skip_self=True)
            if not found:
                # a mixin's ``super().get_base_statement()``: its own bases (none, or
                # ``Generic``/``Protocol``) lack the method, the classes it is mixed into have it;
                # else ``object`` has it (``super().__init__()`` in a class without bases)
                found = self._after_in_subclasses(q, attr)
                if not found and attr in _OBJECT_ATTRIBUTES:
                    return {f"b:object.{attr}"}
            return found
        return set()

    def _sends_itself(self, func: str, attr: str) -> bool:
        """Is ``func.attr`` how a task queue sends ``func`` to its workers? Celery's
        ``delay`` and ``apply_async`` on any decorated function (``@shared_task``,
        ``@app.task(bind=True)``), and its signatures (``s``, ``si``, ``signature``) that a
        canvas sends; dramatiq's ``send`` on an ``@actor``."""
        d = self.defs.get(func)
        if d is None or d.kind != "function":
            return False
        names = {(dec.expr or "").rpartition(".")[2] for dec in d.decorators}
        return bool(names & _TASK_SENDS[attr]) if _TASK_SENDS[attr] else bool(names - _NOT_TASKS)

    def _bound_task(self, func: str) -> bool:
        """Is ``func`` a task whose decorator says ``bind=True``, so that its first parameter
        is the task, not the first argument sent?"""
        return any(a.keyword == "bind" and a.value is True
                   for dec in self.defs[func].decorators for a in dec.args or ())

    def class_attribute(self, cls: str, attr: str, instance: bool, skip_self: bool = False) -> set[str]:
        mro = self.mro(cls)
        for c in mro[1:] if skip_self else mro:
            found = self._own_attribute(c, attr, instance)
            if found is not None:
                return found
        # an outside base class may provide it (``Model.objects``, ``Session.query``)
        outside = self._outside_base(mro)
        if outside is not None:
            return {f"x:{outside}.{attr}"}
        return self._builtin_attribute(mro, attr)

    def _outside_base(self, classes: Iterable[str]) -> str | None:
        """The first outside base class of these classes, in their order (not ``Generic``
        or ``Protocol``, which give no attribute)."""
        return next((b[2:] for c in classes for b in self.bases(c)
                     if b.startswith("x:") and b not in _NO_ATTRIBUTES), None)

    def mixed_into_outside(self, cls: str, attr: str) -> str | None:
        """``x:<class>.<attr>`` for an attribute of a mixin that neither it nor any project
        class it is mixed into has, from the outside class it is mixed into (django-cms'
        command mixins' ``self.stdout``, a view mixin's ``self.request``); else ``None``.
        Never a project class's attribute: a base calling what its subclasses define is not
        guessed at. Asked after the evaluation, when the flows no longer grow."""
        hit = self._mixed.get(cls)
        if hit is None:
            hit = self._mixed[cls] = self._mixed_of(cls)
        outside, names = hit
        if outside is None or attr in names or attr.removesuffix("[]") in names:
            return None
        return f"x:{outside}.{attr}"

    def kept_parameter(self, cls: str, attr: str) -> str | None:
        """``x:<path>`` of an attribute every binding of which, in ``cls`` and its bases,
        stores a plain framework parameter or an attribute of one (a Pyramid class view's
        ``self.request = request`` gives ``x:pyramid.request.Request``, its ``self.db =
        request.db`` gives ``x:pyramid.request.Request.db``); else ``None``."""
        paths = {self.framework_value(b.origin, b.expr) if b.origin else None
                 for c in self.mro(cls) for b in self.scope_bindings.get(c, {}).get(attr, ())}
        return paths.pop() if len(paths) == 1 else None  # no binding, two paths, or one not such

    def self_class(self, scope: str, name: str) -> str | None:
        """The class whose instance ``name`` is in ``scope``: the ``self`` of the method that
        is the scope or encloses it."""
        method = self.parameter_scope(scope, name)
        return method.rsplit(".", 1)[0] if method is not None and self.self_param.get(method) == name else None

    def _mixed_of(self, cls: str) -> tuple[str | None, frozenset[str]]:
        """The first outside class ``cls``'s subclasses are mixed into, and the names any
        project class of their MROs has (asked once per class: sympy's ``Basic`` has a
        thousand subclasses)."""
        subs = self.subclasses(cls)
        outside = self._outside_base(c for sub in subs for c in self.mro(sub))
        if outside is None:
            return None, frozenset()
        names: set[str] = set()
        for sub in subs:
            for c in self.mro(sub):
                names.update(self.children.get(c, ()))
                names.update(self.scope_bindings.get(c, ()))
        return outside, frozenset(names)

    def _builtin_attribute(self, mro: tuple[str, ...], attr: str) -> set[str]:
        """``attr`` as a builtin base provides it: ``super().__init__(message)`` in an
        ``Exception`` subclass, ``self.items()`` in a ``dict`` subclass (baserow's 64
        ``super().__init__`` were unresolved calls). ``object``, every class's base, only for
        what it has, and only for ``super()`` when no subclass knows better (see :meth:`attribute`)."""
        base = next((b for c in mro for b in self._builtin_bases(c)), None)
        return {f"{base}.{attr}"} if base is not None else set()

    def _builtin_bases(self, cls: str) -> tuple[str, ...]:
        """The builtin classes among a class's own bases (``b:dict``; not ``object``), memoized
        like :meth:`bases`: asked on every attribute no class of an MRO has."""
        return self._class_memo(self._builtin, self._builtin_v, cls, (), self._builtin_bases_of)

    def _builtin_bases_of(self, cls: str) -> tuple[str, ...]:
        d = self.defs.get(cls)
        parent = cls.rsplit(".", 1)[0]
        return tuple(v for b in (d.bases if d is not None else ()) if b for v in sorted(self.eval(parent, b))
                     if v.startswith("b:") and "." not in v and v != "b:object")

    def _own_attribute(self, c: str, attr: str, instance: bool) -> set[str] | None:
        """``attr`` as class ``c`` itself defines or binds it, or ``None`` when it does not."""
        q = self.children.get(c, {}).get(attr)
        if q is not None:
            d = self.defs[q]
            if d.kind == "method":
                decos = {x.expr for x in d.decorators}
                if self.is_property(q):
                    return set(self.returns(q)) if instance else {f"d:{q}"}
                if "staticmethod" in decos:
                    return {f"d:{q}"}
                if "classmethod" in decos or instance:
                    return {f"bd:{q}"}
                return {f"d:{q}"}
            return {f"d:{q}"}
        found: set[str] = set()
        bindings = self.scope_bindings.get(c, {})
        for b in bindings.get(attr, ()):
            found |= self.binding_values(c, b)
        if attr.endswith("[]"):
            found |= self._annotated_items_of(c, bindings.get(attr[:-2], ()))
            prop = self.children.get(c, {}).get(attr[:-2])
            if prop is not None and instance and self.is_property(prop):
                found |= self._returned_items((f"d:{prop}",))  # ``@property def lines(self) -> list[Line]``
        return found or None

    def _annotated_items_of(self, scope: str, bindings) -> set[str]:
        """The items of a name or attribute as its annotations type them
        (``lines: list[Line] = []``, ``self.lines: list[Line]``)."""
        out: set[str] = set()
        for b in bindings:
            if b.annotation:
                out |= self.annotated_items(b.origin or scope, b.annotation)
        return out

    def _after_in_subclasses(self, cls: str, attr: str) -> set[str]:
        """``super().attr`` in ``cls`` as the project classes that inherit ``cls`` see it:
        what the first class after ``cls`` in each one's MRO that defines ``attr`` gives.
        That is where Python finds it for a mixin, whose ``super()`` follows the MRO of the
        instance's class, not its own bases."""
        out: set[str] = set()
        for sub in self.subclasses(cls):
            mro = self.mro(sub)
            if cls not in mro:
                continue
            for c in mro[mro.index(cls) + 1:]:
                found = self._own_attribute(c, attr, instance=True)
                if found is not None:
                    out |= found
                    break
            else:  # an outside class it is mixed into (a DRF serializer mixin's ``super().__init__``)
                outside = self._outside_base(mro)
                if outside is not None:
                    out.add(f"x:{outside}.{attr}")
        return out

    def subclasses(self, cls: str) -> list[str]:
        """The project classes that have ``cls`` among their bases, directly or not, sorted.
        The index of direct subclasses is made once, from the bases of the classes defined
        at module or class level. A class made inside a function (``class Manager(superclass)``
        in a factory) is left out: its bases are the function's arguments, which grow round
        after round, and an index read from them would make every value that asks volatile."""
        direct = self._direct_subclasses
        if direct is None:
            outer = self._flow_read
            direct = self._direct_subclasses = defaultdict(list)
            for q, d in self.defs.items():
                if d.kind == "class" and self.kind(q.rsplit(".", 1)[0]) not in ("function", "method"):
                    for b in self.bases(q):
                        if b.startswith("d:"):
                            direct[b[2:]].append(q)
            self._flow_read = outer  # a module-level base that reads a flow is too rare to track
        out: set[str] = set()
        todo = [cls]
        while todo:
            for sub in direct.get(todo.pop(), ()):
                if sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return sorted(out)

    def is_property(self, method: str) -> bool:
        """Is ``method`` read as an attribute: ``@property`` (or a setter), or a cached
        property (``functools``', Django's, Werkzeug's ``cached_property``)?"""
        d = self.defs.get(method)
        return d is not None and d.kind == "method" and any(
            x.expr and (x.expr.rsplit(".", 1)[-1] in _PROPERTIES or x.expr.endswith(".setter")) for x in d.decorators)

    def call_result_all(self, values: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for v in sorted(values):
            out |= self.call_result(v)
        return out

    def call_result(self, value: str) -> set[str]:
        tag, _, q = value.partition(":")
        if tag in ("d", "bd"):
            kind = self.kind(q)
            if kind == "class":
                return {f"i:{q}"}
            if kind in ("function", "method"):
                return set(self.returns(q))
            return set()
        if tag == "i":
            call = self.class_attribute(q, "__call__", instance=True)
            return self.call_result_all(call)
        if tag in ("x", "xi"):
            made = CLASS_FACTORIES.get(q) if tag == "x" else None
            return {f"x:{made}"} if made else {f"xi:{q}"}
        if tag == "b" and "." not in q:
            return {f"bi:{q}"}  # an instance of a builtin type (str(), dict(), ...)
        if tag == "b" and q.startswith("str.") and q[4:] in _STR_TO_STR:
            return {"bi:str"}  # "x".strip().upper() stays a string
        return set()

    def returns(self, func: str) -> frozenset[str]:
        return self._remember(self._returned, self._returned_v, (func, ""), self._returns, func)

    def _returns(self, func: str) -> set[str]:
        out: set[str] = set()
        for b in self.scope_bindings.get(func, {}).get("<return>", ()):
            out |= self.binding_values(func, b)
        d = self.defs.get(func)
        if d is not None and d.returns_expr:
            if d.kind == "method" and self.makes_own_class(func) and d.returns_expr.rsplit(".", 1)[-1] == "Self":
                out.add(f"i:{func.rsplit('.', 1)[0]}")  # ``-> Self``: its class, not ``typing.Self``
            else:
                out |= self.annotated(func.rsplit(".", 1)[0], d.returns_expr)
        return out

    def callees(self, values: Iterable[str]) -> frozenset[str]:
        """Definitions actually entered by calling these values (constructors -> __init__).
        Memoized per value set: the evaluator shares equal sets, and most call sites of a
        large tree reach one of a few thousand of them."""
        key = values if isinstance(values, frozenset) else frozenset(values)
        hit = self._entered.get(key)
        if hit is None:
            hit = self._entered[key] = frozenset(self._callees(key))
        return hit

    def _callees(self, values: frozenset[str]) -> set[str]:
        out: set[str] = set()
        for v in sorted(values):
            tag, _, q = v.partition(":")
            if tag in ("d", "bd"):
                kind = self.kind(q)
                if kind == "class":
                    init = self.class_attribute(q, "__init__", instance=True)
                    inits = {x.partition(":")[2] for x in init if x.startswith(("bd:", "d:"))}
                    out |= inits if inits else {q}
                elif kind in ("function", "method"):
                    out.add(q)
            elif tag == "i":
                for x in self.class_attribute(q, "__call__", instance=True):
                    if x.startswith(("bd:", "d:")):
                        out.add(x.partition(":")[2])
        return out

    # -- argument -> parameter flows -------------------------------------------------------
    def add_flows(self, scope: str, call: Call, targets: frozenset[str]) -> None:
        if not call.args or not any(a.expr for a in call.args):
            return  # nothing can flow: the common case, kept cheap
        if call.callee and call.callee.endswith(_SENDING_ARGUMENT_TUPLE):
            targets = self._add_sent_flows(scope, call, targets)
        for v in sorted(targets):
            tag, _, q = v.partition(":")
            if tag not in ("d", "bd"):
                continue
            kind = self.kind(q)
            shift = 1 if tag == "bd" else 0
            func = q
            if kind == "class":
                inits = [x for x in self.class_attribute(q, "__init__", instance=True) if x.startswith("bd:")]
                if not inits:
                    continue
                func = inits[0][3:]
                shift = 1
            elif kind not in ("function", "method"):
                continue
            positional, by_name = self._signature_index(func)
            pos = shift
            for a in call.args:
                if a.star:
                    continue
                if a.keyword is not None:
                    p = by_name.get(a.keyword)
                else:
                    p = positional[pos] if pos < len(positional) else None
                    pos += 1
                if p is None or a.expr is None:
                    continue
                vals = self.eval(scope, a.expr)
                vals = {x for x in vals if not x.startswith(("b:", "bi:", "m:"))}
                if vals:
                    self.grow_flow((func, p.name), vals)

    def _add_sent_flows(self, scope: str, call: Call, targets: frozenset[str]) -> frozenset[str]:
        """The flows of a task queue's send that takes the task's arguments as a tuple
        (``bill.apply_async((invoice, order))``): its items go to the task functions among
        ``targets``; the targets left (a project function named ``signature`` itself) take
        the call's own arguments."""
        send = call.callee.rpartition(".")[2]
        tasks = frozenset(v for v in targets if v.startswith(("d:", "bd:")) and not v.endswith("." + send)
                          and self.kind(v.partition(":")[2]) == "function")
        if tasks:
            self.add_flows(scope, call._replace(callee=None, args=_sent_arguments(call)), tasks)
        return targets - tasks

    def grow_flow(self, key: tuple[str, str], vals: set[str] | None) -> None:
        """Add values flowing into a parameter (``key``: function, parameter), keeping at
        most :data:`MAX_OUTSIDE_FLOWS` outside values; past :data:`MAX_PROJECT_FLOWS` project
        values (or ``vals`` None: another process found so) the parameter is megamorphic and
        its flow empty for good. What changes is logged when a share of a round keeps a log
        (:func:`_evaluate_share`), a parameter made megamorphic as ``None``."""
        if key in self.megamorphic:
            return
        cur = self.flows[key]
        if vals is None:
            self._make_megamorphic(key)
            return
        new = vals - cur
        if not new:
            return
        held = self._outside_flows.get(key)
        if held is None:  # not counted yet (a flow taken in whole from a partner): count it once
            held = self._outside_flows[key] = sum(1 for x in cur if x.startswith(("x:", "xi:")))
        outside = sorted(x for x in new if x.startswith(("x:", "xi:")))
        if outside:
            room = max(0, MAX_OUTSIDE_FLOWS - held)
            if len(outside) > room:
                new.difference_update(outside[room:])
            held = self._outside_flows[key] = held + min(room, len(outside))
        if not new:
            return
        if len(cur) + len(new) - held > MAX_PROJECT_FLOWS:
            self._make_megamorphic(key)
            return
        cur |= new
        self._flow_changed = True
        self.changed_funcs.add(key[0])
        if self.flow_log is not None:
            self.flow_log.append((key, new))

    def _make_megamorphic(self, key: tuple[str, str]) -> None:
        """Empty a parameter's flow for good; its function's sites read it again next round."""
        self.megamorphic.add(key)
        self.flows[key] = set()
        self._outside_flows.pop(key, None)
        self._flow_changed = True
        self.changed_funcs.add(key[0])
        if self.flow_log is not None:
            self.flow_log.append((key, None))

    def _signature_index(self, func: str) -> tuple[tuple[Param, ...], dict[str, Param]]:
        """The positional parameters, and every parameter by name: the index the resolver
        keeps anyway (``params``), not a copy of it per function asked (8 MiB at 1.2 M lines)."""
        hit = self._sig.get(func)
        if hit is None:
            params = self.defs[func].params
            hit = self._sig[func] = (
                tuple(p for p in params if p.kind in ("positional", "positional_only")),
                self.params.get(func) or {p.name: p for p in params},
            )
        return hit

    def intern(self, values: frozenset[str]) -> frozenset[str]:
        """The one shared copy of an equal set of values (a forked share's come back as copies)."""
        return self._shared_sets.setdefault(values, values)

    def next_round(self) -> None:
        """Forget the values that read an argument flow: the flows grew since."""
        for memo in (self._memo_v, self._lookups_v, self._members_v, self._returned_v, self._entered,
                     self._mro_v, self._bases_v, self._builtin_v):
            memo.clear()
        self._flow_read = False


def _outside_path(expr: str) -> str:
    """An expression's dotted path, its calls and items dropped (``db.query().filter`` ->
    ``db.query.filter``): how an outside value is named."""
    return expr.replace("()", "").replace("[]", "")


def positional_index(params, name: str) -> int | None:
    """Where parameter ``name`` stands among the positional ones; ``None`` when it is passed
    by keyword only (or is no parameter)."""
    positional = [p.name for p in params if p.kind in ("positional", "positional_only")]
    return positional.index(name) if name in positional else None


def _signature(d: Definition) -> str:
    parts = []
    seen_star = False
    for p in d.params:
        text = p.name
        if p.kind == "var_positional":
            text = "*" + text
            seen_star = True
        elif p.kind == "var_keyword":
            text = "**" + text
        elif p.kind == "keyword_only" and not seen_star:
            parts.append("*")
            seen_star = True
        if p.annotation:
            text += f": {p.annotation}"
        if p.default is not None:
            text += f" = {p.default}" if p.annotation else f"={p.default}"
        parts.append(text)
    sig = f"({', '.join(parts)})"
    if d.returns:
        sig += f" -> {d.returns}"
    return sig


def synthesize_decorator_calls(m: ModuleFacts) -> list[tuple[Call, int]]:
    """A bare ``@deco`` calls ``deco(func)`` in the enclosing scope: make that call explicit."""
    out = []
    for d in m.definitions:
        for dec in d.decorators:
            if dec.args is None and dec.expr and dec.expr not in ("property", "staticmethod", "classmethod"):
                from analyzer.facts import Arg

                parent = d.qualname.rsplit(".", 1)[0]
                out.append((Call(parent, dec.expr, (Arg(expr=d.name),), dec.line, True), -1))
    return out


@dataclass
class Evaluation:
    """What evaluating the sites found, apart from where they are: kept between runs by the
    stage cache, so that a run whose modules all have the resolution shape they had
    (:func:`analyzer.facts.resolution_shape`) assembles the same edges without evaluating anything."""

    targets: list[frozenset[str]]  # per site: the values its callee evaluated to
    entered: list[frozenset[str]]  # per site: the definitions calling it enters
    wrapped: list[frozenset[str]]  # per site: entered definitions the caller decorates
    imports: list[str | None]  # per import statement, in module order: the project module
    bases: dict[str, tuple[str, ...]]  # project class -> its bases
    flows: dict[tuple[str, str], set[str]]  # (function, parameter) -> argument values

    def pack(self) -> tuple:
        """Plain data (lists, dicts, frozensets), for the stage cache."""
        return (self.targets, self.entered, self.wrapped, self.imports, self.bases, dict(self.flows))

    @classmethod
    def unpack(cls, data: tuple) -> Evaluation:
        targets, entered, wrapped, imports, bases, flows = data
        if not (len(targets) == len(entered) == len(wrapped)):
            raise ValueError("a damaged evaluation")
        return cls(targets, entered, wrapped, imports, bases, flows)


def resolve(modules: Iterable[ModuleFacts], known: Evaluation | None = None) -> Resolution:
    """Resolve every call site; build symbols and call/import/inherit edges.

    ``known``: the evaluation of an earlier run over modules of the same resolution shapes,
    in the same order. It is used as it is and only the edges and symbols are assembled
    from the current facts (their lines). The resolver then starts from its flows, as the
    frameworks stage expects."""
    modules = [m for m in modules if m.error is None]
    r = Resolver(modules)
    sites: list[tuple[str, int, Call]] = []
    site_counts: dict[str, int] = {}
    for m in sorted(modules, key=lambda m: m.module):
        own = module_sites(m)
        site_counts[m.module] = len(own)
        sites.extend(own)
    if known is None:
        evaluation = _evaluate(r, modules, sites)
    else:
        if len(known.targets) != len(sites):
            raise ValueError("the evaluation is of other modules")
        evaluation = known
        r.flows = defaultdict(set, {k: set(v) for k, v in known.flows.items()})
    res = _assemble(modules, sites, evaluation)
    res.site_counts = site_counts
    # The frameworks stage asks the resolver again (a receiver's name, a binding's call). It
    # keeps the stable values: each read no flow and met no cycle, so its whole closure is
    # acyclic and it is the same whatever the memo held or the question order, and what the
    # stage computes on top of them is what it would compute from an empty memo, as after a
    # reused evaluation. The volatile values (inside cycles, or read from the flows of a
    # round) are dropped.
    r.next_round()
    res.resolver = r
    res.evaluation = evaluation
    return res


ITERATION = -2  # the index of a site that iterates (``iteration_sites``); decorator applications are -1


def module_sites(m: ModuleFacts) -> list[tuple[str, int, Call]]:
    """The call sites of one module, in evaluation order: its calls, then the calls its bare
    decorators make, then the iterations that may call the iteration protocol. The program's
    sites are these, module by module in name order."""
    sites = [(m.module, i, c) for i, c in enumerate(m.calls)]
    sites.extend((m.module, i, c) for c, i in synthesize_decorator_calls(m))
    sites.extend((m.module, ITERATION, c) for c in iteration_sites(m))
    return sites


MAX_ITERATED = 200  # longer iterated expressions are data, not an object of the project


def iteration_sites(m: ModuleFacts) -> list[Call]:
    """``for x in obj`` (and a comprehension over it, or ``obj[i]``: the facts bind each as
    ``x = obj[]``) calls ``obj.__iter__`` and then the iterator's ``__next__``: one site per
    scope and iterated expression, whose callee is ``obj.__iter__``. Only the project's own
    methods count from it (:func:`_iteration_entered`): no builtin edge, no unresolved call."""
    seen: set[tuple[str, str]] = set()
    out: list[Call] = []
    for b in m.bindings:
        expr = b.expr
        if not expr or not expr.endswith("[]") or b.name.endswith("]") or b.name.startswith("<"):
            continue
        key = (b.origin or b.scope, expr[:-2])
        if not key[1] or key in seen or len(key[1]) > MAX_ITERATED:
            continue
        seen.add(key)
        out.append(Call(key[0], f"{key[1]}.__iter__", (), b.line, True))
    return out


def assemble_module(m: ModuleFacts, ev: Evaluation, first_site: int, first_import: int) -> Resolution:
    """The symbols and edges of one module from the evaluation of the whole program, whose
    sites ``first_site``… and import statements ``first_import``… are this module's: what
    :func:`resolve` gives for it, without assembling the rest again."""
    sites = module_sites(m)
    end, stop = first_site + len(sites), first_import + len(m.imports)
    if end > len(ev.targets) or stop > len(ev.imports):
        raise ValueError("the evaluation is of other modules")
    part = Evaluation(ev.targets[first_site:end], ev.entered[first_site:end], ev.wrapped[first_site:end],
                      ev.imports[first_import:stop], ev.bases, {})
    return _assemble([m], sites, part)


def _evaluate(r: Resolver, modules: list[ModuleFacts], sites: list[tuple[str, int, Call]]) -> Evaluation:
    """Evaluate every site to a fixed point of the argument flows, then ask what the edges
    need. The memo's cycle guard makes values inside cycles depend on the order of the
    questions, so this order is fixed: the same modules always give the same evaluation.
    That includes the order within a question: a set of values (receivers, callees, targets)
    is asked in sorted order, not in the set's, which follows the interpreter's hash seed."""
    # Round 1 evaluates every site. Later rounds only revisit the sites that new argument
    # flows can change: sites inside a function whose parameters gained values (and its
    # nested defs), and sites that call such a function (its return value may follow).
    targets: list[frozenset[str]] = [_EMPTY] * len(sites)
    todo = range(len(sites))
    # sites by the values their callee evaluated to, in any round: the evaluator shares equal
    # sets, so "which sites may call f" is asked of a few thousand sets, not of every site
    sites_of: dict[frozenset[str], set[int]] = {}
    sets_with: dict[str, list[frozenset[str]]] = defaultdict(list)  # definition -> the sets naming it
    scope_sites: dict[str, list[int]] = defaultdict(list)
    for k, (_m, _i, c) in enumerate(sites):
        scope_sites[c.scope].append(k)
    # every scope that has sites, under each of its enclosing scopes (for "nested in")
    nested: dict[str, list[str]] = defaultdict(list)
    for scope in scope_sites:
        q = scope
        while True:
            nested[q].append(scope)
            if "." not in q:
                break
            q = q.rsplit(".", 1)[0]
    # A site whose callee and arguments all came from the stable memo (no flow read, no
    # cycle met) is settled: asked again, it would get the same values from the same memo
    # and add no flow, so later rounds skip it. The answers are those of revisiting it.
    settled: set[int] = set()
    subclasses: dict[str, list[str]] | None = None  # made when a method first gains a flow
    # A large program is evaluated by two processes (analyzer.forked): this one asks the sites
    # before ``cut`` (whole modules), a forked partner the rest, each round from the state
    # the round starts from; the partner's flows are merged here and the merged flows sent
    # back. The partner lives through the rounds, so its memo keeps the values of its sites.
    partner = None
    cut = len(sites)
    synced: list[tuple[tuple[str, str], frozenset[str], int | None]] = []
    cleared = False  # the volatile memo was emptied since the partner's last turn

    def sync() -> tuple[list, bool]:
        """What the partner takes in before its turn; nothing when, without a child, the
        turn runs here on this state."""
        here = partner.pid is None
        return ([] if here else synced), cleared and not here

    try:
        for _round in range(MAX_ROUNDS):
            r._flow_changed = False
            r.changed_funcs = set()
            if _round == 0 and len(todo) >= FORK_SITES:
                from analyzer.forked import Partner, halves

                cut = len(halves(todo, lambda k: sites[k][0])[0])
                partner = Partner(lambda request: _partner_turn(r, sites, request), copies=CHILD_COPIES,
                                  grows=PARENT_GROWS)
            if partner is not None:
                partner.ask(("round", *sync(), [k for k in todo if k >= cut]))
                shares_of = (_evaluate_share(r, sites, [k for k in todo if k < cut]), partner.answer())
            else:
                shares_of = (_evaluate_share(r, sites, todo),)
            for share in shares_of:
                _merge_share(r, share, targets, settled)
            synced = _merged_flows(r, shares_of) if partner is not None and partner.pid is not None else []
            cleared = False
            for k in todo:
                t = targets[k]
                if t:
                    at = sites_of.get(t)
                    if at is None:
                        at = sites_of[t] = set()
                        for v in t:
                            sets_with[v.partition(":")[2]].append(t)
                    at.add(k)
            if not r._flow_changed:
                break
            affected = set(r.changed_funcs)
            for f in r.changed_funcs:
                if f in r.stores_elsewhere and r.kind(f) == "method":
                    # a method's new argument may be stored on self, where the methods of its
                    # class and of every subclass read it (``super().__init__(func)`` in a subclass)
                    cls = f.rsplit(".", 1)[0]
                    affected.add(cls)
                    if subclasses is None:
                        subclasses = _subclasses(r)
                    affected.update(subclasses.get(cls, ()))
                if r.return_may_follow(f):  # the callers' values may follow the new arguments
                    for values in sets_with.get(f, ()):
                        affected.update(sites[k][2].scope for k in sites_of[values])
            r.next_round()
            cleared = True
            todo = sorted({k for a in affected for scope in nested.get(a, ()) for k in scope_sites[scope]} - settled)

        _typed_by_argument(r, modules, sites, targets)
        _looked_up_by_name(r, sites, targets)
        # what the edges need, asked in the order the edges are built (memo state included),
        # by the same two processes
        if partner is not None:
            partner.ask(("needs", *sync(), {k: targets[k] for k in range(cut, len(sites))}))
            needs = (_edge_needs(r, sites, targets, range(cut)), partner.answer())
        else:
            needs = (_edge_needs(r, sites, targets, range(len(sites))),)
    except BaseException:
        if partner is not None:
            partner.stop()
        raise
    finally:
        if partner is not None:
            partner.close()
    entered = [r.intern(e) for share in needs for e in share[0]]
    wrapped = [r.intern(w) for share in needs for w in share[1]]
    imports: list[str | None] = []
    bases: dict[str, tuple[str, ...]] = {}
    for m in modules:
        imports.extend(_import_target(r, imp) for imp in m.imports)
        for d in m.definitions:
            if d.kind == "class":
                bases[d.qualname] = r.bases(d.qualname)
    # in key order and without the empty entries lookups leave: the same whichever process
    # evaluated which share
    flows = {k: v for k, v in sorted(r.flows.items()) if v}
    _outside_guesses(r, sites, targets)
    return Evaluation(targets, entered, wrapped, imports, bases, flows)


def _outside_guesses(r: Resolver, sites: list[tuple[str, int, Call]], targets: list[frozenset[str]]) -> None:
    """Give an outside target to the unresolved calls whose receiver is known to be outside
    code by convention, not by a value: a plain framework parameter
    (:data:`FRAMEWORK_PARAMETERS`: ``request.db.query()`` -> ``x:pyramid.request.Request.db.query``)
    or, on ``self`` in a mixin, an attribute only the outside class it is mixed into can have
    (``self.stdout.write()`` -> ``x:django.core.management.base.BaseCommand.stdout.write``).
    Set on the targets after the evaluation, no value flows from them: what the project's own
    code and annotations say is never displaced by a guess, and resolution costs no more."""
    for k, (_m, _i, c) in enumerate(sites):
        if targets[k] or not c.callee or "." not in c.callee:
            continue
        guess = r.framework_value(c.scope, c.callee)
        if guess is None:
            head, _, rest = c.callee.partition(".")
            path = _outside_path(rest)
            attr, _, more = path.partition(".")
            if more and REFERENCE.match(path) and (cls := r.self_class(c.scope, head)) is not None:
                on = r.kept_parameter(cls, attr) or r.mixed_into_outside(cls, attr)  # ``self.request = request``
                guess = f"{on}.{more}" if on is not None else None
        if guess is not None:
            targets[k] = r.intern(frozenset((guess,)))


_CLASS_OF = re.compile(r"^(?:typing\.)?[Tt]ype\[(\w+)\]$")
_INSTANCE_OF = re.compile(r"^(?:(\w+)|(?:typing\.)?Optional\[(\w+)\]|(\w+)\|None|None\|(\w+))$")


def receiver_links(calls: Sequence[Call]) -> list[int | None]:
    """Per call of a module, the call it is made on (in ``a.f().g()`` the index of ``a.f()``
    for ``.g()``), or ``None``. The receiver call is walked first, so it starts the same nested
    range (``first``) as the call made on it; without ``first`` the latest call of that callee
    in the scope is taken."""
    out: list[int | None] = [None] * len(calls)
    last: dict[tuple, int] = {}
    for j, c in enumerate(calls):
        callee = c.callee
        if callee:
            group = c.first if c.first is not None else c.scope
            # ``receiver_expr(callee)`` ends in ``()``, inlined: this sees every call
            if "()." in callee and not callee.endswith((")", "]")):
                recv = callee.rpartition(".")[0]
                if recv.endswith("()"):
                    out[j] = last.get((group, recv[:-2]))
            last[(group, callee)] = j
    return out


def _typed_by_argument(r: Resolver, modules: list[ModuleFacts], sites: list[tuple[str, int, Call]],
                       targets: list[frozenset[str]]) -> None:
    """``registry.get_by_type(CreateAction).do(...)``: a project function annotated to return
    an instance of the class it is handed (``def get_by_type(self, t: type[T]) -> T``) gives,
    at each call, an instance of the class passed there. A value carries no argument into
    its callee's return, so the call made on the result was left unresolved; it is set here,
    after the evaluation and before the edges, from its receiver call's own argument. No
    value flows from it (like :func:`_outside_guesses`): the evaluation is as it was."""
    wanted = {k for k, (_m, _i, c) in enumerate(sites) if not targets[k] and c.callee and "()." in c.callee}
    if not wanted:
        return
    offset: dict[str, int] = {}
    for k, (m, _i, _c) in enumerate(sites):
        offset.setdefault(m, k)
    held = {sites[k][0] for k in wanted}
    for m in modules:
        if m.module not in held:
            continue
        base = offset[m.module]
        for i, j in enumerate(receiver_links(m.calls)):
            if j is not None and base + i in wanted:
                found = _instance_of_argument(r, m.calls[j], targets[base + j], m.calls[i].callee.rpartition(".")[2])
                if found:
                    targets[base + i] = r.intern(frozenset(found))


# what a call of ``getattr(...)``'s result evaluates to when nothing else is known of it
_GOT = frozenset({"bi:getattr"})
_GOT_FUNCTION = frozenset({"b:getattr"})  # ``getattr`` itself
_IMPORT_MODULE = frozenset({"x:importlib.import_module"})
# how a task queue sends a decorated function to its workers, with the same arguments: the
# decorators that make it a task (empty: any decorator but these, ``_NOT_TASKS``)
_TASK_SENDS: dict[str, frozenset[str]] = {
    "delay": frozenset(), "apply_async": frozenset(),
    # Celery's signatures, run by a canvas (``chain(fetch.s(url), store.s())()``)
    "s": frozenset(), "si": frozenset(), "signature": frozenset(),
    "send": frozenset({"actor"}), "send_with_options": frozenset({"actor"}),
}
# how the callee of a send ends whose first argument is the tuple of the task's arguments
# (``bill.apply_async((pk,), countdown=3)``, ``bill.signature((pk,))``)
_SENDING_ARGUMENT_TUPLE = (".apply_async", ".signature")


def _sent_arguments(call: Call) -> tuple[Arg, ...]:
    """The arguments a task queue's send that takes them as a tuple hands the task
    (``task.apply_async(args=(pk, user))``, ``task.signature((pk,))``): the tuple's items
    written in place, up to a starred one."""
    sent = argument(call, 0, "args", past_stars=False)
    out: list[Arg] = []
    for item in (sent.items or ()) if sent is not None else ():
        if item is not None and item.endswith("[]"):
            break  # ``(*ids,)``: which value lands where is not known from here on
        out.append(Arg(expr=item))
    return tuple(out)


_NOT_TASKS = frozenset({"", "property", "staticmethod", "classmethod", "cached_property", "wraps", "lru_cache",
                        "cache", "contextmanager", "asynccontextmanager", "overload"})
MAX_NAMES_LOOKED_UP = 64  # a dynamic name matching more members than this says nothing


def _looked_up_by_name(r: Resolver, sites: list[tuple[str, int, Call]], targets: list[frozenset[str]]) -> None:
    """``getattr(self, "visit_" + kind)()``, ``getattr(plugins, name)()``: a direct call of
    what ``getattr`` looked up calls the member of that name, the members whose names fit the
    literal parts of a name built at run time, or, for a module of the project and a name
    known only at run time, every public member of the module (a plugin loader). The default
    (``getattr``'s third argument) may be called too. Set after the evaluation, like
    :func:`_typed_by_argument`: no value flows from it. A name bound to the lookup
    (``handler = getattr(...)``) holds these values in the evaluation itself
    (``Resolver._got_by_name``)."""
    for k, t in enumerate(targets):
        module, i, c = sites[k]
        if t != _GOT or i < 0 or c.callee != "getattr()":
            continue
        g = _getattr_call(r.facts[module].calls, i)
        found = _getattr_values(r, g) if g is not None and r.eval(g.scope, "getattr") == _GOT_FUNCTION else ()
        if any(v.startswith(("d:", "bd:")) for v in found):
            targets[k] = r.intern(frozenset(found))


def _getattr_call(calls: Sequence[Call], index: int) -> Call | None:
    """The ``getattr(...)`` call whose result the call at ``index`` calls
    (``getattr(obj, name)(...)``): the one nested last before it."""
    c = calls[index]
    start = c.first if c.first is not None else 0
    return next((calls[j] for j in range(index - 1, start - 1, -1) if calls[j].callee == "getattr"), None)


def _getattr_values(r: Resolver, g: Call) -> set[str]:
    """What ``getattr(obj, name[, default])`` may give (see :func:`_looked_up_by_name`)."""
    obj = argument(g, 0, "object", past_stars=False)
    name = argument(g, 1, "name", past_stars=False)
    if obj is None or not obj.expr or name is None:
        return set()
    out: set[str] = set()
    value = name.value
    for v in sorted(r.eval(g.scope, obj.expr)):
        if isinstance(value, str) and not is_template(value):
            names = [value]
        else:
            members = _member_names(r, v)
            if is_template(value):
                names = names_fitting(value, members)
                if names is None:
                    continue
            elif v.startswith("m:"):  # a plugin module and a name from the configuration
                names = [n for n in members if not n.startswith("_")]
            else:
                continue
            if len(names) > MAX_NAMES_LOOKED_UP:
                continue
        for n in names:
            out |= r.attribute(v, n)
    default = argument(g, 2, "default", past_stars=False)
    if default is not None and default.expr:
        out |= r.eval(g.scope, default.expr)
    return out


def names_fitting(template: str, names: Iterable[str]) -> list[str] | None:
    """The names a name built at run time may be: those that begin with its literal head,
    end with its literal tail and have something in between (``f"visit_{kind}"``,
    ``"%s.admin" % app``); ``None`` when the literal parts are too short to say anything."""
    parts = template_parts(template)
    prefix, suffix = parts[0][1], parts[-1][1] if len(parts) > 1 else ""
    if len(prefix) + len(suffix) < 2:
        return None
    return [n for n in names if n.startswith(prefix) and n.endswith(suffix) and len(n) > len(prefix) + len(suffix)]


def _member_names(r: Resolver, value: str) -> list[str]:
    """The names a project module binds, or a project class (and its project bases) defines
    (not the ``name[]`` of a container's items that bindings also record)."""
    tag, _, q = value.partition(":")
    names: set[str] = set()
    if tag == "m" and q in r.facts:
        names = set(r.scope_bindings.get(q, {})) | set(r.children.get(q, {})) | set(r.scope_imports.get(q, {}))
    elif tag in ("i", "s", "d") and r.kind(q) == "class":
        for c in r.mro(q):
            names |= set(r.children.get(c, {}))
    return sorted(n for n in names if n.isidentifier())


def _instance_of_argument(r: Resolver, call: Call, callees: frozenset[str], attr: str) -> set[str]:
    """``attr`` of the instance a call returns when its callee's return annotation is the
    class one of its parameters is annotated to be handed (``type[T]`` -> ``T``)."""
    out: set[str] = set()
    for v in sorted(callees):
        tag, _, func = v.partition(":")
        d = r.defs.get(func) if tag in ("d", "bd") else None
        if d is None or d.kind not in ("function", "method") or not d.returns:
            continue
        shape = _INSTANCE_OF.match(d.returns.replace(" ", "").replace('"', "").replace("'", ""))
        returned = next((g for g in shape.groups() if g), None) if shape else None
        positional = [p.name for p in d.params if p.kind in ("positional", "positional_only")]
        if tag == "bd":
            positional = positional[1:]
        for p in d.params:
            given = _CLASS_OF.match((p.annotation or "").replace(" ", "").replace('"', "").replace("'", ""))
            if returned is None or given is None or given.group(1) != returned:
                continue
            arg = argument(call, positional.index(p.name) if p.name in positional else None, p.name,
                          past_stars=False)
            if arg is None or not arg.expr or arg.star:
                continue
            for c in sorted(r.eval(call.scope, arg.expr)):
                if c.startswith("d:") and r.kind(c[2:]) == "class":
                    out |= r.attribute(f"i:{c[2:]}", attr)
                elif c.startswith("x:"):
                    out |= r.attribute(f"xi:{c[2:]}", attr)
    return out


class _Share(NamedTuple):
    """What one share of a round found: per site asked, its values and whether it settled,
    and the argument flows it added, in order."""

    sites: Sequence[int]
    targets: list[frozenset[str]]
    settled: list[int]
    flows: list[tuple[tuple[str, str], set[str] | None]]  # None: made megamorphic
    flow_changed: bool
    changed_funcs: set[str]


def _subclasses(r: Resolver) -> dict[str, list[str]]:
    """Project class -> the project classes that have it among their ancestors."""
    out: dict[str, list[str]] = defaultdict(list)
    for q, d in r.defs.items():
        if d.kind == "class":
            for ancestor in r.mro(q)[1:]:
                out[ancestor].append(q)
    return out


def _merged_flows(r: Resolver, shares_of) -> list[tuple[tuple[str, str], frozenset[str] | None, int | None]]:
    """The flows either share of a round changed, as this process merged them (with the
    count of outside values each holds; ``None`` for a megamorphic parameter): what the
    partner takes in before its next turn."""
    keys = dict.fromkeys(key for share in shares_of for key, _ in share.flows)
    return [(key, None if key in r.megamorphic else frozenset(r.flows[key]), r._outside_flows.get(key))
            for key in keys]


def _partner_turn(r: Resolver, sites: list[tuple[str, int, Call]], request: tuple):
    """A turn of the forked partner of :func:`_evaluate`: take in the flows as merged since
    its last turn (and forget the volatile values when the round ended there), then ask its
    sites of the round, or what the edges of its sites need."""
    what, synced, cleared, part = request
    for key, values, held in synced:
        if values is None:
            r.megamorphic.add(key)
        r.flows[key] = set(values or ())
        if held is None:
            r._outside_flows.pop(key, None)
        else:
            r._outside_flows[key] = held
    if cleared:
        r.next_round()
    if what == "round":
        r._flow_changed = False
        r.changed_funcs = set()
        return _evaluate_share(r, sites, part)
    return _edge_needs(r, sites, part, list(part))


def _edge_needs(r: Resolver, sites: list[tuple[str, int, Call]], targets: list[frozenset[str]],
                ks: Sequence[int]) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """Per site ``k`` in ``ks``: the definitions its call enters, and those of them its
    caller decorates."""
    entered: list[frozenset[str]] = []
    wrapped: list[frozenset[str]] = []
    hands_over: dict[frozenset[str], bool] = {}  # per target set (the evaluator shares equal ones)
    for k in ks:
        t = targets[k]
        if sites[k][1] == ITERATION:
            e = _iteration_entered(r, sites[k][2])
        elif not t.isdisjoint(CALLING_BUILTINS):
            e = r.callees(t) | called_back(r, sites[k][2])
        else:
            hands = hands_over.get(t)
            if hands is None:
                hands = hands_over[t] = any(v.startswith("x:") and callback_argument(v) for v in t)
            e = r.callees(t) | handed_to_call(r, sites[k][2], t) if hands else r.callees(t)
        entered.append(e)
        w = _decorated_targets(r, sites[k][2], e) if e else None
        wrapped.append(frozenset(w) if w else _EMPTY)
    return entered, wrapped


# builtins that call the functions they are handed: ``map(f, rows)``, ``sorted(rows, key=f)``
CALLING_BUILTINS = frozenset({"b:map", "b:filter", "b:sorted", "b:min", "b:max", "x:functools.reduce"})


def called_back(r: Resolver, site: Call) -> frozenset[str]:
    """The project functions a call of a :data:`CALLING_BUILTINS` builtin calls back: those
    among the values of its arguments (any position: ``map(func, rows)``, the ``key=``)."""
    return _functions_in(r, site.scope, site.args)


def _functions_in(r: Resolver, scope: str, args: Iterable[Arg | None]) -> frozenset[str]:
    """The project functions and methods among the values of these arguments."""
    values: set[str] = set()
    for a in args:
        if a is not None and a.expr and not a.star:
            values |= {v for v in r.eval(scope, a.expr) if v.startswith(("d:", "bd:"))}
    return frozenset(q for q in r.callees(frozenset(values)) if r.kind(q) in ("function", "method"))


# Outside callables that call the function handed to them (now, in a thread or a process,
# after a commit, at exit, as a queued job), by where it is handed: (position, keyword). The
# caller depends on that function as on a call it makes: ``Thread(target=work)``,
# ``pool.submit(work, x)``, ``transaction.on_commit(notify)``, ``partial(work, 1)``.
CALLING_OUTSIDE: dict[str, tuple[int, str | None]] = {
    "x:threading.Thread": (1, "target"),
    "x:threading.Timer": (1, "function"),
    "x:multiprocessing.Process": (1, "target"),
    "x:asyncio.to_thread": (0, None),
    "x:functools.partial": (0, None),
    "x:asgiref.sync.sync_to_async": (0, "func"),
    "x:asgiref.sync.async_to_sync": (0, "awaitable"),
    "x:django.db.transaction.on_commit": (0, "func"),
    "x:atexit.register": (0, None),
    "x:signal.signal": (1, "handler"),
    "x:weakref.finalize": (1, None),
    "x:rq.Queue.enqueue": (0, "f"),
    "x:rq.Queue.enqueue_call": (0, "func"),
    "x:rq.Queue.enqueue_in": (1, "f"),
    "x:rq.Queue.enqueue_at": (1, "f"),
    "x:fastapi.BackgroundTasks.add_task": (0, "func"),
    "x:fastapi.background.BackgroundTasks.add_task": (0, "func"),
    "x:starlette.background.BackgroundTasks.add_task": (0, "func"),
    "x:starlette.background.BackgroundTask": (0, "func"),
    "x:contextlib.ExitStack.callback": (0, None),
    "x:contextlib.AsyncExitStack.push_async_callback": (0, None),
    "x:tornado.ioloop.IOLoop.add_callback": (0, "callback"),
    "x:tornado.ioloop.IOLoop.spawn_callback": (0, "callback"),
    "x:tornado.ioloop.IOLoop.call_later": (1, "callback"),
    "x:tornado.ioloop.IOLoop.run_in_executor": (1, "func"),
}
# methods of any outside class of these names: pools and executors, schedulers
_CALLING_METHODS: dict[tuple[str, str], tuple[int, str | None]] = {
    **{("Executor", m): (0, "fn") for m in ("submit", "map")},
    **{("Pool", m): (0, "func") for m in ("apply", "apply_async", "map", "map_async", "imap", "imap_unordered",
                                         "starmap", "starmap_async")},
    ("Scheduler", "add_job"): (0, "func"),
    ("Loop", "run_in_executor"): (1, "func"), ("Loop", "call_soon"): (0, "callback"),
    ("Loop", "call_later"): (1, "callback"),
}
# methods at the end of a chain of an outside library's calls: (library, method)
_CALLING_CHAINS: dict[tuple[str, str], tuple[int, str | None]] = {
    ("schedule", "do"): (0, "job_func"),  # ``schedule.every(10).minutes.do(sync)``
}


@functools.cache  # asked for every outside target the sites have: a few thousand names
def callback_argument(value: str) -> tuple[int, str | None] | None:
    """Where an outside callable takes the function it calls back (:data:`CALLING_OUTSIDE`;
    also ``submit``/``map`` of any ``...Executor``, the methods of any ``...Pool`` that run a
    function, a ``...Scheduler``'s ``add_job``, an event loop's ``run_in_executor``, the
    schedule library's ``every(...)....do``)."""
    found = CALLING_OUTSIDE.get(value)
    if found is not None:
        return found
    cls, _, method = value.rpartition(".")
    cls = cls.rpartition(".")[2].lower()  # ``asyncio.get_event_loop().run_in_executor`` too
    for suffix in ("Executor", "Pool", "Scheduler", "Loop"):
        if cls.endswith(suffix.lower()):
            return _CALLING_METHODS.get((suffix, method))
    return _CALLING_CHAINS.get((value[2:].partition(".")[0], method))


def handed_to_call(r: Resolver, site: Call, targets: frozenset[str]) -> frozenset[str]:
    """The project functions an outside callable among ``targets`` is handed to call back."""
    wheres = [callback_argument(v) for v in sorted(targets) if v.startswith("x:")]
    return _functions_in(r, site.scope, (argument(site, *w, past_stars=False) for w in wheres if w is not None))


def _iteration_entered(r: Resolver, site: Call) -> frozenset[str]:
    """What an iteration site enters: the ``__iter__`` methods of the project instances it
    iterates, and the ``__next__`` of the iterators they return (``return self``, or another
    object). Asked once the flows are complete: the site passes no argument, so no other
    value depends on it, and the rounds of the fixed point never ask it."""
    iters = r.iter_methods(r.eval(site.scope, site.callee.removesuffix(".__iter__")))
    if not iters:
        return _EMPTY
    out = {q for q in r.callees(frozenset(iters)) if r.kind(q) == "method"}
    for q in sorted(out):
        out |= r.callees(frozenset(r.attribute_all(r.returns(q), "__next__")))
    return frozenset(out)


def _evaluate_share(r: Resolver, sites: list[tuple[str, int, Call]], ks) -> _Share:
    """Ask the sites ``ks`` in order: their callees' values, and the flows their arguments add."""
    r.flow_log = []
    targets: list[frozenset[str]] = []
    settled: list[int] = []
    try:
        for k in ks:
            if sites[k][1] == ITERATION:  # see _iteration_entered
                targets.append(_EMPTY)
                settled.append(k)
                continue
            c = sites[k][2]
            r._flow_read = False
            t = r.eval(c.scope, c.callee) if c.callee else _EMPTY
            if not t and c.callee and (c.scope, c.callee) in r._memo_v:
                # asked first inside a cycle (``statement = statement.order_by(...)``, while the
                # value of ``statement`` was being computed), the callee kept the cycle's cut:
                # asked again now that nothing is in progress, it sees the whole value
                del r._memo_v[(c.scope, c.callee)]
                t = r.eval(c.scope, c.callee)
            targets.append(t)
            if t:
                r.add_flows(c.scope, c, t)
            if not r._flow_read:
                settled.append(k)
        flows = r.flow_log
    finally:
        r.flow_log = None
    return _Share(ks, targets, settled, flows, r._flow_changed, r.changed_funcs)


def _merge_share(r: Resolver, share: _Share, targets: list[frozenset[str]], settled: set[int]) -> None:
    """Take in a share's answers. From this process's own share (or a share run here because
    there was no room to fork) this only stores the values: its flows are already in. The
    partner's memo stays with it: it asks the same modules' sites in every round."""
    for k, t in zip(share.sites, share.targets):
        targets[k] = r.intern(t)
    settled.update(share.settled)
    for key, vals in share.flows:
        r.grow_flow(key, vals)
    r._flow_changed = r._flow_changed or share.flow_changed
    r.changed_funcs |= share.changed_funcs


def _assemble(modules: list[ModuleFacts], sites: list[tuple[str, int, Call]], ev: Evaluation) -> Resolution:
    """Edges (with the lines of the current facts), symbols and counts from an evaluation."""
    # -- edges ---------------------------------------------------------------------------
    rows: list[tuple[str, str, str, int, bool | None]] = []  # (source, target, kind, line, used) of each edge

    unresolved: Counter = Counter()
    call_targets: dict[str, tuple[tuple[Call, ...], list[frozenset[str]]]] = {
        m.module: (m.calls, []) for m in modules}
    implicit_calls: list[ResolvedCall] = []
    held = None
    # what a site's values say when it enters no project definition, asked once per distinct
    # set: the evaluation shares equal sets (a million sites hold a fifth as many)
    class_of: dict[frozenset[str], str] = {}
    internal = wrapper_calls = 0
    by_class: Counter = Counter()
    iterations = 0
    for (module, i, c), t, entered, wrapped in zip(sites, ev.targets, ev.entered, ev.wrapped):
        if i >= 0:  # a module's calls come first among its sites, in index order
            if held is None or held[0] != module:
                held = (module, call_targets[module][1])
            held[1].append(t)
        elif i == ITERATION:  # the project's iteration methods only: no builtin, never unresolved
            iterations += 1
            if entered:
                implicit_calls.append(ResolvedCall(c, module, i, frozenset(f"d:{q}" for q in entered)))
                rows.extend((lambda_owner(c.scope), q, CALL, c.line, True) for q in entered)
            continue
        else:
            implicit_calls.append(ResolvedCall(c, module, i, t))
        if entered:
            internal += 1
            scope, line, used = c.scope, c.line, c.result_used
            if LAMBDA in scope:
                scope = lambda_owner(scope)
            for q in entered:
                if q in wrapped:
                    wrapper_calls += 1
                    continue  # a wrapper calling the function it decorates is not coupling
                if LAMBDA in q and (q := lambda_owner(q)) == scope:
                    continue  # a lambda its own def holds and calls
                rows.append((scope, q, CALL, line, used))
            continue
        kind = class_of.get(t)
        if kind is None:
            kind = class_of[t] = _values_class(t)
        by_class[kind] += 1
        if kind == "unresolved":
            unresolved[c.callee or "<expression>"] += 1
    visited = min(len(sites), len(ev.targets), len(ev.entered), len(ev.wrapped)) - iterations
    stats = Counter(call_sites=visited, resolved_internal=internal, decorator_wrapper_calls=wrapper_calls,
                    **{f"resolved_{k}" if k != "unresolved" else k: n for k, n in by_class.items()})

    import_targets = iter(ev.imports)
    for m in modules:
        for imp in m.imports:
            target = next(import_targets)
            if target and target != m.module:
                rows.append((m.module, target, IMPORT, imp.line, None))
        for d in m.definitions:
            if d.kind == "class":
                for b in ev.bases.get(d.qualname, ()):
                    if b.startswith("d:"):
                        rows.append((d.qualname, b[2:], INHERIT, d.line, None))
    agg: dict[tuple[str, str, str], list] = {}  # (source, target, kind) -> [sites, lines, used, ignored]
    for source, target, kind, line, used in rows:
        key = (source, target, kind)
        e = agg.get(key)
        if e is None:
            e = agg[key] = [0, [], 0, 0]
        e[0] += 1
        if len(e[1]) < 50:
            e[1].append(line)
        if used is True:
            e[2] += 1
        elif used is False:
            e[3] += 1
    del rows

    edges = [
        edge(s, t, k, v[0], tuple(v[1]), v[2], v[3])
        for (s, t, k), v in sorted_items(agg.items())
    ]
    symbols = []
    for m in modules:
        for d in m.definitions:
            if d.name.startswith(LAMBDA):
                continue  # its code is the holding def's (``lambda_owner``)
            symbols.append(symbol(
                d.qualname, d.kind, m.module, d.name, d.line, d.end_line,
                _signature(d) if d.kind in ("function", "method") else None,
                tuple({"name": p.name, "annotation": p.annotation, "default": p.default, "kind": p.kind}
                      for p in d.params),
                d.returns, tuple(x.expr or "?" for x in d.decorators), d.docstring, d.is_async))
    total = stats["call_sites"] or 1
    summary = {
        "call_sites": stats["call_sites"],
        "resolved_internal": stats["resolved_internal"],
        "resolved_external": stats["resolved_external"],
        "resolved_builtin": stats["resolved_builtin"],
        "resolved_other": stats["resolved_other"],
        "unresolved": stats["unresolved"],
        "resolved_share": round(1 - stats["unresolved"] / total, 4),
        "decorator_wrapper_calls": stats["decorator_wrapper_calls"],
    }
    return Resolution(symbols=symbols, edges=edges, stats=summary, unresolved=unresolved,
                      implicit_calls=implicit_calls, call_targets=call_targets)


def _values_class(values: frozenset[str]) -> str:
    """How a call site that enters no project definition counts: ``external`` (every value
    outside the project), ``builtin``, ``other`` (a module, an instance without
    ``__call__``...) or ``unresolved`` (no value)."""
    if not values:
        return "unresolved"
    if all(v.startswith(("x:", "xi:")) for v in values):
        return "external"
    if all(v.startswith(("b:", "bi:")) for v in values):
        return "builtin"
    return "other"


def _decorated_targets(r: Resolver, c: Call, entered: set[str]) -> set[str]:
    """Targets a decorator's wrapper reaches through the parameter holding the decorated
    function (``def deco(fn): def wrapper(): return fn()``). The call graph keeps them; the
    dependency graph does not, or every decorated view would look coupled to its decorator."""
    if not c.callee or "." in c.callee or "(" in c.callee or "[" in c.callee:
        return set()
    q = c.scope
    while q in r.defs and r.defs[q].kind in ("function", "method"):
        if c.callee in r.params.get(q, {}):
            break
        q = q.rsplit(".", 1)[0]
    else:
        return set()
    if q == c.scope and c.scope not in r.defs:
        return set()
    decorated = set()
    for target in entered:
        d = r.defs.get(target)
        if d is not None and any(dec.expr and r.eval(target.rsplit(".", 1)[0], dec.expr) & {f"d:{q}", f"bd:{q}"}
                                 for dec in d.decorators):
            decorated.add(target)
    return decorated


def _in_scopes(scope: str, funcs: set[str]) -> bool:
    """Is ``scope`` one of ``funcs`` or nested inside one of them?"""
    q = scope
    while True:
        if q in funcs:
            return True
        if "." not in q:
            return False
        q = q.rsplit(".", 1)[0]


def _import_target(r: Resolver, imp: Import) -> str | None:
    """The project module an import statement depends on."""
    module = r.sibling(imp.scope, imp.module)
    if imp.name is None:
        return module if module in r.facts else _project_prefix(r, module)
    sub = f"{module}.{imp.name}"
    if sub in r.facts:
        return sub
    if module in r.facts:
        return module
    return None


def _project_prefix(r: Resolver, module: str) -> str | None:
    while "." in module:
        module = module.rsplit(".", 1)[0]
        if module in r.facts:
            return module
    return None
