"""Which code goes into each service, and what becomes of each name it uses from another one.

A service's copy starts from the units the decomposition places in it and the whole shared
library. Every name that code uses is followed to its definition (re-exports and star imports
included); a definition owned by another service gets one decision:

- **rewired**: a function the owner serves as an interface operation, whose arguments and
  result can cross the wire (plain data; an entity the owner reloads by primary key; an
  entity the callee only reads, sent as a snapshot; a dataclass), becomes a proxy that calls
  the generated client;
- **replicated**: code a remote call cannot serve (it reads the request being served, takes a
  callback, is a decorator, an exception or a constant class) and that touches neither the
  database nor module state is copied in;
- **stubbed**: anything else is bound to a stub that raises with the reason, and listed in
  MIGRATION.md; an entity class used here is direct ORM access to another service's data.

Code of the shared library that uses another service's code cannot call it (there is no
operation for it) and must not fail on import: those statements are **pruned** from that
service's vendored copy, and listed.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from pathlib import PurePosixPath

import libcst as cst

from analyzer.discover import settings_name
from analyzer.extract.implicit_none import find_function, is_generator
from analyzer.extract.inventory import ROUTE_CONTAINERS, dotted, only_in_unions, statement_call
from analyzer.extract.model import (
    PORTED,
    PRUNED,
    REPLICATED,
    REWIRED,
    STUBBED,
    VENDOR,
    CallSite,
    Decision,
    FacadeEntry,
    ForeignAccess,
    ModulePlan,
    OperationPort,
    Proxy,
    RoutePort,
    WireParam,
)
from analyzer.extract.program import Program, Target
from analyzer.interfaces import cross_calls, tooling_modules
from analyzer.model import CLASS, FUNCTION, METHOD, READ, SHARED, WRITE, Symbol
from analyzer.scaffold.context import Client, ClientCall, Operation, ScaffoldContext, ServiceContext
from analyzer.scaffold.typemap import ANY, LIST, NONE, UNION, PyType, map_annotation

CALLABLE_NAMES = frozenset({"Callable", "Awaitable", "Coroutine"})
IO_NAMES = frozenset({"IO", "TextIO", "BinaryIO", "TextIOWrapper", "BufferedReader", "BufferedWriter", "IOBase",
                      "RawIOBase", "BufferedIOBase", "TextIOBase", "FileIO", "SpooledTemporaryFile"})
ITERATOR_NAMES = frozenset({"Iterator", "Generator", "AsyncIterator", "AsyncGenerator"})
PLUMBING = {"Session": "a database session", "AsyncSession": "a database session",
            "scoped_session": "a database session", "Connection": "a database connection",
            "AsyncConnection": "a database connection", "Engine": "a database engine",
            "HttpRequest": "the HTTP request", "WSGIRequest": "the HTTP request", "Request": "the HTTP request"}
SESSION_NAMES = frozenset({"Session", "AsyncSession", "scoped_session", "OrmSession"})


def _read_on(value: cst.BaseExpression) -> list[str]:
    """The names an expression reads an attribute of while it is evaluated (not in a lambda's
    body, which runs later)."""
    found: list[str] = []

    class Reads(cst.CSTVisitor):
        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name):
                found.append(node.value.value)

    value.visit(Reads())
    return found


def _copied_var(binders, shared: bool) -> bool:
    """Is a module-level value another service's code may name copied rather than stubbed:
    bound only to constants or to what a library makes of them (not a route container, when
    the shared library names it)?"""
    return bool(binders) and all(
        st.constant or (st.maker and not (shared and st.maker.rpartition(".")[2] in ROUTE_CONTAINERS))
        for st in binders)


def plain(t: PyType) -> bool:
    """Typed exactly all the way down: pydantic carries such a value as it is."""
    return t.kind != ANY and all(plain(a) for a in t.args)


def array(t: PyType) -> bool:
    """Declared a list (or ``None``): the JSON array a ``tuple[...]`` or ``set[...]``
    annotation maps to, which the wire's tagged tuple (``{"__tuple__": [...]}``) would not fit."""
    arms = t.args if t.kind == UNION else (t,)
    return any(a.kind == LIST for a in arms) and all(a.kind in (LIST, NONE) for a in arms)


def annotation_head(text: str | None) -> str:
    """The outer type name of an annotation: ``Optional['x.Session']`` -> ``Session``."""
    if not text:
        return ""
    names = annotation_names(text)
    wrappers = {"Optional", "Union", "Annotated", "None"}
    for n in names:
        last = n.rsplit(".", 1)[-1]
        if last not in wrappers:
            return last
    return ""


def annotation_names(text: str) -> list[str]:
    """Dotted names an annotation mentions, outermost first (string forward references read)."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return []
    out: list[str] = []

    def walk(n: ast.AST) -> None:
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            out.extend(annotation_names(n.value))
            return
        if isinstance(n, (ast.Name, ast.Attribute)):
            parts = []
            cur: ast.AST = n
            while isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name):
                parts.append(cur.id)
                out.append(".".join(reversed(parts)))
            return
        for child in ast.iter_child_nodes(n):
            walk(child)

    walk(node)
    return out


# how a session comes of the session factory (templates/extract/runtime.py.j2)
CALL, CONTEXT, GENERATOR = "call", "context", "generator"
SESSION_YIELDERS = frozenset({"Generator", "Iterator", "Iterable", "ContextManager", "AbstractContextManager"})


def _session_type(name: str) -> bool:
    """A synchronous ORM session's class: the runtime runs the moved code in worker threads."""
    return (name in SESSION_NAMES or name.endswith("Session")) and not name.startswith("Async")


def _all_optional(params: tuple[dict, ...]) -> bool:
    return all(p.get("default") is not None or p.get("kind") in ("var_positional", "var_keyword") for p in params)


