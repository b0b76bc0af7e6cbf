"""The analyzed program as extraction sees it: placements, names across modules, reach.

The analysis document says where every unit goes and which function calls, reads and writes
what; the sources (read again here, parsed once each) say which name a module binds to which
definition. Together they answer the questions extraction asks about a name a service's code
uses: what it really is (following re-exports and star imports), who owns it, whether it
touches the database or per-request state, and what it writes, transitively.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import libcst as cst

from analyzer.analysis import Analysis
from analyzer.cluster.ownership import model_classes
from analyzer.errors import AnalysisFileError, PlanError
from analyzer.extract.inventory import ModuleInventory, Parsed, parse
from analyzer.extract.source import Sources
from analyzer.interfaces import service_of
from analyzer.model import CALL, INHERIT, READ, SHARED, WRITE, Entity

# names that hold the state of the request being served: a function that reads them must run
# in the process that serves that request
REQUEST_LOCALS = frozenset({
    "flask.g", "flask.request", "flask.session", "flask.globals.g", "flask.globals.request",
    "flask.globals.session", "quart.g", "quart.request", "quart.session",
})
# Flask's context locals, which need an application context as soon as they are used (Quart's
# take an ``async with``, which an import cannot enter)
APP_LOCALS = frozenset({"flask.current_app", "flask.globals.current_app"}
                       | {name for name in REQUEST_LOCALS if name.startswith("flask.")})
_MAX_HOPS = 16
_COMMAND_LINE = frozenset({"parse_args", "parse_known_args"})  # argparse reading sys.argv
_EXITS = frozenset({"exit", "quit", "print"})  # builtins a script calls at its top level


@dataclass(frozen=True, slots=True)
class Target:
    """What a name stands for: a monolith module, a unit (class or function) or a module-level
    variable of one, something outside the monolith, or nothing found."""

    kind: str  # module | unit | var | external | missing
    module: str
    name: str | None = None

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


class Program:
    def __init__(self, doc: Analysis) -> None:
        d = doc.decomposition
        if d is None or not d.services:
            raise PlanError("the analysis has no decomposition with services: nothing to extract")
        self.doc = doc
        self.sources = Sources(doc)
        self.modules = {m.name: m for m in doc.modules if m.error is None}
        self.packages = {".".join(m.split(".")[:i]) for m in self.modules for i in range(1, m.count(".") + 1)}
        self.index = doc.symbol_index()
        self._references: dict[str, list[dict]] | None = None  # by module: references_of
        self.placement = service_of(doc, d)
        self.entities: dict[str, Entity] = {e.id: e for e in doc.entities}
        owner = d.owner()
        self.entity_owner: dict[str, str] = {}
        self.models: dict[str, Entity] = {}  # model class qualname -> entity
        self.moved_models: list[tuple[str, str, str]] = []  # (model, decomposition's service, owner)
        self.bases: dict[str, list[str]] = defaultdict(list)
        self.calls: dict[str, set[str]] = defaultdict(set)
        self.touch: dict[str, set[str]] = defaultdict(set)  # symbol -> entities read or written
        self.writes: dict[str, set[str]] = defaultdict(set)
        self._call_lines: dict[tuple[str, str], tuple[int, ...]] = {}
        self._callbacks: dict[tuple[str, str], bool] = {}
        self._on_import: frozenset[str] | None = None  # see called_on_import
        self._lines: dict[str, list[str]] = {}
        for e in doc.edges:
            if e.kind == CALL:
                self.calls[e.source].add(e.target)
                self._call_lines[(e.source, e.target)] = e.lines
            elif e.kind in (READ, WRITE):
                self.touch[e.source].add(e.target)
                if e.kind == WRITE:
                    self.writes[e.source].add(e.target)
            elif e.kind == INHERIT:
                self.bases[e.source].append(e.target)
        for e in sorted(doc.entities, key=lambda e: e.id):
            self.entity_owner[e.id] = owner.get(e.id) or (self.placement.get(e.model) if e.model else None) or SHARED
            if e.model:
                self.models[e.model] = e
        self.table_owner = {e.table: self.entity_owner[e.id] for e in doc.entities if e.table}
        inherits = [(cls, base) for cls, bases in self.bases.items() for base in bases]
        for cls, eid in sorted(model_classes(doc.entities, inherits).items()):
            # a model lives with its entity's owner (clustering put it there; an edited plan may
            # not have): a proxy model or a single-table subclass is its base's rows, the same
            # entity here (CTFd's ``Fails(Submissions)``); copied elsewhere as a plain class, it
            # derived from a stub and failed on import
            self.models[cls] = self.entities[eid]
            self._move_with_owner(cls, self.entity_owner[eid])
        self.members: dict[str, list[str]] = defaultdict(list)  # unit -> nested symbols
        for s in sorted(self.index):
            head, _, _ = s.rpartition(".")
            while head and head not in self.modules:
                self.members[head].append(s)
                head = head.rpartition(".")[0]
        self._parsed: dict[str, Parsed] = {}
        self._reach: dict[str, frozenset[str]] = {}
        self._own_reach: dict[str, frozenset[str]] = {}
        self._request: dict[str, bool] = {}

    def _move_with_owner(self, cls: str, owner: str) -> None:
        placed = self.placement.get(cls)
        if owner != SHARED and placed != owner:
            self.moved_models.append((cls, placed or SHARED, owner))
            self.placement[cls] = owner

    # -- sources ---------------------------------------------------------------------------------
    def parsed(self, module: str) -> Parsed:
        if module not in self._parsed:
            import libcst

            info = self.modules[module]
            try:
                self._parsed[module] = parse(module, info.is_package, self.sources.text(module), self.is_monolith)
            except libcst.ParserSyntaxError as exc:
                raise AnalysisFileError(f"{info.path}: libcst cannot parse it ({str(exc).splitlines()[0]})") from None
        return self._parsed[module]

    def inventory(self, module: str) -> ModuleInventory:
        return self.parsed(module).inventory

    # -- placement -------------------------------------------------------------------------------
    def top(self, module: str) -> str:
        """Where a module's top-level code goes (a namespace package goes with nobody: shared)."""
        return self.placement.get(module, SHARED)

    def place(self, module: str, name: str) -> str:
        return self.placement.get(f"{module}.{name}", self.top(module))

    def is_module(self, name: str) -> bool:
        return name in self.modules

    def is_monolith(self, dotted: str) -> bool:
        return dotted in self.modules or dotted in self.packages

    def reference_module(self, ref: dict) -> str:
        """The module a reference of the analysis (a string naming code) is made in."""
        source = str(ref.get("source") or "")
        sym = self.index.get(source)
        return sym.module if sym is not None else source

    def references_of(self, module: str) -> list[dict]:
        """The references of the analysis made in ``module``."""
        if self._references is None:
            self._references = defaultdict(list)
            for ref in self.doc.references:
                self._references[self.reference_module(ref)].append(ref)
        return self._references.get(module, [])

    def entity_of_model(self, qualname: str) -> Entity | None:
        return self.models.get(qualname)

    # -- names -------------------------------------------------------------------------------------
    def resolve(self, module: str, name: str) -> Target:
        """What ``name`` at the top level of ``module`` stands for (re-exports followed)."""
        return self.chain(module, name)[-1][1]

    def chain(self, module: str, name: str) -> list[tuple[tuple[str, str], Target]]:
        """The hops ``(module, name)`` a name goes through to its definition, each with the
        final target; the first hop is the one asked about."""
        hops: list[tuple[str, str]] = []
        target = self._follow(module, name, hops)
        return [(h, target) for h in hops] or [((module, name), target)]

    def _follow(self, module: str, name: str, hops: list[tuple[str, str]]) -> Target:
        if len(hops) > _MAX_HOPS or (module, name) in hops:
            return Target("missing", module, name)
        hops.append((module, name))
        if module not in self.modules:
            sub = f"{module}.{name}"
            if self.is_monolith(sub):
                return Target("module", sub)
            return Target("external", sub) if not self.is_monolith(module) else Target("missing", module, name)
        inv = self.inventory(module)
        binders = inv.binders(name)
        if not binders:
            sub = f"{module}.{name}"
            if self.is_monolith(sub):
                return Target("module", sub)
            for star in inv.stars:
                if self.is_module(star) and (star, name) not in hops and self._star_exports(star, name):
                    found = self._follow(star, name, hops)
                    if found.kind != "missing":
                        return found
                    del hops[hops.index((star, name)):]
            return Target("missing", module, name)
        st = binders[-1]
        if st.kind in ("def", "class"):
            return Target("unit", module, name)
        imp = next((b for b in reversed(st.imports) if b.name == name), None)
        if imp is None:
            return Target("var", module, name)
        return self.import_target(imp.module, imp.attr, hops)

    def broken_import(self, module: str) -> str | None:
        """A top-level ``from x import name`` of ``module`` that names nothing ``x`` defines,
        re-exports or holds as a submodule, so that the monolith's own module fails on import
        (Dispatch's test plugin imports a ``DocumentResolverPlugin`` its ``plugins.bases`` does not
        define): what it imports, or ``None``. Where a name may come from outside the
        project's sight (a star import of a library, a module ``__getattr__``), none is."""
        if module not in self.modules:
            return None
        for st in self.inventory(module).statements:
            if st.kind != "import" or st.type_checking:
                continue
            for b in st.imports:
                if b.attr is None or b.type_checking or not self.is_module(b.module):
                    continue
                t = self.import_target(b.module, b.attr)
                if t.kind != "missing" or t.module not in self.modules or "." not in t.module:
                    continue  # a top-level module may be shadowed by a library of the same name
                inv = self.inventory(t.module)
                if inv.binders("__getattr__") or any(not self.is_module(star) for star in inv.stars) \
                        or self._file_beside(t.module, t.name or ""):
                    continue
                return f"`from {b.module} import {b.attr}`: `{t.module}` defines no `{t.name}`"
        return None

    def _file_beside(self, package: str, name: str) -> bool:
        """Whether the package's folder holds a module or folder ``name`` the analysis left
        out (a test module, migrations, a file that did not parse): the monolith imports it."""
        info = self.modules[package]
        if not info.is_package:
            return False
        folder = (Path(self.doc.root) / info.path).parent
        return (folder / f"{name}.py").exists() or (folder / name).is_dir()

    def _star_exports(self, module: str, name: str) -> bool:
        """Whether ``from module import *`` can bind ``name`` when it runs: listed in its
        ``__all__``, else public, and not bound only for type checkers (mealie's
        ``users/__init__.py`` star-imports ``password_reset``, whose ``User`` is imported under
        ``if TYPE_CHECKING:``; the real one comes from the next star import, ``users``)."""
        inv = self.inventory(module)
        if inv.all_names is not None:
            return name in inv.all_names
        if name.startswith("_"):
            return False
        binders = inv.binders(name)
        return not binders or not all(b.type_checking for b in binders)

    def import_target(self, module: str, attr: str | None, hops: list[tuple[str, str]] | None = None) -> Target:
        """What an import statement binds: ``import module`` (attr None) or ``from module import attr``."""
        hops = hops if hops is not None else []
        if attr is None:
            return Target("module", module) if self.is_monolith(module) else Target("external", module)
        full = f"{module}.{attr}"
        if self.is_monolith(full):
            return Target("module", full)
        if self.is_module(module):
            return self._follow(module, attr, hops)
        if self.is_monolith(module):
            return Target("missing", module, attr)
        return Target("external", full)

    # -- reach over the call graph -------------------------------------------------------------------
    def reach(self, symbol: str, handed: bool = True) -> frozenset[str]:
        """Every symbol ``symbol`` (and what it nests) calls, transitively, itself included;
        without the functions only called as callbacks it was handed, if not ``handed``."""
        memo = self._reach if handed else self._own_reach
        if symbol in memo:
            return memo[symbol]
        seen = {symbol, *self.members.get(symbol, ())}
        todo = list(seen)
        while todo:
            node = todo.pop()
            for nxt in self.calls.get(node, ()):
                if nxt not in seen and (handed or not self.called_back(node, nxt)):
                    seen.add(nxt)
                    todo.append(nxt)
                    for m in self.members.get(nxt, ()):
                        if m not in seen:
                            seen.add(m)
                            todo.append(m)
        out = frozenset(seen)
        memo[symbol] = out
        return out

    def called_back(self, caller: str, callee: str) -> bool:
        """Does ``caller`` call ``callee`` only as a function it was handed (``filter_func(...)``
        with ``filter_func`` a parameter)? The resolver follows the functions passed in, so the
        edge is there, but what such a call reaches is the caller's caller's choice: a copy of
        ``caller`` runs whatever its own callers hand it. searxng's ``Result.filter_urls(func)``
        counted as reaching the database through one plugin's callback, and could not be copied.
        Only the reach asked without them (:meth:`touches`) leaves these edges out."""
        key = (caller, callee)
        hit = self._callbacks.get(key)
        if hit is None:
            hit = self._callbacks[key] = self._only_handed(caller, callee)
        return hit

    def _only_handed(self, caller: str, callee: str) -> bool:
        sym = self.index.get(caller)
        lines = self._call_lines.get((caller, callee))
        if sym is None or not lines or not sym.params or sym.module not in self.sources:
            return False
        params = [p.get("name") for p in sym.params if p.get("name") not in (None, "self", "cls")]
        if not params:
            return False
        text = self._lines.get(sym.module)
        if text is None:
            try:
                text = self._lines[sym.module] = self.sources.text(sym.module).splitlines()
            except AnalysisFileError:  # changed since the analysis: the edge counts, as before
                text = self._lines[sym.module] = []
        handed = _calls_of(tuple(params))
        name = callee.rpartition(".")[2]
        for line in lines:
            if not 0 < line <= len(text):
                return False
            source = text[line - 1]
            if not handed.search(source) or re.search(rf"\b{re.escape(name)}\b", source):
                return False
        return True

    def touches(self, symbol: str) -> str | None:
        """A function in reach of ``symbol`` that reads or writes an entity (the first by name),
        not counting the callbacks it is handed: whether a copy of it touches the database is
        up to what its callers hand it, and those are decided on their own. (What it writes,
        for retries, and whether it reads the request count them: :meth:`reach`.)"""
        hits = sorted(s for s in self.reach(symbol, handed=False) if self.touch.get(s))
        return hits[0] if hits else None

    def writes_reach(self, symbol: str) -> set[str]:
        out: set[str] = set()
        for s in self.reach(symbol):
            out |= self.writes.get(s, set())
        return out

    def called_on_import(self, symbol: str) -> bool:
        """Does a module's top-level code call ``symbol`` (Dispatch's ``main.py`` runs
        ``install_plugins()``, searxng's ``webapp.py`` runs ``init()``), or the body of a class
        defined there (mealie's models decorate their ``__init__`` with ``@api_extras``)? Such
        a call runs while the module is imported, before a service has bound any client."""
        if self._on_import is None:
            self._on_import = frozenset(t for source, targets in self.calls.items()
                                        if self._runs_on_import(source) for t in targets)
        return symbol in self._on_import

    def _runs_on_import(self, scope: str) -> bool:
        """A module, or a class whose enclosing scopes are classes up to its module."""
        sym = self.index.get(scope)
        while sym is not None and sym.kind == "class":
            scope = scope.rpartition(".")[0]
            sym = self.index.get(scope)
        return sym is not None and sym.kind == "module"

    def runs_as_script(self, module: str) -> str | None:
        """What makes a module a script that acts on import: top-level code (outside
        ``if __name__ == "__main__":``) that reads the command line (``parser.parse_args()``,
        an argument of ``sys.argv``: ``sys.argv[1]``, ``len(sys.argv)``, not a settings
        module's ``"test" in sys.argv``), exits (``sys.exit``, ``exit``) or prints, itself or in
        a function of the module it calls: CTFd's
        ``serve.py``, ``populate.py``, ``export.py`` and ``ping.py``, healthchecks'
        ``docker/fetchstatus.py`` (which probes the running server as it is imported).
        The monolith runs such a file, it never imports it. ``None`` when there is none."""
        if module not in self.modules:
            return None
        inv = self.inventory(module)
        for st in inv.statements:
            if st.main_guard or st.type_checking or st.kind in ("docstring", "future", "import", "def", "class"):
                continue
            # exiting and printing count where the statement runs them (not in a lambda an
            # assignment binds: ``fail = lambda: sys.exit(1)``)
            runs = st.kind == "other"
            found = self._acts(module, st, runs)
            if found is not None:
                return f"{found} at its top level"
            # and in a function of the module its top level calls (Tandoor's ``fdc_helper.py``
            # ends with ``get_all_nutrient_types()``, which opens a file and prints)
            for name in sorted(st.refs if runs else ()):
                called = inv.units().get(name)
                found = self._acts(module, called, True) if called is not None and called.kind == "def" else None
                if found is not None:
                    return f"{found} in `{name}()`, which its top level calls"
        return None

    def _acts(self, module: str, st, runs: bool) -> str | None:
        """What in one statement reads the command line, exits or prints (exits and prints
        only where ``runs``: the statement runs its code)."""
        for n, attr in sorted(st.attrs):
            if attr in _COMMAND_LINE:
                return f"`{n}.{attr}()`"
            if attr in ("exit", "argv") and self.resolve(module, n) == Target("external", "sys") \
                    and (runs if attr == "exit" else _takes_arguments(self.parsed(module).tree.body[st.index], n)):
                return f"`sys.{attr}`"
        for n in sorted(st.refs & _EXITS if runs else ()):
            if self.resolve(module, n).kind == "missing":  # the builtin, bound nowhere in the module
                return f"`{n}()`"
        return None

    def needs_app_context(self, module: str) -> str | None:
        """The Flask context local (``current_app``, ``g``...) a module's import-time code uses:
        a decorator (CTFd's ``@current_app.url_defaults`` in ``utils/helpers``), a module-level
        statement, a class body. The monolith imports such a module inside its app's context
        (from its app factory); outside one, the import raises. ``None`` when there is none."""
        if module not in self.modules:
            return None
        for st in self.inventory(module).statements:
            if st.type_checking or st.main_guard or st.kind in ("docstring", "future", "import"):
                continue
            if st.kind == "def":
                names, attrs = st.decorated_with, frozenset()
            elif st.kind == "class":
                names, attrs = st.decorated_with | st.defined_with, st.defined_with_attrs
            else:
                names, attrs = st.refs, st.attrs
            found = self._library_name(module, names, attrs, APP_LOCALS)
            if found is not None:
                return found
        return None

    def _library_name(self, module: str, names, attrs, wanted: frozenset[str],
                      nested: dict | None = None) -> str | None:
        """The library name among ``wanted`` (``flask.g``...) that one of a statement's loaded
        names or ``name.attr`` loads stands for, or ``None``. ``nested``: the statement's own
        imports by the name they bind, which come before the module's."""
        nested = nested or {}

        def target(n: str) -> Target:
            b = nested.get(n)
            return self.import_target(b.module, b.attr) if b is not None else self.resolve(module, n)

        for n in sorted(names):
            t = target(n)
            if t.kind == "external" and t.module in wanted:
                return t.module
        for n, attr in sorted(attrs):
            t = target(n)
            if t.kind == "external" and f"{t.module}.{attr}" in wanted:
                return f"{t.module}.{attr}"
        return None

    def request_bound(self, symbol: str) -> str | None:
        """A function in reach of ``symbol`` that reads the request being served (``flask.g``...)."""
        for s in sorted(self.reach(symbol)):
            if self._reads_request(s):
                return s
        return None

    def unit_of(self, symbol: str) -> tuple[str, str] | None:
        """The module and top-level unit a symbol of the analysis belongs to
        (``pkg.mod.Class.method`` -> ``("pkg.mod", "Class")``), or ``None`` when it is no
        symbol of a parsed module."""
        sym = self.index.get(symbol)
        if sym is None or sym.module not in self.modules or not symbol.startswith(sym.module + "."):
            return None
        return sym.module, symbol[len(sym.module) + 1:].split(".", 1)[0]

    def _reads_request(self, symbol: str) -> bool:
        if symbol in self._request:
            return self._request[symbol]
        result = False
        home = self.unit_of(symbol)
        if home is not None:
            module, unit = home
            st = self.inventory(module).units().get(unit)
            if st is not None:
                local = {b.name: b for b in st.imports}
                result = self._library_name(module, set(st.refs) | set(local), st.attrs, REQUEST_LOCALS,
                                            local) is not None
        self._request[symbol] = result
        return result


def _takes_arguments(node: cst.CSTNode, sys_name: str) -> bool:
    """Whether ``node`` indexes ``sys.argv`` or takes its length (``sys.argv[1]``,
    ``len(sys.argv) > 1``): a script's arguments, not a flag looked for in them."""
    found = False

    class _Visitor(cst.CSTVisitor):
        def visit_Subscript(self, sub: cst.Subscript) -> None:
            nonlocal found
            found = found or _is_argv(sub.value, sys_name)

        def visit_Call(self, call: cst.Call) -> None:
            nonlocal found
            if isinstance(call.func, cst.Name) and call.func.value == "len" and call.args:
                found = found or _is_argv(call.args[0].value, sys_name)

    node.visit(_Visitor())
    return found


def _is_argv(expr: cst.BaseExpression, sys_name: str) -> bool:
    return (isinstance(expr, cst.Attribute) and expr.attr.value == "argv" and isinstance(expr.value, cst.Name)
            and expr.value.value == sys_name)


@lru_cache(maxsize=4096)
def _calls_of(params: tuple[str, ...]) -> re.Pattern[str]:
    """A call of one of these names (a function's parameters), compiled once per signature."""
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, params)) + r")\s*\(")
