"""Whole-program indexes the framework detectors share.

Every detector asks the same questions of the facts: which call is nested in which, which
call a chained call was made on, what literal a name stands for, which binding an object
expression comes from, which project symbol a dotted string names. They are answered here
once, with per-module indexes built lazily and memoized, so the framework stage stays
linear in the facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from analyzer.discover import settings_name
from analyzer.facts import (
    OPAQUE,
    REFERENCE,
    TEMPLATE,
    TEMPLATE_CLOSE,
    TEMPLATE_MARKS,
    TEMPLATE_OPEN,
    Arg,
    Binding,
    Call,
    Decorator,
    Definition,
    ModuleFacts,
    argument,
    argument_rows,
    fill_pattern,
    fill_template,
    format_fields,
    is_template,
)
from analyzer.resolve import Resolution, Resolver, receiver_links

_EMPTY: frozenset[str] = frozenset()
_NO_NAMES: dict = {}  # never written: the default of per-scope lookups
_MAX_LIST_DEPTH = 8  # lists spread into lists
_MAX_PATTERN_DEPTH = 4  # built strings made of built strings (``STATUS_PATH = rf"{USER_PATH}/..."``)


def tail(callee: str | None) -> str | None:
    """Last name of a callee: ``Order.objects.filter`` -> ``filter``; ``f()`` -> None."""
    if not callee or callee.endswith((")", "]")):
        return None
    return callee.rsplit(".", 1)[-1]


def receiver_expr(callee: str | None) -> str | None:
    """What a method is called on: ``a.b().c`` -> ``a.b()``; a plain name has none."""
    if not callee or "." not in callee or callee.endswith((")", "]")):
        return None
    return callee.rsplit(".", 1)[0]


def outside(value: str) -> str | None:
    """The dotted path of an outside value (``x:P`` or ``xi:P``), else None."""
    if value.startswith("x:"):
        return value[2:]
    if value.startswith("xi:"):
        return value[3:]
    return None


def matches(values: Iterable[str], roots: frozenset[str] | set[str], lasts: Iterable[str] | None = None,
            instances: bool | None = None) -> bool:
    """Does any outside value come from one of ``roots`` and end in one of ``lasts``?

    ``instances`` restricts to ``xi:`` (True) or ``x:`` (False) values.
    """
    wanted = None if lasts is None else set(lasts)
    for v in values:
        if instances is True and not v.startswith("xi:"):
            continue
        if instances is False and not v.startswith("x:"):
            continue
        path = outside(v)
        if path is None:
            continue
        root, _, _ = path.partition(".")
        if root in roots and (wanted is None or path.rsplit(".", 1)[-1] in wanted):
            return True
    return False


class Listed(NamedTuple):
    """One element of a list a registration is given: a call site (``call``, in ``module``) or
    a reference string read in ``scope``."""

    module: str
    scope: str
    expr: str
    call: int | None


@dataclass(frozen=True, slots=True)
class Site:
    """One call site addressed by module and index."""

    module: str
    index: int
    call: Call


class Program:
    """Facts, resolution and the indexes built over them."""

    def __init__(self, facts: Iterable[ModuleFacts], resolution: Resolution) -> None:
        self.resolution = resolution
        self.r: Resolver = resolution.resolver
        self.facts: dict[str, ModuleFacts] = {m.module: m for m in facts if m.error is None}
        self.modules: list[str] = sorted(self.facts)
        self._targets: dict[tuple[str, int], frozenset[str]] = {}  # sites the resolution did not evaluate
        # module -> what each call's callee evaluated to (the resolution's lists, by call index)
        self._site_targets = {module: held[1] for module, held in resolution.call_targets.items()}
        self._receivers: dict[str, list[int | None]] = {}
        self._parents: dict[str, list[int | None]] = {}
        self._const_memo: dict[tuple[str, str], object] = {}
        self._locate_memo: dict[tuple[str, str], str | None] = {}
        self._enclosing_memo: dict[tuple[str, str], tuple | None] = {}
        self._busy: set[tuple[str, str]] = set()
        self.imported_roots: frozenset[str] = self.r.imported_roots
        self._vendored: frozenset[str] | None = None  # packages below the project's top ones, by name
        self.top_packages: frozenset[str] = frozenset(name.split(".")[0] for name in self.facts)
        self._callees: dict[str, set[str]] | None = None
        self._settings: dict[str, list[Binding]] | None = None
        self._by_name: dict[str, list[tuple[str, int]]] | None = None
        self._aliases: dict[str, dict[str, str]] = {}
        self._decorated: list[tuple[str, Definition]] | None = None
        self._extended: frozenset[str] | None = None
        self._loop_calls: dict[str, dict[tuple[str, str], list[tuple[int, int]]]] = {}
        self._rows_memo: dict[str, list[tuple[str, tuple[Arg, ...]]]] = {}
        self._element_memo: dict[tuple[str, str], dict[tuple[str, int], int]] = {}
        self._extends: dict[tuple[str, frozenset[str]], bool] = {}

    # -- definitions -------------------------------------------------------------------
    @property
    def defs(self) -> dict[str, Definition]:
        return self.r.defs

    def decorated(self) -> list[tuple[str, Definition]]:
        """Every decorated class and function, by qualname, also one a later definition of the
        same name hides (``@router.get("/a") def handler`` then ``@router.post("/b") def
        handler``): each decorator still registered its route."""
        if self._decorated is None:
            self._decorated = sorted(((d.qualname, d) for m in self.modules for d in self.facts[m].definitions
                                      if d.decorators and d.kind != "module"), key=lambda qd: (qd[0], qd[1].line))
        return self._decorated

    def decorator_calls(self, names: Iterable[str]) -> list[tuple[str, Definition, Decorator]]:
        """``(qualname, definition, decorator)`` for every decorator called with arguments
        whose name ends in one of ``names`` (``@app.route("/p")``, ``@view_config(...)``), in
        the order of :meth:`decorated`: what the route detectors read as registering calls."""
        names = frozenset(names)
        return [(q, d, dec) for q, d in self.decorated() for dec in d.decorators
                if dec.args is not None and dec.expr and dec.expr.rsplit(".", 1)[-1] in names]

    def extended(self) -> frozenset[str]:
        """Project classes some project class extends: a framework base the project shares
        (an abstract view, a mutation base), not a concrete class of its own."""
        if self._extended is None:
            self._extended = frozenset(b[2:] for q, d in self.defs.items() if d.kind == "class"
                                       for b in self.r.bases(q) if b.startswith("d:"))
        return self._extended

    def module_of(self, qualname: str) -> str:
        return self.r.module_of(qualname)

    def kind(self, qualname: str) -> str | None:
        return self.r.kind(qualname)

    def parent_scope(self, qualname: str) -> str:
        return qualname.rsplit(".", 1)[0] if "." in qualname else qualname

    def uses(self, *roots: str) -> bool:
        """Does the project import anything from one of these top-level packages?"""
        return any(r in self.imported_roots for r in roots)

    def vendored(self, *roots: str) -> bool:
        """Does the project keep its own copy of one of these top-level packages, as a
        package below its own (kinto keeps Cornice as ``kinto.core.cornice``)?"""
        if self._vendored is None:
            self._vendored = frozenset(p for m in self.modules for p in m.split(".")[1:])
        return any(r in self._vendored for r in roots)

    def vendored_root(self, qualname: str, roots) -> str | None:
        """The one of ``roots`` that the package holding a project definition is a copy of."""
        for part in self.module_of(qualname).split(".")[1:]:
            if part in roots:
                return part
        return None

    def bindings(self, scope: str, name: str) -> list[Binding]:
        return self.r.scope_bindings.get(scope, {}).get(name, [])

    def extends(self, cls: str, paths: frozenset[str]) -> bool:
        """Is ``cls`` a project class below one of these outside classes (dotted paths,
        ``falcon.App``)? Memoized: detectors ask it of every value that may be an app."""
        key = (cls, paths)
        hit = self._extends.get(key)
        if hit is None:
            hit = self._extends[key] = self.kind(cls) == "class" and \
                any(outside(b) in paths for b in self.r.external_bases(cls))
        return hit

    def body_calls(self, cls: str) -> list[tuple[str, Binding]]:
        """``(name, binding)`` for every name the body of ``cls`` binds to a call (``title =
        CharField()``, ``author = relationship(...)``), by name: where models declare their
        fields. What methods store on ``self`` is left out."""
        return [(name, b) for name, bindings in sorted(self.r.scope_bindings.get(cls, _NO_NAMES).items())
                for b in bindings if b.call is not None and not b.origin]

    def class_bindings(self, cls: str, name: str) -> list[Binding]:
        """Bindings of ``name`` in the body of ``cls`` or the first class of its MRO having one."""
        for c in self.r.mro(cls):
            found = self.r.scope_bindings.get(c, {}).get(name)
            if found:
                return found
        return []

    def class_literal(self, cls: str, name: str, inherit: bool = True) -> object:
        bindings = self.class_bindings(cls, name) if inherit else self.bindings(cls, name)
        for b in bindings:
            if b.value is not None:
                return self._filled(cls, b.value) if is_template(b.value) else b.value
        return None

    def methods_in_mro(self, cls: str) -> dict[str, str]:
        """method name -> qualname of the first definition in the project MRO."""
        out: dict[str, str] = {}
        for c in self.r.mro(cls):
            for name, q in self.r.children.get(c, {}).items():
                if name not in out and self.kind(q) == "method":
                    out[name] = q
        return out

    def all_bases(self, cls: str) -> frozenset[str]:
        """Every value the bases of the classes in ``cls``'s MRO evaluate to, including
        instances of outside things (``Base = declarative_base()`` gives ``xi:...``) which
        the resolver's ``bases`` leaves out."""
        key = (cls, "<all-bases>")
        hit = self._const_memo.get(key)
        if hit is not None:
            return hit  # type: ignore[return-value]
        out: set[str] = set()
        for c in self.r.mro(cls):
            d = self.defs.get(c)
            if d is None:
                continue
            parent = self.parent_scope(c)
            for b in d.bases:
                if b:
                    out |= self.r.eval(parent, b)
        result = frozenset(out)
        self._const_memo[key] = result
        return result

    # -- call sites --------------------------------------------------------------------
    def call(self, module: str, index: int) -> Call:
        return self.facts[module].calls[index]

    def targets(self, module: str, index: int) -> frozenset[str]:
        """What the callee of a call site evaluates to (from the resolution)."""
        held = self._site_targets.get(module)
        if held is not None and 0 <= index < len(held):
            return held[index]
        t = self._targets.get((module, index))
        if t is None:
            c = self.facts[module].calls[index]
            t = self.r.eval(c.scope, c.callee) if c.callee else _EMPTY
            self._targets[(module, index)] = t
        return t

    def named(self, names: Iterable[str]) -> list[Site]:
        """Call sites whose callee's last name is one of ``names`` (``a.b.add(...)`` and
        ``add(...)`` for ``add``), in program order. One index serves every detector, so each
        looks only at the few sites it cares about."""
        if self._by_name is None:
            index: dict[str, list[tuple[str, int]]] = {}
            for module in self.modules:
                aliases = self.aliases(module)
                for i, c in enumerate(self.facts[module].calls):
                    callee = c.callee
                    if callee:  # keyed by ``tail(callee) or callee``, inlined: this sees every call
                        if callee.endswith((")", "]")):
                            key = callee
                        elif "." in callee:
                            key = callee.rpartition(".")[2]
                        else:  # a bare name: under the name it was imported as (``sa_delete``: ``delete``)
                            key = aliases.get(callee, callee)
                        index.setdefault(key, []).append((module, i))
            self._by_name = index
        found: list[tuple[str, int]] = []
        for name in set(names):
            found.extend(self._by_name.get(name, ()))
        found.sort()
        facts = self.facts
        return [Site(module, i, facts[module].calls[i]) for module, i in found]

    def aliases(self, module: str) -> dict[str, str]:
        """Names a module imports under another name (``from sqlalchemy import delete as
        sa_delete``: ``sa_delete -> delete``), so a detector looking for ``delete(...)`` finds
        ``sa_delete(...)`` too (:meth:`named`, :meth:`plain_name`)."""
        found = self._aliases.get(module)
        if found is None:
            found = self._aliases[module] = {imp.asname: imp.name for imp in self.facts[module].imports
                                             if imp.name and imp.asname and imp.asname != imp.name}
        return found

    def plain_name(self, module: str, callee: str) -> str:
        """A bare callee under the name it was imported as (``sa_delete`` -> ``delete``)."""
        return self.aliases(module).get(callee, callee)

    def receiver_site(self, module: str, index: int) -> int | None:
        """The call a chained call is made on: in ``a.f().g()`` the site of ``a.f()`` for
        the site of ``.g()``."""
        links = self._receivers.get(module)
        if links is None:
            links = self._receivers[module] = receiver_links(self.facts[module].calls)
        return links[index]

    def parent(self, module: str, index: int) -> int | None:
        """The call whose arguments (or receiver) contain this call, if any."""
        parents = self._parents.get(module)
        if parents is None:
            parents = self._parents[module] = self._link_parents(self.facts[module].calls)
        return parents[index]

    @staticmethod
    def _link_parents(calls: tuple[Call, ...]) -> list[int | None]:
        out: list[int | None] = [None] * len(calls)
        for k, c in enumerate(calls):
            if c.first is None:
                continue
            i = k - 1
            while i >= c.first:
                out[i] = k
                f = calls[i].first
                if f is None or f > i:
                    break
                i = f - 1
        return out

    def children(self, module: str, index: int) -> list[int]:
        """Calls directly nested in this call (receiver chain and arguments), in order."""
        calls = self.facts[module].calls
        first = calls[index].first
        if first is None:
            return []
        out = []
        i = index - 1
        while i >= first:
            out.append(i)
            f = calls[i].first
            if f is None or f > i:
                break
            i = f - 1
        out.reverse()
        return out

    def callees(self) -> dict[str, set[str]]:
        """scope -> project definitions it calls (the resolved call graph)."""
        if self._callees is None:
            out: dict[str, set[str]] = {}
            for e in self.resolution.edges:
                if e.kind == "call":
                    out.setdefault(e.source, set()).add(e.target)
            self._callees = out
        return self._callees

    def entered(self, module: str, index: int) -> set[str]:
        """Project definitions entered by one call site."""
        return self.r.callees(self.targets(module, index))

    # -- arguments ---------------------------------------------------------------------
    @staticmethod
    def arg(call: Call, position: int | None, keyword: str | None = None) -> Arg | None:
        """The argument passed at ``position`` (counting positional ones) or as ``keyword``."""
        return argument(call, position, keyword)

    @staticmethod
    def positional(call: Call) -> list[Arg]:
        return [a for a in call.args if a.keyword is None and not a.star]

    def literal(self, module: str, scope: str, arg: Arg | None) -> object:
        """The literal an argument stands for: written in place, a named constant, or the
        literal argument of a wrapping call (``_("orders/")``, ``text("SELECT ...")``)."""
        if arg is None:
            return None
        if arg.value is not None:
            return self._filled(scope, arg.value) if is_template(arg.value) else arg.value
        if arg.call is not None:
            inner = self.call(module, arg.call)
            wrapper = tail(inner.callee) or inner.callee
            if wrapper in LITERAL_WRAPPERS and inner.args:
                return self.literal(module, scope, inner.args[0])
            return None
        if arg.expr:
            return self.constant(scope, arg.expr)
        return None

    def literal_str(self, module: str, scope: str, arg: Arg | None) -> str | None:
        v = self.literal(module, scope, arg)
        return v if isinstance(v, str) else None

    def literal_pattern(self, module: str, scope: str, arg: Arg | None) -> str | None:
        """The string an argument is built as, for when :meth:`literal_str` cannot know it:
        its written parts, and each part known only at run time as ``${expr}``
        (``f"^{get_system_setting('url_prefix')}api/"`` -> ``^${get_system_setting()}api/``).
        A name is followed to the template it is bound to (``STATUS_PATH = rf"{USER_PATH}/..."``).
        None when the argument is not built from a written string."""
        if arg is None:
            return None
        if arg.value is not None:
            return self._pattern(scope, arg.value, 0) if is_template(arg.value) else None
        if arg.call is not None:
            inner = self.call(module, arg.call)
            if (tail(inner.callee) or inner.callee) in LITERAL_WRAPPERS and inner.args:
                return self.literal_pattern(module, scope, inner.args[0])
            return None
        bound = self._bound_template(scope, arg.expr) if arg.expr else None
        return self._pattern(*bound, 1) if bound is not None else None

    def _pattern(self, scope: str, template: str, depth: int) -> str:
        def text_of(ref: str) -> str | None:
            value = self.constant(scope, ref)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return str(value)
            bound = self._bound_template(scope, ref) if depth < _MAX_PATTERN_DEPTH else None
            return self._pattern(*bound, depth + 1) if bound is not None else None

        return fill_pattern(template, text_of)

    def _bound_template(self, scope: str, name: str) -> tuple[str, str] | None:
        """``(scope, template)`` of the one binding of a plain name to a built string."""
        if not name.isidentifier():
            return None
        found = self._name_site(scope, name)
        if found is None or len(found[1]) != 1:
            return None
        b = found[1][0]
        template = b.value if is_template(b.value) else \
            self._formatted(found[0], b) if b.call is not None and b.value is None else None
        return (found[0], template) if template is not None else None

    def _formatted(self, where: str, b: Binding) -> str | None:
        """A name bound to ``str.format`` called on a string constant (``BLOB_ROUTE =
        BASE_ROUTE.format(DIGEST_PATTERN)``) as a template: the constant's text, each
        replacement field the reference its argument passes (a literal in place kept). The
        parser reads the same call on a string written in place; this is the one on a name."""
        c = self.call(self.module_of(b.origin or where), b.call)
        callee = c.callee or ""
        if not callee.endswith(".format") or not REFERENCE.match(callee[: -len(".format")]):
            return None
        text = self.constant(where, callee[: -len(".format")])
        if not isinstance(text, str) or any(m in text for m in TEMPLATE_MARKS):
            return None
        positional = [a for a in c.args if a.keyword is None]
        named = {a.keyword: a for a in c.args if a.keyword is not None}
        if any(a.star for a in c.args):
            return None
        fields = format_fields(text, positional, named)
        if fields is None:
            return None
        out = [TEMPLATE]
        for chunk, a, plain in fields:
            out.append(chunk)
            if a is None:
                continue
            if plain and isinstance(a.value, str) and not any(m in a.value for m in TEMPLATE_MARKS[1:]):
                out.append(a.value.removeprefix(TEMPLATE))
            elif plain and isinstance(a.value, int) and not isinstance(a.value, bool):
                out.append(str(a.value))
            elif plain and a.expr and a.call is None and REFERENCE.match(a.expr):
                out.append(f"{TEMPLATE_OPEN}{a.expr}{TEMPLATE_CLOSE}")
            else:
                ref = a.expr if a.expr and not any(m in a.expr for m in TEMPLATE_MARKS) else "..."
                out.append(f"{TEMPLATE_OPEN}{OPAQUE}{ref}{TEMPLATE_CLOSE}")
        return "".join(out)

    # -- constants ---------------------------------------------------------------------
    def constant(self, scope: str, expr: str) -> object:
        """The literal a name or attribute chain is bound to (``QUERY``, ``Config.SQL``,
        ``settings.ROOT_URLCONF``); None when unknown or bound to several values."""
        if not expr or "(" in expr or "[" in expr:
            return None
        key = (scope, expr)
        if key in self._const_memo:
            return self._const_memo[key]
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            value = self._constant(scope, expr)
        finally:
            self._busy.discard(key)
        self._const_memo[key] = value
        return value

    def _constant(self, scope: str, expr: str) -> object:
        if "." not in expr:
            found = self._name_site(scope, expr)
            if found is None:
                return None
            where, bindings, imports = found
            if len(bindings) == 1 and bindings[0].call is not None and bindings[0].value is None:
                wrapped = self._wrapped(where, bindings[0])  # ``q = text("SELECT ...")``
                if wrapped is None:
                    template = self._formatted(where, bindings[0])  # ``ROUTE = BASE.format(PATTERN)``
                    return self._filled(where, template) if template is not None else None
                return wrapped
            if bindings:
                values = {self._filled(where, b.value) if is_template(b.value) else b.value for b in bindings}
                return _single(values if None not in values else set())
            for imp in imports:
                if imp.name is not None and imp.name != "*" and imp.module in self.facts:
                    return self.constant(imp.module, imp.name)
            return None
        head, _, name = expr.rpartition(".")
        values = self.r.eval(scope, head)
        out = set()
        for v in values:
            if v.startswith("m:"):
                out.add(self.constant(v[2:], name))
            elif v.startswith(("d:", "i:")) and self.kind(v[2:]) == "class":
                # a class's attribute, or an instance's default (``settings.API_PREFIX`` of
                # ``settings = Settings()``, pydantic's settings classes)
                out.add(self.class_literal(v[2:], name))
            elif v.startswith("x:") and v[2:] in _SETTINGS_OBJECTS:
                out.add(self.setting(name))
        out.discard(None)
        return _single(out)

    def _filled(self, scope: str, template: str) -> str | None:
        """An f-string of names (``rf"{USER_PATH}/inbox/?$"``) filled with their constants."""
        return fill_template(template, lambda ref: self.constant(scope, ref))

    def _wrapped(self, where: str, b: Binding) -> object:
        """The literal a binding made by a call wraps: ``text("SELECT ...")``, also under
        the calls chained on it (``text("...").execution_options(stream=True)``)."""
        module = self.module_of(b.origin or where)
        index: int | None = b.call
        while index is not None:
            inner = self.call(module, index)
            if (tail(inner.callee) or inner.callee) in LITERAL_WRAPPERS and inner.args:
                return self.literal(module, inner.scope, inner.args[0])
            index = self.receiver_site(module, index)
        return None

    def literal_texts(self, module: str, scope: str, arg: Arg | None) -> list[str]:
        """Every string an argument may be: its literal, or each binding's of the name it
        passes (``sql = text("...")`` on one branch, another on the other). Empty when any
        of them is unknown."""
        text = self.literal_str(module, scope, arg)
        if text is not None:
            return [text]
        if arg is None or not arg.expr or not arg.expr.isidentifier():
            return []
        found = self._name_site(scope, arg.expr)
        if found is None or not found[1]:
            return []
        where, bindings, _ = found
        out = []
        for b in bindings:
            value = b.value if b.value is not None else self._wrapped(where, b) if b.call is not None else None
            if is_template(value):
                value = self._filled(where, value)  # ``f"SELECT ... FROM {TABLE}"``
            if not isinstance(value, str):
                return []
            out.append(value)
        return list(dict.fromkeys(out))

    def _name_site(self, scope: str, name: str):
        """(scope, bindings, imports) of the innermost scope that binds ``name``."""
        d = self.r.defs.get(scope)
        kind = d.kind if d else ("module" if scope in self.facts else None)
        if kind is None:
            return None
        found = self._bound_in(scope, name)
        if found is not None or kind == "module":
            return found
        return self._enclosing_site(self.parent_scope(scope), name)

    def _enclosing_site(self, scope: str, name: str):
        """:meth:`_name_site` as seen from a scope nested in ``scope`` (class bodies do not
        enclose). Memoized: every function of a module asks for the same module-level names."""
        key = (scope, name)
        memo = self._enclosing_memo
        if key in memo:
            return memo[key]
        r = self.r
        found = None
        q: str | None = scope
        while q is not None:
            d = r.defs.get(q)
            kind = d.kind if d else ("module" if q in self.facts else None)
            if kind is None:
                break
            if kind != "class":
                found = self._bound_in(q, name)
                if found is not None or kind == "module":
                    break
            q = self.parent_scope(q)
        memo[key] = found
        return found

    def _bound_in(self, q: str, name: str):
        """(q, bindings, imports) when scope ``q`` itself binds ``name``, else None."""
        r = self.r
        bindings = r.scope_bindings.get(q, _NO_NAMES).get(name, [])
        imports = r.scope_imports.get(q, _NO_NAMES).get(name, [])
        if bindings or imports or name in r.params.get(q, _NO_NAMES) or name in r.children.get(q, _NO_NAMES):
            return q, bindings, imports
        return None

    def setting(self, name: str) -> object:
        """A Django-style setting: a module-level literal ``NAME`` in a settings module."""
        if self._settings is None:
            found: dict[str, list[Binding]] = {}
            for module in self.modules:
                if not is_settings_module(module):
                    continue
                for b in self.facts[module].bindings:
                    if b.scope == module and b.name.isupper() and b.value is not None:
                        found.setdefault(b.name, []).append(b)
            self._settings = found
        values = {self._filled(b.scope, b.value) if is_template(b.value) else b.value
                  for b in self._settings.get(name, ())}
        return _single(values if None not in values else set())

    def setting_values(self, name: str) -> list[tuple[str, Binding]]:
        """Every literal binding of a setting, with its module (several settings modules)."""
        self.setting(name)
        assert self._settings is not None
        return sorted(((self.module_of(b.scope), b) for b in self._settings.get(name, ())),
                      key=lambda mb: (mb[0], mb[1].line))

    # -- where an object comes from ----------------------------------------------------
    def locate(self, scope: str, expr: str | None) -> str | None:
        """The binding an object expression names, as ``scope:name``.

        ``bp`` imported from ``shop.catalog.views`` and ``views.bp`` both give
        ``shop.catalog.views:bp``, so a blueprint or a router is one object wherever it is used.
        """
        if not expr or "(" in expr or "[" in expr:
            return None
        key = (scope, expr)
        if key in self._locate_memo:
            return self._locate_memo[key]
        if key in self._busy:
            return None
        self._busy.add(key)
        try:
            found = self._locate(scope, expr)
        finally:
            self._busy.discard(key)
        self._locate_memo[key] = found
        return found

    def rows(self, scope: str, name: str) -> list[tuple[str, tuple[Arg, ...]]]:
        """The rows of the list of tuples ``name`` stands for in ``scope`` (written there or
        imported: ``ROUTES = [(Resource, "/a"), ...]``), each with the scope it is written in
        and its items as arguments, in order. Empty when ``name`` is no such list."""
        key = self.locate(scope, name)
        if key is None:
            return []
        hit = self._rows_memo.get(key)
        if hit is None:
            where, _, listed = key.partition(":")
            hit = self._rows_memo[key] = self._rows_in(where, listed)
        return hit

    def argument_rows(self, module: str, index: int, arg: Arg) -> list[tuple[str, tuple[Arg, ...]]]:
        """The rows of the list of tuples written as an argument of call ``index``
        (``Application([(r"/", MainHandler), ...])``), like :meth:`rows`."""
        c = self.call(module, index)
        for position, a in enumerate(c.args):
            if a is arg:
                return self._rows_in(c.scope, argument_rows(index, position))
        return []

    def _rows_in(self, where: str, listed: str) -> list[tuple[str, tuple[Arg, ...]]]:
        prefix = listed + "["
        found: dict[int, dict[int, Arg]] = {}
        for n, bindings in self.r.scope_bindings.get(where, _NO_NAMES).items():
            if n.startswith(prefix) and n.endswith("]"):
                k, _, i = n[len(prefix):-1].partition("][")
                if k.isdigit() and i.isdigit():
                    b = bindings[-1]
                    found.setdefault(int(k), {})[int(i)] = Arg(None, b.expr, b.value)
        return [(where, tuple(items[i] for i in sorted(items))) for _, items in sorted(found.items())]

    def elements(self, scope: str, name: str) -> list[tuple[str, Arg]]:
        """The elements of the list or tuple ``name`` stands for in ``scope`` (written there or
        imported), each with the scope it is written in, as arguments."""
        key = self.locate(scope, name)
        if key is None:
            return []
        where, _, listed = key.partition(":")
        return [(where, Arg(None, b.expr, b.value)) for b in self.bindings(where, listed + "[]")
                if b.expr and not b.expr.endswith("[]")]

    def listed(self, module: str, scope: str, arg: Arg | None, owner: int | None = None,
               depth: int = 0) -> list[Listed]:
        """The elements of a list a registration is given (``routes=[Route(...), home]``,
        ``route_handlers=handlers``): written in place in the call ``owner`` (its calls are the
        owner's nested calls), a name bound to a list (written there or imported, with the
        lists it spreads, ``[*api_routes, ...]``), or the list a project function returns
        (``routes=get_routes()``). Empty for anything else."""
        if arg is None or depth > _MAX_LIST_DEPTH:
            return []
        items = getattr(arg, "items", None)
        if items is not None:
            given = {a.call for a in self.call(module, owner).args} if owner is not None else set()
            nested = [i for i in self.children(module, owner) if i not in given] if owner is not None else []
            out: list[Listed] = []
            at = 0
            for e in items:
                if e is None:
                    continue
                if e.endswith("()"):
                    found = next((k for k in range(at, len(nested))
                                  if f"{self.call(module, nested[k]).callee}()" == e), None)
                    if found is not None:
                        at = found + 1
                    out.append(Listed(module, scope, e, nested[found] if found is not None else None))
                elif e.endswith("[]") and "(" not in e:
                    out.extend(self.listed(module, scope, Arg(None, e[:-2]), None, depth + 1))
                else:
                    out.append(Listed(module, scope, e, None))
            return out
        if arg.call is not None:
            return [x for v in sorted(self.targets(module, arg.call))
                    if v.startswith("d:") and self.kind(v[2:]) == "function"
                    for x in self._bound_list(v[2:], "<return>", depth + 1)]
        key = self.locate(scope, arg.expr)
        if key is None:
            return []
        where, _, name = key.partition(":")
        return self._bound_list(where, name, depth + 1)

    def _bound_list(self, where: str, name: str, depth: int) -> list[Listed]:
        """The elements of the list bound to ``name`` in scope ``where``."""
        module = self.module_of(where) if where not in self.facts else where
        if module not in self.facts:
            return []
        calls = self._element_calls(module, where)
        out: list[Listed] = []
        for k, b in enumerate(self.bindings(where, name + "[]")):
            e = b.expr
            read = b.origin or where
            if e is None:
                continue
            if e.endswith("()"):
                out.append(Listed(module, read, e, calls.get((name, k))))
            elif e.endswith("[]") and "(" not in e:
                out.extend(self.listed(module, read, Arg(None, e[:-2]), None, depth + 1))
            else:
                out.append(Listed(module, read, e, None))
        return out

    def _element_calls(self, module: str, where: str) -> dict[tuple[str, int], int]:
        """(list name, element number) -> the call site an element of a list bound in scope
        ``where`` is: the scope's calls nested in no other call, bound to no name, matched in
        source order with the elements written as calls (``routes = [Route(...), Mount(...)]``)."""
        key = (module, where)
        hit = self._element_memo.get(key)
        if hit is not None:
            return hit
        facts = self.facts[module]
        bound = {b.call for b in facts.bindings if b.call is not None}
        free = [i for i, c in enumerate(facts.calls) if c.scope == where and c.result_used and c.callee
                and i not in bound and self.parent(module, i) is None]
        out: dict[tuple[str, int], int] = {}
        seen: dict[str, int] = {}
        at = 0
        for b in facts.bindings:
            if b.scope != where or not b.name.endswith("[]"):
                continue
            k = seen[b.name] = seen.get(b.name, -1) + 1
            if not b.expr or not b.expr.endswith("()") or b.origin is not None:
                continue
            found = next((j for j in range(at, len(free)) if facts.calls[free[j]].line >= b.line
                          and f"{facts.calls[free[j]].callee}()" == b.expr), None)
            if found is not None:
                out[(b.name[:-2], k)] = free[found]
                at = found + 1
        self._element_memo[key] = out
        return out

    def _locate(self, scope: str, expr: str) -> str | None:
        if "." not in expr:
            site = self._name_site(scope, expr)
            if site is None:
                return None
            where, bindings, imports = site
            if bindings:
                simple = [b for b in bindings if b.expr and "(" not in b.expr and "[" not in b.expr
                          and b.call is None and b.value is None]
                if simple and len(simple) == len(bindings):  # ``app = current_app`` style alias
                    alias = self.locate(simple[0].origin or where, simple[0].expr)
                    if alias is not None:
                        return alias
                return f"{where}:{expr}"
            for imp in imports:
                if imp.name is not None and imp.name != "*":
                    if imp.module in self.facts:
                        return self.locate(imp.module, imp.name)
                    return None
                if imp.name is None:
                    return None
            return None
        head, _, name = expr.rpartition(".")
        for v in sorted(self.r.eval(scope, head)):
            if v.startswith("m:"):
                return self.locate(v[2:], name)
            if v.startswith("d:") and self.kind(v[2:]) == "class":
                for c in self.r.mro(v[2:]):
                    if self.bindings(c, name):
                        return f"{c}:{name}"
            if v.startswith("i:"):
                for c in self.r.mro(v[2:]):
                    if self.bindings(c, name):
                        return f"{c}:{name}"
        return None

    def element_site(self, scope: str, b: Binding) -> tuple[str, int] | None:
        """The call whose elements a ``for`` binding takes (``for r in q.all():`` binds ``r``
        to ``q.all()[]``, without the call's index): the first call of that callee in the
        scope from the binding's line on."""
        if not b.expr or not b.expr.endswith("()[]"):
            return None
        module = self.module_of(scope)
        index = self._loop_calls.get(module)
        if index is None:
            index = self._loop_calls[module] = {}
            for i, c in enumerate(self.facts[module].calls):
                if c.callee:
                    index.setdefault((c.scope, c.callee), []).append((c.line, i))
        for line, i in index.get((scope, b.expr[:-4]), ()):
            if line >= b.line:
                return module, i
        return None

    def binding_call(self, key: str) -> tuple[str, int] | None:
        """(module, call index) of the call a located binding was made from, if one."""
        scope, _, name = key.rpartition(":")
        for b in self.bindings(scope, name):
            if b.call is not None:
                return self.module_of(b.origin or scope), b.call
        return None

    # -- dotted strings ----------------------------------------------------------------
    def resolve_dotted(self, path: str) -> str | None:
        """The project module or symbol a dotted string names (``pkg.mod.Class``,
        ``pkg.mod:attr``), following re-exports; None when it names nothing in the project."""
        path = path.strip()
        if not path:
            return None
        if ":" in path:
            mod, _, attr = path.partition(":")
            path = f"{mod}.{attr}" if attr else mod
        parts = path.split(".")
        if any(not p.isidentifier() for p in parts):
            return None
        for k in range(len(parts), 0, -1):
            mod = ".".join(parts[:k])
            if mod in self.facts:
                return self._walk(mod, parts[k:])
        return None

    def _walk(self, module: str, rest: list[str]) -> str | None:
        cur = module
        cur_is_module = True
        for name in rest:
            q = f"{cur}.{name}"
            if cur_is_module:
                if q in self.facts:
                    cur = q
                    continue
                if q in self.defs:
                    cur, cur_is_module = q, False
                    continue
                values = self.r.member(cur, name)
                nxt = sorted(v for v in values if v.startswith(("d:", "m:")))
                if not nxt:
                    # a module-level variable: the module is the closest symbol
                    return cur if self.bindings(cur, name) else None
                v = nxt[0]
                cur, cur_is_module = v[2:], v.startswith("m:")
                continue
            if q in self.defs:
                cur = q
                continue
            return cur if self.bindings(cur, name) else None
        return cur


LITERAL_WRAPPERS = frozenset({
    "_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "pgettext_lazy", "lazy_gettext",
    "text", "literal_column", "SQL", "RawSQL", "str", "dedent",
})  # functions whose first argument is the string (``x.strip("/")`` strips it off: not one)
_SETTINGS_OBJECTS = frozenset({"django.conf.settings"})


def is_settings_module(module: str) -> bool:
    return settings_name(module.split("."))


def _single(values: set) -> object:
    if len(values) == 1:
        return next(iter(values))
    return None