class Globals:
    """Facts every service's plan shares: slugs, operations, the app and session factories."""

    def __init__(self, prog: Program, ctx: ScaffoldContext) -> None:
        self.prog = prog
        self.ctx = ctx
        self.slugs = {s.name: s.slug for s in ctx.services}
        self.operations: dict[str, tuple[ServiceContext, Operation]] = {
            op.symbol: (s, op) for s in ctx.services for op in s.operations
        }
        self.unit_homes: set[tuple[str, str]] = set()  # (module, service) holding one of its units
        for sid, svc in prog.placement.items():
            sym = prog.index.get(sid)
            if sym is not None and sym.kind in (CLASS, FUNCTION) and sid == f"{sym.module}.{sym.name}":
                self.unit_homes.add((sym.module, svc))
        self.django_settings, self.django_apps = self._django()
        self.user_model = self._setting_string("AUTH_USER_MODEL")
        self.app_factory = self._factory(lambda head: head == "Flask")
        self.session_factory, self.session_kind = self._session_factory()
        # operational scripts set aside by the cluster stage: mealie's code generators, copied
        # into every service, failed its import tests on their development-only packages
        self.tools = tooling_modules(prog.doc)
        self.url_converters = self._url_converters() if self.django_settings is not None else {}

    def _url_converters(self) -> dict[str, tuple[str, int, str]]:
        """The URL converters the monolith registers on import (``register_converter(
        SHA1Converter, "sha1")``): name -> (module, statement index, the class's name there)."""
        out: dict[str, tuple[str, int, str]] = {}
        for module in sorted(self.prog.modules):
            inv = self.prog.inventory(module)
            for st in inv.statements:
                if st.kind != "other" or "register_converter" not in st.refs | {a for _, a in st.attrs}:
                    continue
                call = statement_call(self.prog.parsed(module).tree.body[st.index])
                if call is None or len(call.args) != 2 \
                        or not (dotted(call.func) or "").endswith("register_converter") \
                        or not isinstance(call.args[0].value, cst.Name) \
                        or not isinstance(call.args[1].value, cst.SimpleString):
                    continue
                name = call.args[1].value.evaluated_value
                cls = self.prog.resolve(module, call.args[0].value.value)
                if isinstance(name, str) and cls.kind == "unit" and cls.name:
                    out.setdefault(name, (module, st.index, cls.qualname))
        return out

    def slug(self, service: str) -> str:
        return self.slugs.get(service, "shared" if service == SHARED else service)

    def _factory(self, wanted) -> str | None:
        """A function of the shared library (else of a service) that builds the thing without
        arguments, by its return annotation: the monolith's app factory."""
        found = []
        for s in self.prog.doc.symbols:
            if s.kind != FUNCTION or s.module not in self.prog.modules or f"{s.module}.{s.name}" != s.id:
                continue
            if not wanted(annotation_head(s.returns)) or not _all_optional(s.params):
                continue
            shared = self.prog.placement.get(s.id, SHARED) == SHARED
            found.append((not shared, s.id.count("."), s.id))
        return min(found)[2] if found else None

    def _session_factory(self) -> tuple[str | None, str]:
        """The monolith's session factory, and how a session comes of it (``CALL``, ``CONTEXT``,
        ``GENERATOR``):
        a function returning one, a ``@contextmanager`` or a generator yielding one (FastAPI's
        ``get_db`` dependency: mealie's ``session_context`` and ``generate_session``; Dispatch's
        ``get_session`` is a context manager though annotated ``-> Session``), or a module-level
        ``sessionmaker(...)`` (Dispatch's ``SessionLocal``). The shared library's first, then
        functions, then one named for sessions, the shallowest."""
        found = []
        for sym in self.prog.doc.symbols:
            if sym.kind != FUNCTION or sym.module not in self.prog.modules or f"{sym.module}.{sym.name}" != sym.id \
                    or not _all_optional(sym.params):
                continue
            names = annotation_names(sym.returns or "")
            heads = [n.rsplit(".", 1)[-1] for n in names if n.rsplit(".", 1)[-1] not in ("Optional", "Union", "None")]
            if not heads:
                continue
            yielded = heads[0] in SESSION_YIELDERS and len(heads) > 1
            session = heads[1] if yielded else heads[0]
            if not _session_type(session):
                continue
            decorated = any(d.rsplit(".", 1)[-1] == "contextmanager" for d in sym.decorators)
            kind = CONTEXT if decorated else GENERATOR if yielded or self._yields(sym) else CALL
            found.append((self.prog.placement.get(sym.id, SHARED) != SHARED, False, "session" not in sym.name.lower(),
                          sym.id.count("."), sym.id, kind))
        for module in sorted(self.prog.modules):
            for name in self._session_makers(module):
                qualname = f"{module}.{name}"
                # after a function: one may set the maker up first (the sample's ``init_db`` binds it)
                found.append((self.prog.top(module) != SHARED, True, "session" not in name.lower(),
                              qualname.count("."), qualname, CALL))
        if not found:
            return None, CALL
        best = min(found)
        return best[4], best[5]

    def _session_makers(self, module: str) -> list[str]:
        """Module-level names bound to ``sessionmaker(...)`` (or ``scoped_session`` of one)."""
        out = []
        for st in self.prog.inventory(module).statements:
            if st.kind != "assign" or len(st.binds) != 1 or not (
                    {"sessionmaker", "scoped_session"} & st.refs
                    or any(attr in ("sessionmaker", "scoped_session") for _, attr in st.attrs)):
                continue
            node = self.prog.parsed(module).tree.body[st.index]
            for small in node.body if isinstance(node, cst.SimpleStatementLine) else ():
                value = small.value if isinstance(small, cst.Assign | cst.AnnAssign) else None
                if isinstance(value, cst.Call) and (dotted(value.func) or "").rpartition(".")[2] in (
                        "sessionmaker", "scoped_session"):
                    out.append(st.binds[0])
        return out

    def _yields(self, sym: Symbol) -> bool:
        fn = find_function(self.prog.parsed(sym.module).tree, [sym.name])
        return fn is not None and is_generator(fn)

    def _django(self) -> tuple[str | None, tuple[str, ...]]:
        """The monolith's Django settings module (of the modules binding INSTALLED_APPS, the one
        a string names, as DJANGO_SETTINGS_MODULE in manage.py, else the one naming most apps)
        and the project packages those name: every service copies the settings, since the
        code moved in reads them and Django sets up its apps from them."""
        settings: dict[str, int] = {}
        apps: list[str] = []
        for ref in self.prog.doc.references:
            if ref.get("kind") != "installed-app":
                continue
            module = self.prog.reference_module(ref)
            if self.prog.is_module(module):
                settings[module] = settings.get(module, 0) + 1
            app = self.app_package(str(ref.get("value") or ""))
            if app is not None and app not in apps:
                apps.append(app)
        if not settings:
            return None, ()
        # the module manage.py, wsgi.py... name (DJANGO_SETTINGS_MODULE) first, then the one
        # naming the most apps
        values = {ref.get("value") for ref in self.prog.doc.references}
        named = values & set(settings)
        chosen = min(settings, key=lambda m: (m not in named, -settings[m], len(m), m))
        return self._aggregate(chosen, values), tuple(apps)

    def _setting_string(self, name: str) -> str | None:
        """The string the copied settings bind ``name`` to (the last binding read wins)."""
        value = None
        for module in self.settings_modules():
            for st in self.prog.inventory(module).binders(name):
                node = self.prog.parsed(module).tree.body[st.index]
                for b in getattr(node, "body", ()):
                    if isinstance(b, (cst.Assign, cst.AnnAssign)) and isinstance(b.value, cst.SimpleString):
                        found = b.value.evaluated_value
                        value = found if isinstance(found, str) else value
        return value

    def user_model_owner(self) -> str | None:
        """The service owning the project's custom user model that AUTH_USER_MODEL names
        (``"accounts.AccountDB"``: the model ``AccountDB`` of the app labelled ``accounts``),
        if there is one."""
        if not self.user_model or self.user_model.count(".") != 1:
            return None
        label, name = self.user_model.split(".")
        app = next((a for a in self.django_apps if a.rpartition(".")[2] == label), None)
        if app is None:
            return None
        for e in sorted(self.prog.doc.entities, key=lambda e: e.id):
            if e.name == name and e.module and (e.module == app or e.module.startswith(app + ".")):
                return self.prog.entity_owner.get(e.id, SHARED)
        return None

    def settings_modules(self) -> list[str]:
        """The Django settings module and the modules it star-imports, transitively (its
        parts): every service copies them whole."""
        if self.django_settings is None:
            return []
        found = [self.django_settings]
        for m in found:
            found.extend(s for s in self.prog.inventory(m).stars if self.prog.is_module(s) and s not in found)
        return found

    def _aggregate(self, settings: str, named: set) -> str:
        """The settings module to copy when the one binding INSTALLED_APPS is a part: the
        module that star-imports it with its sibling parts (zds-site's
        ``settings/abstract_base/__init__.py``: ``from .django import *``, ``from .zds import
        *``; its code reads ``settings.ZDS_APP`` from the second), when the module
        DJANGO_SETTINGS_MODULE names reaches it by star imports or none is named and it is
        the only one. Not the named module itself: that is a deployment's variant (``dev``,
        with its development-only apps and packages)."""
        prog = self.prog
        candidates = [m for m in sorted(prog.modules) if settings_name(m.split(".")) and m != settings]
        aggregators = [m for m in candidates if settings in prog.inventory(m).stars]
        if not aggregators:
            return settings
        reached: set[str] = set()
        todo = [m for m in candidates if m in named]
        while todo:
            m = todo.pop()
            if m not in reached and prog.is_module(m):
                reached.add(m)
                todo.extend(prog.inventory(m).stars)
        on_chain = [m for m in aggregators if m in reached and m not in named]
        if on_chain:
            return min(on_chain, key=lambda m: (-m.count("."), m))
        return aggregators[0] if len(aggregators) == 1 and not reached else settings

    def app_package(self, entry: str) -> str | None:
        """The project package an INSTALLED_APPS entry names: the package itself, or the
        package of the module holding the AppConfig class a dotted class path names."""
        if self.prog.is_module(entry) or entry in self.prog.packages:
            return entry
        head = entry.rpartition(".")[0]
        if not self.prog.is_module(head):
            return None
        return head if self.prog.modules[head].is_package else head.rpartition(".")[0] or None

    def local_to(self, qualname: str | None, service: str) -> bool:
        """Whether a unit, or a module-level value (a ``sessionmaker``), is the shared
        library's or this service's."""
        if qualname is None:
            return False
        owner = self.prog.placement.get(qualname)
        if owner is None and qualname not in self.prog.index:
            owner = self.prog.top(qualname.rpartition(".")[0])
        return (owner or SHARED) in (SHARED, service)


class Planner:
    """The plan of one service: module copies, facades, decisions."""

    def __init__(self, g: Globals, svc: ServiceContext) -> None:
        self.g = g
        self.prog = g.prog
        self.svc = svc
        self.name = svc.name
        self.plans: dict[str, ModulePlan] = {}
        self.decisions: dict[tuple[str, str], Decision] = {}  # (target, "use" | "pruned") -> applied decision
        self.memo: dict[str, Decision] = {}
        self.module_imports: set[str] = set()  # modules some kept code imports as modules
        # (module, name) on a re-export chain -> the next hop (module, name) it binds it from
        self.provided: dict[tuple[str, str], tuple[str, str]] = {}
        self.reexported: set[tuple[str, str]] = set()  # re-exports whose next module was made to bind the name
        self.todo: deque[tuple[str, int]] = deque()
        self.scanned: set[tuple[str, int]] = set()
        self.defined_with_foreign: dict[str, str | None] = {}  # _fails_at_definition
        self.made_of_copies: dict[tuple[str, str], bool] = {}  # _made_of_copies
        self.clients: dict[str, tuple[Client, ClientCall]] = {
            call.operation.symbol: (c, call) for c in svc.clients for call in c.calls
        }

    # -- the fixpoint ----------------------------------------------------------------------------
    def run(self) -> dict[str, ModulePlan]:
        for module in sorted(self.prog.modules):
            top = self.prog.top(module)
            if top == SHARED and module in self.g.tools:
                continue  # operational scripts stay with the monolith (copied only if kept code imports one)
            if top in (self.name, SHARED) or self._has_units_here(module):
                self.materialize(module)
        for module in self.g.settings_modules():
            self._whole(module)
        named: set[str] = set()  # modules whose code-naming strings were followed
        while True:
            while self.todo:
                module, index = self.todo.popleft()
                self.scan(module, index)
            if not (self._copy_named_code(named) or self._reexport_pruned() or self._copy_app_configs()
                    or self._register_url_converters()):
                break
        self._prune_lost_reexports()
        for module, plan in list(self.plans.items()):
            if (not plan.full and not plan.units and not plan.statements and not plan.facade and not plan.exports
                    and module not in self.module_imports):
                del self.plans[module]  # only reached from pruned code
        return self.plans

    def _has_units_here(self, module: str) -> bool:
        return (module, self.name) in self.g.unit_homes

    def materialize(self, module: str) -> ModulePlan:
        plan = self.plans.get(module)
        if plan is not None:
            return plan
        top = self.prog.top(module)
        full = top in (self.name, SHARED)
        plan = ModulePlan(module=module, tree=VENDOR if top == SHARED else PORTED, full=full)
        self.plans[module] = plan
        inv = self.prog.inventory(module)
        if full:
            self._stub_values_of_foreign_entities(plan, inv)
        for name, st in sorted(inv.units().items()):
            if self.prog.place(module, name) in (self.name, SHARED):
                entity = self._fails_at_definition(module, name, st)
                if entity is not None:
                    target, owner = f"{module}.{name}", self.g.slug(self.prog.place(module, name))
                    kind = "class" if st.kind == "class" else "function"
                    d = Decision(self.svc.slug, target, owner, kind, STUBBED,
                                 f"the {kind} reads {entity} when it is defined, which is not here")
                    self._apply(d)
                    plan.facade[name] = self._stub(name, d)
                    continue
                plan.units.add(name)
                self._enqueue(module, st.index)
        if full:
            for st in inv.statements:
                if st.kind not in ("def", "class"):
                    self._enqueue(module, st.index)
        elif self.g.django_settings is not None and "templatetags" in module.split(".")[:-1]:
            # a Django template tag library: templates name its filters and tags, which no code
            # calls (healthchecks' ``{{ d|hms }}`` in a template another service's view renders);
            # a library copied in part lacked them ("Invalid filter: 'hms'")
            for name in sorted(inv.units()):
                self.require_unit(module, name, module, name, False)
        return plan

    def _stub_values_of_foreign_entities(self, plan: ModulePlan, inv) -> None:
        """A module-level value made on import by a call handed another service's entity, a stub
        here (ihatemoney's ``PersonVersion = version_class(Person)``, CTFd's ``AwardModel =
        sqlalchemy_to_pydantic(Awards)``), failed the copy on import: the statement is left out
        and each name it binds is a stub, which what reads it while it is defined follows."""
        tree = self.prog.parsed(plan.module).tree
        for st in inv.statements:
            if st.kind != "assign" or st.type_checking:
                continue
            found = self._foreign_entity_handed(plan.module, st, tree.body[st.index])
            if found is None:
                continue
            owner, entity = found
            plan.stubbed_statements.add(st.index)
            for name in st.binds:
                d = Decision(self.svc.slug, f"{plan.module}.{name}", owner, "variable", STUBBED,
                             f"a module-level value made on import from {entity}, which is not here")
                self._apply(d)
                plan.facade[name] = FacadeEntry(name, "stub", d.target, owner, d.reason)

    def _foreign_entity_handed(self, module: str, st, node) -> tuple[str, str] | None:
        """The owner and description of another service's entity that the value of an
        assignment (statement ``st``) hands to a call as an argument, or reads an attribute of
        while it is computed (babybuddy's ``dict(Feeding.method.field.choices)``), or ``None``."""
        values = [b.value for b in getattr(node, "body", ())
                  if isinstance(b, cst.Assign | cst.AnnAssign) and b.value is not None]  # not ``x: int``
        for value in values:
            handed = [a.value.value for a in value.args if isinstance(a.value, cst.Name)] \
                if isinstance(value, cst.Call) else []
            # the statement's ``name.attr`` loads (its inventory's) first, and the value walked
            # only for a name that is an entity: the walk leaves out lambdas, which run later
            for name in [*handed, *sorted({n for n, _ in st.attrs} - set(handed))]:
                t = self.prog.resolve(module, name)
                owner = self._entity_owner(t)
                if owner is not None and (name in handed or name in _read_on(value)):
                    return owner, f"the {owner} service's entity `{t.name}`"
        return None

    def _fails_at_definition(self, module: str, name: str, st) -> str | None:
        """What a class or function of this copy reads while it is defined that is a stub here:
        another service's entity (CTFd's ``ChallengeSchema``: ``field_for(Challenges,
        "name")``; a view set's ``queryset = Job.objects.all()``), a class stubbed here that it
        derives from or reads (evennia's ``AliasHandler(TagHandler)``), or a decorator stubbed
        here. A stub fails such a definition, and with it the whole module, on import. A
        model's own relations are rewritten instead."""
        key = f"{module}.{name}"
        if key in self.prog.models:
            return None
        if key in self.defined_with_foreign:
            return self.defined_with_foreign[key]
        self.defined_with_foreign[key] = None  # a cycle of classes reads as no
        found = None
        for ref in sorted(st.decorated_with):
            # a decorator of another service that is a stub here raises where the decorated
            # code is defined (CTFd's ``@configs_namespace.route("")``, the namespace set up by
            # calls in its own module)
            t = self.prog.resolve(module, ref)
            if t.kind == "var" and self._stubbed_var(t.module, t.name or ""):
                found = f"the decorator `{ref}` of the {self.g.slug(self.prog.top(t.module))} service"
                break
            if t.kind == "unit" and self.prog.place(t.module, t.name or "") not in (self.name, SHARED) and \
                    self.decide_unit(t.module, t.name or "").action == STUBBED:
                found = f"the decorator `{ref}` of the {self.g.slug(self.prog.place(t.module, t.name or ''))} service"
                break
        read: list[tuple[str, Target]] = [(ref, self.prog.resolve(module, ref)) for ref in sorted(st.defined_with)]
        inv = self.prog.inventory(module)
        for n, attr in sorted(st.defined_with_attrs):  # ``class C(sqlitedb.SQLiteAppl)``
            m = self._module_named(module, inv, {}, n)
            if m is not None:
                read.append((f"{n}.{attr}", self.prog.resolve(m.module, attr)))
        unions: frozenset[str] | None = None  # what the class body reads only as operands of ``|``
        for ref, t in read if found is None else ():
            why = self._stub_when_defined(t)
            if why is not None and st.kind == "class" and "." not in ref:
                # a stub stands for a union (``Stub.__or__``): Tandoor's ``_listening_to_classes
                # = REGISTERED_CLASSES | ConnectorConfig`` does not fail the class
                if unions is None:
                    unions = only_in_unions(self.prog.parsed(module).tree.body[st.index])
                why = None if ref in unions else why
            if why is not None:
                found = why
                break
        self.defined_with_foreign[key] = found
        return found

    def _stub_when_defined(self, t: Target) -> str | None:
        """Why what ``t`` names is a stub here (a value stubbed in its copy, another service's
        entity, a class stubbed here), or ``None``."""
        if t.kind == "var":
            plan = self.plans.get(t.module)
            entry = plan.facade.get(t.name or "") if plan is not None and plan.full else None
            return f"`{t.name}`, which is stubbed here" if entry is not None and entry.kind == "stub" else None
        if t.kind != "unit":
            return None
        if f"{t.module}.{t.name}" in self.prog.models:
            return self._foreign_entity(t)
        unit = self.prog.inventory(t.module).units().get(t.name)
        if unit is None or unit.kind != "class":
            return None
        if self.prog.place(t.module, t.name) in (self.name, SHARED):
            stubbed = self._fails_at_definition(t.module, t.name, unit) is not None
        else:  # another service's class, which a stub stands for here unless it is copied
            stubbed = self.decide_unit(t.module, t.name).action == STUBBED
        return f"`{t.name}`, which is stubbed here" if stubbed else None  # a base or a class it reads

    def _foreign_entity(self, t: Target) -> str | None:
        """``the orders service's entity `Order```, when ``t`` is another service's entity
        (not an abstract model)."""
        owner = self._entity_owner(t)
        return None if owner is None else f"the {owner} service's entity `{t.name}`"

    def _entity_owner(self, t: Target) -> str | None:
        """The slug of the other service owning the entity ``t`` is the model of (not an
        abstract model), or ``None``."""
        e = self.prog.models.get(f"{t.module}.{t.name}") if t.kind == "unit" else None
        if e is None or e.abstract:
            return None
        owner = self.prog.entity_owner.get(e.id, SHARED)
        return None if owner in (self.name, SHARED) else self.g.slug(owner)

    def _stubbed_var(self, module: str, name: str) -> bool:
        """Would a module-level value be a stub in this copy (:meth:`require_var`)?"""
        if self.prog.top(module) in (self.name, SHARED) or not self.prog.is_module(module):
            return False
        return not (_copied_var(self.prog.inventory(module).binders(name), shared=False)
                    or self._made_of_copies(module, name))

    def _made_of_copies(self, module: str, name: str) -> bool:
        """Is another service's module-level value made only of constants, builtins, outside
        libraries and code this copy has or replicates: searxng's settings ``SCHEMA``, a dict
        of ``SettingsValue(...)``, which the shared library's ``init_settings`` applies on
        import? Then it is copied like a constant, since a stub in its place fails whatever
        reads it on import. A value the module changes after import is module state, never
        copied; a cycle of such values reads as no."""
        key = (module, name)
        known = self.made_of_copies.get(key)
        if known is not None:
            return known
        self.made_of_copies[key] = False
        inv = self.prog.inventory(module)
        binders = inv.binders(name)
        found = bool(binders) and all(self._statement_of_copies(module, inv, st) for st in binders)
        self.made_of_copies[key] = found
        return found

    def _statement_of_copies(self, module: str, inv, st) -> bool:
        if _copied_var((st,), shared=True):
            return True
        if st.maker:  # a route container: copied by the plain rule alone, where it allows
            return False
        if st.kind != "assign" or st.type_checking or set(st.binds) & inv.mutated or set(st.binds) & inv.configured:
            return False
        names = [n for n in st.refs if n not in st.binds and inv.binders(n)]  # no binder: a builtin
        targets = [self.prog.resolve(module, n) for n in sorted(names)]
        for n, attr in sorted(st.attrs):
            t = self._module_named(module, inv, {}, n)
            if t is not None:
                targets.append(self.prog.resolve(t.module, attr))
        return all(self._copied_here(t) for t in targets)

    def _copied_here(self, t: Target) -> bool:
        """Will what ``t`` names be real code in this copy (not a stub)?"""
        if t.kind in ("external", "module"):  # a project module's attributes are targets of their own
            return True
        if t.kind == "unit":
            if self.prog.place(t.module, t.name or "") in (self.name, SHARED):
                return True
            return self.decide_unit(t.module, t.name or "").action == REPLICATED
        if t.kind == "var":
            return self.prog.top(t.module) in (self.name, SHARED) or not self._stubbed_var(t.module, t.name or "")
        return False

    def _whole(self, module: str) -> None:
        """Every statement of ``module`` in this service's copy (a vendored copy unless the
        module is this service's own): the Django settings, which no import reaches."""
        plan = self.plans.get(module)
        if plan is None:
            plan = self.plans[module] = ModulePlan(module=module, tree=VENDOR, full=True)
        plan.full = True
        inv = self.prog.inventory(module)
        plan.units.update(inv.units())
        for st in inv.statements:
            self._enqueue(module, st.index)

    def _enqueue(self, module: str, index: int) -> None:
        if (module, index) not in self.scanned:
            self.scanned.add((module, index))
            self.todo.append((module, index))

    def scan(self, module: str, index: int) -> None:
        inv = self.prog.inventory(module)
        st = inv.statements[index]
        if st.type_checking:
            return
        shared = self.plans[module].tree == VENDOR
        nested = {b.name: b for b in st.imports} if st.kind != "import" else {}
        for b in st.imports:
            if not b.type_checking:
                self.require_import(module, b.name, b.module, b.attr, shared)
                self._require_loaded(b)
        for star in st.stars:
            # the module must exist here, even holding nothing this service uses: a package's
            # ``from .api_extras import *`` (mealie's models) failed on a module never copied
            self._materialize_path(star)
        for n in sorted(st.refs):
            if n in nested:
                continue
            if inv.binders(n):
                self.require_name(module, n, shared)
        for n, attr in sorted(st.attrs):
            t = self._module_named(module, inv, nested, n)
            if t is not None:
                self.require_import(module, n, t.module, attr, shared, attribute=True)
        for chain in sorted(st.chains):
            # ``searx.plugins.Plugin`` after ``import searx.plugins``: the module the chain
            # reaches, and the name it reads there
            t = self._module_named(module, inv, nested, chain[0])
            if t is None:
                continue
            path, i = t.module, 1
            while i < len(chain) - 1 and self.prog.is_monolith(f"{path}.{chain[i]}"):
                path, i = f"{path}.{chain[i]}", i + 1
            if i > 1:
                self.require_import(module, chain[0], path, chain[i], shared, attribute=True)

    def _module_named(self, module: str, inv, nested, name: str) -> Target | None:
        """The module ``name`` stands for in a statement of ``module`` (an import inside the
        statement, else the module's own binding), or ``None`` when it is no module."""
        if name in nested:
            t = self.prog.import_target(nested[name].module, nested[name].attr)
        elif inv.binders(name):
            t = self.prog.resolve(module, name)
        else:
            return None
        return t if t.kind == "module" else None

    # -- requirements ---------------------------------------------------------------------------------
    def require_name(self, module: str, name: str, shared: bool) -> None:
        """``name`` bound at the top of ``module`` is used by code the copy keeps."""
        inv = self.prog.inventory(module)
        plan = self.materialize(module)
        for st in inv.binders(name):
            if st.kind in ("def", "class"):
                self.require_unit(module, name, module, name, shared)
            elif st.imports and any(b.name == name for b in st.imports):
                if not plan.full:
                    plan.statements.add(st.index)
                    # what the statement reads around its imports: ``t`` of an ``if
                    # t.TYPE_CHECKING:`` block, kept for the name a forward reference reads
                    for n in sorted(st.refs - {b.name for b in st.imports}):
                        if inv.binders(n):
                            self.require_name(module, n, shared)
                for b in st.imports:
                    if b.name == name and not b.type_checking:
                        self.require_import(module, name, b.module, b.attr, shared)
                        self._require_loaded(b)
            elif not plan.full:
                self.require_var(module, name, module, name, shared)

    def require_import(self, origin: str, local: str, module: str, attr: str | None, shared: bool,
                       attribute: bool = False) -> None:
        """An import in ``origin`` (or ``local.attr`` on an imported module) needs its target."""
        if attr is None:
            if self.prog.is_monolith(module):
                self._materialize_path(module)
            return
        if not self.prog.is_monolith(module) and not self.prog.is_monolith(f"{module}.{attr}"):
            return
        if self.prog.is_monolith(f"{module}.{attr}"):
            self._materialize_path(f"{module}.{attr}")
            return
        if not self.prog.is_module(module):
            return
        hops = self.prog.chain(module, attr)
        target = hops[-1][1]
        self._materialize_path(module, imported=False)
        for i, ((hm, hn), _) in enumerate(hops[:-1]):
            self._provide(hm, hn, hops[i + 1][0])
        if target.kind == "module":
            self._materialize_path(target.module)
            # the last hop binds the module itself (``from dispatch.incident import service as
            # incident_service`` in ``flows``, which ``from dispatch.incident.flows import
            # incident_service`` reads): its copy must keep binding it, a facade too
            package, _, sub = target.module.rpartition(".")
            self._provide(*hops[-1][0], (package, sub))
        elif target.kind == "unit":
            self.require_unit(target.module, target.name or "", origin, local, shared and not attribute)
        elif target.kind == "var":
            self.require_var(target.module, target.name or "", origin, local, shared and not attribute)
        else:
            self._keep_binding(*hops[-1][0])

    def _require_loaded(self, b) -> None:
        """``import a.b.c`` kept in a copy imports ``a.b`` and ``a.b.c`` when it runs: each
        must exist in the copy, though only ``a`` is bound."""
        if b.loads is None:
            return
        parts = b.loads.split(".")
        for i in range(2, len(parts) + 1):
            self._materialize_path(".".join(parts[:i]))

    def _keep_binding(self, module: str, name: str) -> None:
        """The statements binding ``name`` in ``module`` when it leads to nothing of the
        monolith to copy: an outside package, or a module that may not exist (zds-site's
        ``try: import ujson as json_handler`` / ``from ._version import __version__`` with a
        fallback in its package ``__init__``, imported by name from the package). A partial
        copy kept none of them and the import failed."""
        if not self.prog.is_module(module):
            return
        plan = self.materialize(module)
        plan.exports.add(name)  # an unused import of it is not pruned from the copy
        binders = self.prog.inventory(module).binders(name)
        if plan.full or all(st.index in plan.statements for st in binders):
            return
        for st in binders:
            plan.statements.add(st.index)
            self._enqueue(module, st.index)

    def _materialize_path(self, module: str, imported: bool = True) -> None:
        if self.prog.is_module(module):
            self.materialize(module)
            if imported:
                self.module_imports.add(module)

    def _provide(self, module: str, name: str, following: tuple[str, str]) -> None:
        """A module on a re-export chain must keep binding ``name``: a full copy does anyway; a
        partial copy keeps its import of it; a star import becomes an explicit re-export."""
        if not self.prog.is_module(module):
            return
        plan = self.materialize(module)
        plan.exports.add(name)
        if following[0] != module:
            self.provided.setdefault((module, name), following)
        if plan.full:
            return
        binders = self.prog.inventory(module).binders(name)
        if binders:
            plan.statements.update(st.index for st in binders)
            return
        nm, nn = following
        if nm != module:
            plan.facade.setdefault(name, FacadeEntry(name, "reexport", f"{nm}.{nn}", "", "re-exported", None, nm))

    def _copy_named_code(self, done: set[str]) -> bool:
        """A class a whole copy names in a string (a settings module's ``LOGGING`` handler
        class, ``DEFAULT_PAGINATION_CLASS``, a middleware) that another service owns is copied
        here when it can be replicated, so that the string points at the copy; a string naming
        code that is not copied is dropped or left as it was (:mod:`analyzer.extract.codemod`).
        Not a function: a string naming one is often a task (a beat schedule's ``"task"``),
        which a copy in every service would run in each. Whether any was copied (its own uses
        are then scanned)."""
        prog = self.prog
        copied = False
        for module in sorted(m for m, plan in self.plans.items() if plan.full and m not in done):
            done.add(module)
            for ref in prog.references_of(module):
                value = ref.get("value")
                if ref.get("kind") != "string" or not isinstance(value, str) or "." not in value:
                    continue
                head, _, name = value.rpartition(".")
                if not prog.is_module(head) or prog.place(head, name) in (self.name, SHARED):
                    continue
                unit = prog.inventory(head).units().get(name)
                if unit is None or unit.kind != "class":
                    continue  # a function named by a string is often a task: a copy in every service would run it in each
                plan = self.plans.get(head)
                if plan is not None and name in plan.units:
                    continue
                if self.decide_unit(head, name).action == REPLICATED:
                    self.require_unit(head, name, module, name, False)
                    copied = True
        return copied

    def _copy_app_configs(self) -> bool:
        """The AppConfig class INSTALLED_APPS names (``"core.apps.CoreConfig"``) of an app
        another service owns, copied when this service holds one of the app's models: left out
        of the settings, the app's models here belonged to no installed app and Django refused
        them ("doesn't declare an explicit app_label"; babybuddy's reports service with
        ``core.models.HeightPercentile``). Whether one was copied (its uses are then scanned)."""
        copied = False
        for ref in self.prog.doc.references:
            value = ref.get("value")
            if ref.get("kind") != "installed-app" or not isinstance(value, str):
                continue
            head, _, name = value.rpartition(".")
            if not self.prog.is_module(head) or self.prog.inventory(head).units().get(name) is None:
                continue
            app = self.g.app_package(value)
            plan = self.plans.get(head)
            if app is None or (plan is not None and (name in plan.units or name in plan.facade)) \
                    or not self.holds_models_of(app):
                continue
            if self.prog.place(head, name) in (self.name, SHARED) \
                    or self.decide_unit(head, name).action == REPLICATED:
                self.require_unit(head, name, head, name, False)
                copied = True
        return copied

    def _register_url_converters(self) -> bool:
        """A copied URL module whose routes use a converter (``cloaked/<sha1:unique_key>/``)
        that another module registers, one this service does not run: the monolith registers
        it first because its root URL conf includes that module earlier (healthchecks'
        ``hc.api.urls``), and the copy here failed on import with "invalid converter 'sha1'".
        The converter class is copied and the copy registers it (``ModulePlan.converters``).
        Whether one was required."""
        required = False
        for route in self.prog.doc.routes:
            plan = self.plans.get(route.module or "")
            if plan is None or not (plan.full or plan.statements) or "<" not in (route.path or ""):
                continue
            for name in re.findall(r"<(\w+):", route.path or ""):
                found = self.g.url_converters.get(name)
                if found is None or name in plan.converters:
                    continue
                module, index, qualname = found
                there = self.plans.get(module)
                if module == route.module or (there is not None and (
                        (there.full and index not in there.stubbed_statements) or index in there.statements)):
                    continue  # registered by code this service runs
                cls = qualname[len(module) + 1:]
                self.require_unit(module, cls, module, cls, False)
                if cls in self.plans[module].units:
                    plan.converters[name] = qualname
                    required = True
        return required

    def holds_models_of(self, app: str) -> bool:
        """Whether this service's copies hold a model class of the Django app ``app``."""
        for qualname in self.prog.models:
            module, _, name = qualname.rpartition(".")
            plan = self.plans.get(module)
            if plan is not None and (module == app or module.startswith(app + ".")) \
                    and (plan.full or name in plan.units):
                return True
        return False

    def _reexport_pruned(self) -> bool:
        """A vendored module that re-exports another service's code loses the import (it is
        pruned), yet code here may import the name through it (modoboa's ``from
        modoboa.admin.models import Domain``, a package re-exporting ``.domain.Domain``): the
        copy then binds it from the next module of the chain, whose copy holds the stub or
        proxy, instead of failing with ``cannot import name``. That module's copy is made to
        bind the name if it does not yet (searxng's vendored ``result_types/__init__.py``
        re-exported ``Image`` from a partial copy of ``image.py`` that kept only ``ImageRef``).
        Whether a name was required for it: its code is then scanned."""
        required = False
        for (module, name), (nm, nn) in sorted(self.provided.items()):
            plan = self.plans.get(module)
            if plan is None or not plan.full or name not in plan.pruned or nm not in self.plans:
                continue
            if name not in plan.facade:
                plan.facade[name] = FacadeEntry(name, "reexport", f"{nm}.{nn}", "", "re-exported", None, nm)
            nxt = self.plans[nm]
            if (module, name) not in self.reexported and not (
                    nxt.full or nn in nxt.units or nn in nxt.facade
                    or any(st.index in nxt.statements for st in self.prog.inventory(nm).binders(nn))):
                self.reexported.add((module, name))  # asked once: what it gives is what there is
                self.require_import(module, name, nm, nn, False)
                required = True
        return required

    def _prune_lost_reexports(self) -> None:
        """A partial copy kept an import only to pass a name on (``_provide``), but the module
        it imports from does not bind the name here: the shared library's use at the chain's
        start was pruned, so nothing in this service stubs or copies it. The import goes too;
        kept, it failed (mealie's ``household/shopping_list.py`` kept ``from
        ...recipe.api_extras import ShoppingListExtras``, another service's entity, for the
        shared ``household/__init__.py`` that had pruned its own re-export). A re-export the
        facade made for a star import's name goes the same way (``users/__init__.py``'s
        ``from .users import *`` for ``User``). Along a chain the loss travels back, hop by hop."""
        changed = True
        while changed:
            changed = False
            for (module, name), (nm, nn) in sorted(self.provided.items()):
                plan, nxt = self.plans.get(module), self.plans.get(nm)
                if plan is None or plan.full or name in plan.pruned or name in plan.units:
                    continue
                entry = plan.facade.get(name)
                if entry is not None and (entry.kind != "reexport" or entry.source_module != nm):
                    continue
                if nxt is not None and self._binds(nm, nxt, nn):
                    continue
                if not self.prog.is_module(nm) or self.prog.is_monolith(f"{nm}.{nn}"):
                    continue  # a submodule: materialized, not bound by a statement
                if entry is not None:
                    del plan.facade[name]  # a star import's name, re-exported for the chain
                else:
                    plan.pruned.add(name)
                changed = True

    def _binds(self, module: str, plan: ModulePlan, name: str) -> bool:
        """Does the copy of ``module`` bind ``name``: a class or function it keeps (a whole
        copy keeps only its units: another service's class in it is a stub or is left out),
        a facade entry, or another statement it keeps?"""
        if name in plan.pruned:
            return False
        if name in plan.units or name in plan.facade:
            return True
        if self.prog.is_module(module) and name in self.prog.inventory(module).units():
            return False
        return plan.full or any(st.index in plan.statements for st in self.prog.inventory(module).binders(name))

    def require_unit(self, module: str, name: str, origin: str, local: str, shared: bool) -> None:
        plan = self.materialize(module)
        if name in plan.units or name in plan.facade:
            return
        owner = self.prog.place(module, name)
        if owner in (self.name, SHARED):
            plan.units.add(name)
            st = self.prog.inventory(module).units().get(name)
            if st is not None:
                self._enqueue(module, st.index)
            return
        d = self.decide_unit(module, name)
        if d.action == REPLICATED:
            self._apply(d)
            plan.units.add(name)
            plan.replicas.add(name)
            st = self.prog.inventory(module).units().get(name)
            if st is not None:
                self._enqueue(module, st.index)
        elif d.action == REWIRED:
            self._apply(d)
            sym = self.prog.index.get(d.target)
            plan.facade[name] = FacadeEntry(name, "proxy", d.target, d.owner, d.reason, d.proxy, notes=d.notes,
                                            is_async=sym is not None and sym.is_async)
        elif shared and not (d.kind == "function" and self._handed_to_depends(origin, local)):
            self._prune(origin, local, d)
        else:
            self._apply(d)
            plan.facade[name] = self._stub(name, d)

    def _handed_to_depends(self, module: str, name: str) -> bool:
        """Does ``module`` hand ``name`` to FastAPI's ``Depends(...)`` (a default of a
        dependency's parameter, ``role = Depends(get_current_role)``, or an ``Annotated``
        alias)? The shared library's copy then keeps the code with a stub in its place, which
        fails only when a request needs it: pruned, it took with it every dependency built
        on it (Dispatch's ``common_parameters`` and ``CommonParameters``, which the views of
        15 of its services import)."""
        return any(name in st.depends for st in self.prog.inventory(module).statements)

    def _stub(self, name: str, d: Decision) -> FacadeEntry:
        """The stub of a unit; a function's is a function of the same parameters (Slack Bolt
        inspects a middleware it is handed when the decorator runs: Dispatch's ``db_middleware``,
        a stub object, failed the import)."""
        sym = self.prog.index.get(d.target)
        if d.kind != "function" or sym is None or sym.kind != FUNCTION:
            return FacadeEntry(name, "stub", d.target, d.owner, d.reason)
        params = tuple(WireParam(p["name"], p["kind"], p.get("default") is not None, None, False)
                       for p in sym.params)
        return FacadeEntry(name, "stub", d.target, d.owner, d.reason, params=params, is_async=sym.is_async)

    def require_var(self, module: str, name: str, origin: str, local: str, shared: bool) -> None:
        plan = self.materialize(module)
        if plan.full:
            return
        binders = self.prog.inventory(module).binders(name)
        owner = self.g.slug(self.prog.top(module))
        target = f"{module}.{name}"
        plain = _copied_var(binders, shared)
        if plain or self._made_of_copies(module, name):
            for st in binders:
                if st.index not in plan.statements:
                    plan.statements.add(st.index)
                    self._enqueue(module, st.index)
            maker = next((st.maker for st in binders if st.maker), "")
            why = (f"an instance `{maker}` makes of constants: copied, so that this service makes its own"
                   if maker and plain else "a module-level constant: copied" if plain
                   else "a module-level value made of constants and code copied here: copied")
            self._apply(Decision(self.svc.slug, target, owner, "variable", REPLICATED, why))
            return
        if binders and all(st.dependency for st in binders):
            # a route naming it must still be defined (FastAPI reads the type on import), and
            # the shared library's own aliases built on it too (Dispatch's ``CommonParameters``
            # on ``CurrentUser``): a dependency that raises NotExtracted when a request needs it
            d = Decision(self.svc.slug, target, owner, "variable", STUBBED,
                         f"a FastAPI dependency of the {owner} service: a request that needs it fails "
                         "(NotExtracted) until it is ported here")
            self._apply(d)
            plan.facade[name] = FacadeEntry(name, "dependency", target, owner, d.reason)
            return
        d = Decision(self.svc.slug, target, owner, "variable", STUBBED,
                     f"a module-level value of the {owner} service that is not a constant")
        if shared:
            self._prune(origin, local, d)
        else:
            self._apply(d)
            plan.facade[name] = FacadeEntry(name, "stub", target, owner, d.reason)

    def _prune(self, origin: str, local: str, d: Decision) -> None:
        self.materialize(origin).pruned.add(local)
        self.decisions.setdefault((d.target, PRUNED), Decision(
            d.service, d.target, d.owner, d.kind, PRUNED, f"the shared library ({origin}) uses it; {d.reason}"))

    def _apply(self, d: Decision) -> None:
        self.decisions.setdefault((d.target, "use"), d)

    def _record(self, d: Decision) -> Decision:
        return self.memo.setdefault(d.target, d)

    # -- decisions -------------------------------------------------------------------------------------
    def decide_unit(self, module: str, name: str) -> Decision:
        target = f"{module}.{name}"
        known = self.memo.get(target)
        if known is not None:
            return known
        prog = self.prog
        owner = self.g.slug(prog.place(module, name))
        st = prog.inventory(module).units()[name]
        if target in prog.models and prog.models[target].abstract:
            # an abstract model has no table: the service's own models derive from it (zds-site's
            # forum Post from the search app's AbstractSearchIndexableModel), and derived from a
            # stub they failed when their class was defined
            return self._record(Decision(self.svc.slug, target, owner, "class", REPLICATED,
                                         "an abstract model: it has no table of its own, copied for the models "
                                         "that derive from it"))
        if target in prog.models:
            return self._record(Decision(
                self.svc.slug, target, owner, "entity", STUBBED,
                f"the {owner} service's entity `{name}`: using its ORM class here is direct database access, "
                "not a call"))
        if st.kind == "class" and self._rows(module, name):
            # a queryset or manager of another service's module, made a model's ``objects``
            # here (treeherder's FailuresQuerySet.as_manager() in the Job model's body): it
            # works on the rows of the model using it, which live in this service's database
            return self._record(Decision(self.svc.slug, target, owner, "class", REPLICATED,
                                         "a queryset or manager class: it works on the rows of the model "
                                         "that uses it, copied"))
        copyable, why_not = self.replicable(module, name)
        if st.kind == "class":
            if copyable:
                what = "a dataclass" if st.dataclass else "an enum" if st.enum else "a class"
                return self._record(Decision(self.svc.slug, target, owner, "class", REPLICATED,
                                             f"{what} with no database access or shared module state: copied"))
            return self._record(Decision(self.svc.slug, target, owner, "class", STUBBED,
                                         f"a class of the {owner} service that {why_not}: its instances cannot cross"))
        hit = self.clients.get(target)
        notes: tuple[str, ...] = ()
        if hit is not None:
            ok, notes, why, proxy = self.crossable(target, module, hit)
            bound = prog.request_bound(target)
            if bound is not None:
                ok, why = False, f"reads the HTTP request being served (through `{bound}`)"
            elif ok and copyable and prog.called_on_import(target):
                # no client is bound while a module is imported, and what such a call sets
                # up (a registry of plugins) is the calling process's own
                ok, why = False, "a module's top-level code calls it, on import, where no remote call can go"
            if ok:
                return self._record(Decision(self.svc.slug, target, owner, "function", REWIRED,
                                             f"through {hit[0].class_name}.{hit[1].operation.func}", notes, proxy))
        else:
            why = "no client operation for it (the analysis saw no call to it from this service)"
        if copyable:
            return self._record(Decision(self.svc.slug, target, owner, "function", REPLICATED,
                                         f"{why}; copied instead (no database access, no shared module state)", notes))
        return self._record(Decision(self.svc.slug, target, owner, "function", STUBBED,
                                     f"{why}; cannot be copied: it {why_not}", notes))

    def _rows(self, module: str, name: str) -> bool:
        """A Django queryset or manager class, itself or through the project's classes it
        derives from (evennia's ``TypedObjectManager(SharedMemoryManager)``); in a Django
        monolith, also one deriving from a library's class named like one (zds-site's
        ``PostManager(InheritanceManager)``, of django-model-utils)."""
        django = self.g.django_settings is not None
        return self._class_is(module, name, lambda st: st.rows or (st.rows_like and django))

    def _class_is(self, module: str, name: str, test, depth: int = 0) -> bool:
        """Whether a class of the project passes ``test`` (on its statement), itself or through
        the project's classes it derives from."""
        st = self.prog.inventory(module).units().get(name)
        if st is None or st.kind != "class" or depth > 16:
            return False
        if test(st):
            return True
        for base in self.prog.bases.get(f"{module}.{name}", ()):
            sym = self.prog.index.get(base)
            if sym is not None and base == f"{sym.module}.{sym.name}" and sym.module in self.prog.modules \
                    and self._class_is(sym.module, sym.name, test, depth + 1):
                return True
        return False

    def replicable(self, module: str, name: str) -> tuple[bool, str]:
        """Whether a unit can be copied here, or why not. A data shape (a pydantic model, a
        dataclass...) is copied even when one of its methods reaches the database (mealie's
        ``Recipe`` schema builds a search query in ``filter_search_query``): FastAPI reads it as
        a response model when a route is defined, so a stub fails the module on import, while
        in a copy only that method fails, and only when called (another service's entity is a
        stub here); what it reads when it is defined is checked as for any class."""
        inv = self.prog.inventory(module)
        st = inv.units()[name]
        state = sorted(n for n in st.refs & inv.mutated if not inv.per_process(n))
        if state:
            return False, f"uses the module state `{state[0]}`"
        shape = st.kind == "class" and self._data_shape(module, name)
        touching = self.prog.touches(f"{module}.{name}")
        if touching is not None and not shape:
            return False, f"reaches the database (`{touching}`)"
        if st.kind in ("class", "def"):
            at_definition = self._fails_at_definition(module, name, st)
            if at_definition is not None:
                return False, f"reads {at_definition} when it is defined"
        for ref in sorted(st.defined_with if shape else st.refs):
            # an entity class named in it: a schema or form of another service's model
            # (CTFd's ``ChallengeSchema``: ``model = Challenges``, ``field_for(Challenges, ...)``)
            # reads the ORM class when it is defined, and the copy here would get a stub
            entity = self._foreign_entity(self.prog.resolve(module, ref))
            if entity is not None:
                return False, f"uses {entity}"
        return True, ""

    def _data_shape(self, module: str, name: str) -> bool:
        """A class describing data: a dataclass, an enum, or one deriving (through the
        project's classes) from pydantic's ``BaseModel``, ``TypedDict``, ``NamedTuple``..."""
        return self._class_is(module, name, lambda st: st.dataclass or st.enum or st.model_like)

    def crossable(self, target: str, module: str, hit: tuple[Client, ClientCall],
                  ) -> tuple[bool, tuple[str, ...], str, Proxy | None]:
        client, call = hit
        op = call.operation
        sym = self.prog.index[target]
        owner_service = self.prog.placement.get(target, SHARED)
        owner = self.g.slug(owner_service)
        fields = {f.wire_name: f for f in op.request.fields}
        notes: list[str] = []
        problems: list[str] = []
        params: list[WireParam] = []
        for p in (p for p in sym.params if isinstance(p, dict) and p.get("name")):
            name = str(p["name"])
            kind = p.get("kind") or "positional"
            ann = p.get("annotation")
            has_default = p.get("default") is not None
            if kind == "var_keyword":
                params.append(WireParam(name, kind, False, None, False))
                continue
            if name not in fields:
                head = annotation_head(ann)
                if head in SESSION_NAMES or head.endswith("Session"):
                    if not self.g.local_to(self.g.session_factory, owner_service):
                        problems.append(f"`{name}` is a database session and the {owner} service has no session "
                                        "factory")
                    else:
                        notes.append(f"`{name}`: stays here, the {owner} service opens its own session")
                    params.append(WireParam(name, kind, has_default, None, False))
                    continue
                what = PLUMBING.get(head, f"`{head or 'untyped'}`")
                problems.append(f"`{name}` is {what} of the caller: it cannot cross")
                continue
            f = fields[name]
            ok, note = self.classify(module, ann, target, owner_service)
            refused = ""
            if not ok and has_default:  # the caller may leave it out: the proxy refuses it when given
                refused, ok = f"`{name}`: {note}", True
                note = f"{note}; the proxy refuses it when a caller passes it"
            if note:
                (notes if ok else problems).append(f"`{name}`: {note}")
            params.append(WireParam(name, kind, has_default, f.wire_name, plain(f.type), refused))
        result = next((f for f in op.response.fields if f.name == "result"), None)
        ok, note = self.classify(module, sym.returns, target, owner_service, result=True)
        if note:
            (notes if ok else problems).append(f"result: {note}")
        proxy = Proxy(client.module, client.class_name, op.func, op.request.name, tuple(params),
                      plain(result.type) if result is not None else False, op.path)
        if problems:
            return False, tuple(notes), "; ".join(problems), None
        return True, tuple(notes), "", proxy

    def classify(self, module: str, annotation: str | None, target: str, owner_service: str,
                 result: bool = False) -> tuple[bool, str | None]:
        """Can a value of this annotation cross the wire, and how (a note for the report)."""
        if not annotation:
            return True, None if result else "untyped: the wire codec checks the value at run time"
        if map_annotation(annotation).exact:
            return True, None
        owner = self.g.slug(owner_service)
        notes = []
        for dotted_name in annotation_names(annotation):
            last = dotted_name.rsplit(".", 1)[-1]
            if last in CALLABLE_NAMES:
                return False, f"a callback (`{annotation}`) cannot cross"
            if last in IO_NAMES:
                return False, f"an open file (`{annotation}`) cannot cross"
            if last in ITERATOR_NAMES:
                return False, f"an iterator (`{annotation}`) cannot cross"
            if last in PLUMBING:
                return False, f"{PLUMBING[last]} (`{annotation}`) cannot cross"
            t = self._resolve_dotted(module, dotted_name)
            if t is None or t.kind != "unit":
                continue
            q = t.qualname
            entity = self.prog.models.get(q)
            if entity is not None:
                ent_owner = self.prog.entity_owner.get(entity.id, SHARED)
                if result:
                    notes.append(f"`{entity.name}` comes back as a read-only snapshot")
                elif ent_owner == owner_service:
                    notes.append(f"`{entity.name}` crosses as its primary key; {owner} reloads it")
                elif entity.id in self.prog.writes_reach(target):
                    return False, (f"`{entity.name}` is written there but owned by {self.g.slug(ent_owner)}: a copy "
                                   "would lose the writes")
                else:
                    notes.append(f"`{entity.name}` (owned by {self.g.slug(ent_owner)}) crosses as a read-only "
                                 "snapshot")
                continue
            st = self.prog.inventory(t.module).units().get(t.name or "")
            if st is not None and st.kind == "class":
                if st.dataclass or st.enum:
                    notes.append(f"`{t.name}` crosses field by field")
                else:
                    return False, f"`{t.name}` instances cannot cross (neither plain data, an entity nor a dataclass)"
        return True, "; ".join(notes) or None

    def _resolve_dotted(self, module: str, dotted_name: str) -> Target | None:
        parts = dotted_name.split(".")
        if not self.prog.is_module(module):
            return None
        t = self.prog.resolve(module, parts[0])
        for part in parts[1:]:
            if t.kind != "module" or not self.prog.is_module(t.module):
                return None
            t = self.prog.resolve(t.module, part)
        return t

    # -- what the service serves ---------------------------------------------------------------------
    def operations(self) -> tuple[OperationPort, ...]:
        out = []
        for op in self.svc.operations:
            out.append(self._operation(op))
        return tuple(out)

    def _operation(self, op: Operation) -> OperationPort:
        prog = self.prog
        sym = prog.index.get(op.symbol)
        if sym is None or sym.module not in self.plans:
            return OperationPort(op.func, op.symbol, False, "its code is not in this service")
        if sym.kind == METHOD:
            return OperationPort(op.func, op.symbol, False, "a method: the service cannot build the object it is "
                                                          "called on")
        unit = op.symbol[len(sym.module) + 1:]
        if "." in unit or unit not in self.plans[sym.module].units:
            return OperationPort(op.func, op.symbol, False, "not a top-level function or class of a module here")
        params = sym.params
        if sym.kind == CLASS:
            init = prog.index.get(f"{op.symbol}.__init__")
            params = tuple(init.params[1:]) if init is not None else ()
        wire = {f.wire_name for f in op.request.fields}
        session = star = None
        positional = []
        for p in (p for p in params if isinstance(p, dict) and p.get("name")):
            name, kind = str(p["name"]), p.get("kind") or "positional"
            if kind == "var_positional":
                star = name
            elif kind == "positional_only":
                positional.append(name)
            if kind in ("var_keyword", "var_positional") or name in wire:
                continue
            head = annotation_head(p.get("annotation"))
            if (head in SESSION_NAMES or head.endswith("Session")) and session is None:
                if not self.g.local_to(self.g.session_factory, self.name):
                    return OperationPort(op.func, op.symbol, False, "needs a database session and the monolith has "
                                                                  "no session factory here")
                session = name
                continue
            if p.get("default") is not None:
                continue
            return OperationPort(op.func, op.symbol, False,
                                 f"needs `{name}` ({PLUMBING.get(head, head or 'untyped')}) from its caller")
        result = next((f for f in op.response.fields if f.name == "result"), None)
        tree = self.plans[sym.module].tree
        return OperationPort(op.func, op.symbol, True, "", f"{self.svc.package}.{tree}.{sym.module}:{unit}",
                             session, star, tuple(positional), plain(result.type) if result is not None else False,
                             result is not None and array(result.type))

    def routes(self) -> tuple[RoutePort, ...]:
        frameworks = {(r.handler, r.path): r.framework for r in self.prog.doc.routes}
        local_app = self.g.local_to(self.g.app_factory, self.name)
        out = []
        for r in self.svc.routes:
            framework = frameworks.get((r.handler, r.original))
            placed = self.prog.placement.get(r.handler, SHARED)
            if framework != "flask":
                reason = f"a {framework or 'non-Flask'} view: only Flask views are dispatched to moved code"
            elif not local_app:
                reason = "no Flask app factory in the shared library or this service to serve it"
            elif placed != self.name:
                reason = f"its handler is placed in {self.g.slug(placed)}"
            else:
                reason = ""
            out.append(RoutePort(r.func, r.handler, not reason, reason))
        return tuple(out)

    # -- counting -----------------------------------------------------------------------------------
    def call_sites(self) -> tuple[CallSite, ...]:
        out = []
        for c in cross_calls(self.prog.doc, self.prog.placement):
            if c.source_service != self.name:
                continue
            action, reason = self._fate(c.callee)
            out.append(CallSite(self.svc.slug, c.caller, c.callee, self.g.slug(c.target_service), c.weight, action,
                                reason))
        return tuple(out)

    def _fate(self, callee: str) -> tuple[str, str]:
        d = self.decisions.get((callee, "use"))
        if d is not None:
            return d.action, d.reason
        head = callee
        while "." in head:
            head = head.rsplit(".", 1)[0]
            d = self.decisions.get((head, "use"))
            if d is not None:
                if d.action == REPLICATED:
                    return REPLICATED, f"a method of `{head.rsplit('.', 1)[-1]}`, which is copied"
                return STUBBED, f"a method of `{head.rsplit('.', 1)[-1]}`: {d.reason}"
        sym = self.prog.index.get(callee)
        if sym is not None and sym.kind == METHOD:
            return STUBBED, ("a method of another service's class, called on an object this code holds: "
                             "left as it is")
        return STUBBED, "not reached through a name this code imports (an indirect call): left as it is"

    def foreign_accesses(self) -> tuple[ForeignAccess, ...]:
        prog = self.prog
        paths = {m: info.path for m, info in prog.modules.items()}
        out = []
        for e in sorted(prog.doc.edges, key=lambda e: (e.source, e.target, e.kind)):
            if e.kind not in (READ, WRITE) or prog.placement.get(e.source) != self.name:
                continue
            entity = prog.entities.get(e.target)
            owner = prog.entity_owner.get(e.target)
            if entity is not None and owner is None and entity.table:
                owner = prog.table_owner.get(entity.table)
            if owner == self.name:
                continue
            sym = prog.index.get(e.source)
            module = sym.module if sym is not None else ""
            line = e.lines[0] if e.lines else (sym.line if sym is not None else 0)
            name = entity.name if entity is not None else e.target.removeprefix("entity:")
            out.append(ForeignAccess(self.svc.slug, e.source, name,
                                     self.g.slug(owner) if owner and owner != SHARED else "nobody", e.kind,
                                     f"{paths.get(module, module)}:{line}"))
        return tuple(out)


def module_path(module: str, is_package: bool) -> str:
    parts = module.split(".")
    return str(PurePosixPath(*parts, "__init__.py")) if is_package else str(PurePosixPath(*parts[:-1], parts[-1] + ".py"))
