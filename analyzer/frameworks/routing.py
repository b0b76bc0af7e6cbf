"""What every HTTP detector shares: endpoints, router objects mounted under prefixes, and
the decorator pattern ``@<router>.<verb>(path)``.

A router object (a Flask app or blueprint, a FastAPI app or ``APIRouter``, a DRF router) is
identified by the binding it comes from (``shop.catalog.views:bp``), so the object used in
``app.register_blueprint(views.bp, url_prefix="/catalog")`` and in ``@bp.route(...)`` is the
same one wherever it was imported. Each framework says what a mount adds to the path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from analyzer.frameworks.program import Program, outside, tail
from analyzer.model import Route

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
WEBSOCKET = "WEBSOCKET"  # the method of an endpoint that is a WebSocket, routed as kind "websocket"
MAX_PREFIXES = 16  # one router mounted in many places: keep the first few


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A route before its router's prefixes are known."""

    router: str | None
    path: str
    methods: tuple[str, ...]
    handler: str | None
    module: str
    line: int
    framework: str
    name: str | None = None


def join_url(prefix: str, path: str) -> str:
    """``/catalog`` + ``/products`` -> ``/catalog/products``; an empty path is the prefix."""
    if not path:
        return prefix or "/"
    if not prefix:
        return path if path.startswith("/") else "/" + path
    return prefix.rstrip("/") + "/" + path.lstrip("/")


class Mounts:
    """Router objects, their own prefixes and where they are mounted."""

    def __init__(self) -> None:
        self.own: dict[str, str] = {}
        self.framework: dict[str, str] = {}
        self.parents: dict[str, list[tuple[str | None, str]]] = {}
        self._memo: dict[str, list[str]] = {}

    def router(self, key: str, prefix: str, framework: str) -> None:
        self.own.setdefault(key, prefix)
        self.framework.setdefault(key, framework)

    def mount(self, parent: str | None, child: str, adds: str) -> None:
        """``child`` is reachable under ``parent``'s prefixes followed by ``adds``."""
        entry = (parent, adds)
        found = self.parents.setdefault(child, [])
        if entry not in found:
            found.append(entry)

    def prefixes(self, key: str | None, stack: tuple[str, ...] = ()) -> list[str]:
        if key is None:
            return [""]
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        if key in stack:
            return []
        mounts = self.parents.get(key)
        if not mounts:
            out = [self.own.get(key, "")]
        else:
            out = []
            for parent, adds in mounts:
                for p in self.prefixes(parent, stack + (key,)):
                    full = join_url(p, adds) if adds else p
                    if full not in out:
                        out.append(full)
            out = out[:MAX_PREFIXES] or [self.own.get(key, "")]
        self._memo[key] = out
        return out

    def mounted(self, key: str) -> bool:
        return key in self.parents


def routes_of(endpoints: Iterable[Endpoint], mounts: Mounts) -> list[Route]:
    """One :class:`Route` per (method, full path, handler): the first handler of a path
    has the plain id, a second one for the same path its own (``... (handler)``)."""
    out: dict[str, Route] = {}
    for ep in sorted(endpoints, key=lambda e: (e.module, e.line, e.path, e.handler or "")):
        for prefix in mounts.prefixes(ep.router):
            path = join_url(prefix, ep.path)
            for method in ep.methods:
                kind = "websocket" if method == WEBSOCKET else "http"
                rid = f"entry:websocket:{path}" if kind == "websocket" else f"entry:http:{method} {path}"
                held = out.get(rid)
                if held is not None and held.handler != ep.handler and ep.handler:
                    # the same method and path for another handler: a prefix we could not read
                    # (or a route the first shadows); both handlers stay entry points
                    rid = f"{rid} ({ep.handler})"
                if rid not in out:
                    out[rid] = Route(id=rid, kind=kind, handler=ep.handler, path=path,
                                     methods=(method,) if kind == "http" else (),
                                     name=ep.name, module=ep.module, line=ep.line, framework=ep.framework)
    return list(out.values())


def bound_sites(prog: Program) -> dict[tuple[str, int], str]:
    """Call site -> the binding it makes (``scope:name``, a router's key for :class:`Mounts`):
    ``api = Router(...)`` is the router ``pkg.app:api`` wherever it is listed or mounted."""
    out: dict[tuple[str, int], str] = {}
    for module in prog.modules:
        for b in prog.facts[module].bindings:
            if b.call is not None:
                out.setdefault((module, b.call), f"{b.scope}:{b.name}")
    return out


def framework_of(values: Iterable[str], roots: dict[str, str], prog: Program) -> str | None:
    """The framework an object belongs to, from its values: an outside object
    (``xi:flask.Blueprint``) or an instance of a project subclass of one."""
    for v in sorted(values):
        path = outside(v)
        if path is not None:
            fw = roots.get(path.split(".")[0])
            if fw:
                return fw
        elif v.startswith("i:") and v[2:] in prog.defs:
            for b in prog.r.external_bases(v[2:]):
                p = outside(b)
                fw = roots.get(p.split(".")[0]) if p else None
                if fw:
                    return fw
            for c in prog.r.mro(v[2:]):  # a class of the project's own copy of the framework
                copied = prog.vendored_root(c, roots)
                if copied:
                    return roots[copied]
    return None


def literal_verbs(value: object) -> tuple[str, ...]:
    """``methods="POST"`` or ``methods=("GET", "POST")`` as sorted upper-case verbs; ``GET``
    when the value is not known. Only strings name verbs: a number in the tuple names none
    (and so the stage's output never depends on which number it is: ``frameworks_view``)."""
    if isinstance(value, str):
        value = (value,)
    verbs = {m.upper() for m in value if isinstance(m, str)} if isinstance(value, tuple) else set()
    return tuple(sorted(verbs)) if verbs else ("GET",)


def class_verbs(prog: Program, cls: str) -> tuple[str, ...]:
    """HTTP methods a class-based view answers: the verb methods its project MRO defines."""
    methods = prog.methods_in_mro(cls)
    return tuple(v.upper() for v in HTTP_VERBS if v in methods and v not in ("head", "options"))


@dataclass(frozen=True, slots=True)
class RouterSpec:
    """How one decorator-style web framework declares routers, routes and mounts."""

    name: str
    roots: frozenset[str]
    routers: dict[str, str | None]  # router class name -> keyword of its own prefix (None: none)
    wrappers: frozenset[str]  # router classes built on another router (``Api(bp)``)
    decorators: frozenset[str]  # ``route`` and the verbs
    any_verb: frozenset[str]  # decorators taking ``methods=[...]`` (``route``, ``api_route``)
    # method -> (child pos, child kw, prefix pos (None: keyword only), prefix kw, replaces own)
    mounts: dict[str, tuple[int, str, int | None, str, bool]]
    rules: dict[str, tuple[int, str, int, str]]  # method -> (path pos, path kw, view pos, view kw)
    resources: frozenset[str] = frozenset()  # ``api.add_resource(Resource, "/a", "/b")``
    # routers whose own path, when none is given, is "/" + their first argument (a Flask-RESTX
    # ``Namespace("notes")`` serves under ``/notes``)
    named: frozenset[str] = frozenset()
    # router methods that make a router mounted on themselves: method -> keyword of its path
    # (``api.namespace("todos")``: a namespace under the Api, at "/" + its name by default)
    factories: dict[str, str] = field(default_factory=dict)
    # decorators and rule methods whose endpoint is a WebSocket (``@router.websocket("/ws")``)
    websockets: frozenset[str] = frozenset()
    # router methods that serve the router under the one given: method -> (position, keyword)
    # (``api.init_app(bp)``: a Flask-RESTful ``Api`` made empty, then attached to a blueprint)
    attaches: dict[str, tuple[int, str]] = field(default_factory=dict)
    # decorators that take no path: the view serves at its router's own (Cornice's
    # ``svc = Service(path="/orders/{id}")`` and ``@svc.get()``)
    pathless: bool = False


class DecoratorRouting:
    """Routers, mounts and routes of one :class:`RouterSpec` framework."""

    def __init__(self, prog: Program, spec: RouterSpec, mounts: Mounts, fallback: bool) -> None:
        self.prog = prog
        self.spec = spec
        self.mounts = mounts
        self.fallback = fallback  # claim unresolved ``@x.route("/path")`` decorators
        self.roots = {r: spec.name for r in spec.roots}
        self.unresolved: list[str] = []
        self._router_memo: dict[str, str | None] = {}
        self._made_memo: dict[str, str | None] = {}  # function value -> the router it returns
        self._returned_memo: dict[frozenset[str], str | None] = {}  # a callee's values -> the same
        self._registrar_memo: dict[str, list[Registrar]] | None = None

    def run(self) -> list[Endpoint]:
        if not self.prog.uses(*self.spec.roots) and not self.prog.vendored(*self.spec.roots):
            return []
        self._routers()
        self._mounts()
        return self._decorated() + self._rules() + self._registered()

    # -- routers and mounts ------------------------------------------------------------
    def _router_class(self, values) -> str | None:
        """The router class (a key of ``spec.routers``) the first matching value is or
        subclasses. Asked for every binding made by a call, so answered once per value."""
        memo = self._router_memo
        for v in values:
            if v in memo:
                found = memo[v]
            else:
                found = memo[v] = self._is(v, self.spec.routers)
            if found is not None:
                return found
        return None

    def _is(self, v: str, names) -> str | None:
        """Which of ``names`` the value is, as a framework class or a subclass of one."""
        path = outside(v)
        if path and path.split(".")[0] in self.spec.roots and path.rsplit(".", 1)[-1] in names:
            return path.rsplit(".", 1)[-1]
        if v.startswith("d:") and self.prog.kind(v[2:]) == "class":
            for b in self.prog.r.external_bases(v[2:]):
                p = outside(b)
                if p and p.split(".")[0] in self.spec.roots and p.rsplit(".", 1)[-1] in names:
                    return p.rsplit(".", 1)[-1]
            for c in self.prog.r.mro(v[2:]):  # the project's own copy of the framework
                if c.rsplit(".", 1)[-1] in names and self.prog.vendored_root(c, self.spec.roots):
                    return c.rsplit(".", 1)[-1]
        return None

    def _routers(self) -> None:
        prog = self.prog
        spec = self.spec
        for module, b, targets in self._bound_calls():
            c = prog.facts[module].calls[b.call]
            cls = self._router_class(targets)
            if cls is None:
                made = self._handed_back(c, targets)  # ``bp = timed(Blueprint("v2", ...))``
                if made is None:
                    continue
                c = prog.facts[module].calls[made]
                cls = self._router_class(prog.targets(module, made))
                if cls is None:
                    continue
            key = f"{b.scope}:{b.name}"
            kw = spec.routers[cls]
            own = prog.literal_str(module, c.scope, prog.arg(c, None, kw)) if kw else None
            if own is None and cls in spec.named:
                own = self._named_path(module, c)
            self.mounts.router(key, own or "", spec.name)
            if cls in spec.wrappers:
                first = prog.arg(c, 0, "app")
                parent = prog.locate(c.scope, first.expr) if first is not None and first.expr else None
                if parent is not None:
                    self.mounts.mount(parent, key, own or "")
        if spec.factories:
            self._made_routers()
        self._factory_routers()

    def _handed_back(self, c, targets) -> int | None:
        """The call made in place as the argument a project function returns as it was given
        (``def timed_blueprint(bp, ...): bp.before_request(...); return bp``): what the
        binding of ``timed_blueprint(Blueprint("v2", __name__))`` holds."""
        if not any(a.call is not None for a in c.args):
            return None  # no argument is a call: asked of every binding made by a call
        arg = self.prog.r.passed_argument(c, targets)
        return arg.call if arg is not None else None

    def _returned_router(self, values) -> str | None:
        """The router a project function makes and returns (``def make_blueprint(): bp =
        Blueprint(...); ...; return bp``), for the values a call's callee evaluates to."""
        memo = self._returned_memo
        if values in memo:  # equal sets are one object: asked of every binding made by a call
            return memo[values]
        found = None
        for v in sorted(values):
            if not v.startswith("d:"):
                continue
            if v not in self._made_memo:
                self._made_memo[v] = self._made_by(v[2:])
            if self._made_memo[v] is not None:
                found = self._made_memo[v]
                break
        memo[values] = found
        return found

    def _made_by(self, func: str) -> str | None:
        prog = self.prog
        if prog.kind(func) != "function":
            return None
        for b in prog.bindings(func, "<return>"):
            key = prog.locate(func, b.expr) if b.expr and b.expr.isidentifier() else None
            if key is None:
                continue
            if key not in self.mounts.own and key.startswith(func + ":") and self._builds_router(func):
                self.mounts.router(key, "", self.spec.name)  # ``router = router or APIRouter(...)``
            if key in self.mounts.own:
                return key
        return None

    def _builds_router(self, func: str) -> bool:
        """Whether ``func`` makes a router of this framework (a call of a router class)."""
        prog = self.prog
        module = prog.module_of(func)
        return any(c.scope == func and self._router_class(prog.targets(module, i)) is not None
                   for i, c in enumerate(prog.facts[module].calls))

    def _bound_calls(self):
        """``(module, binding, what its call's callee evaluates to)`` for every name bound
        to a call: where router objects come from."""
        prog = self.prog
        for module in prog.modules:
            for b in prog.facts[module].bindings:
                if b.call is not None:
                    yield module, b, prog.targets(module, b.call)

    def _factory_routers(self) -> None:
        """A router a project function returns is the router its callers bind: its routes
        serve wherever the caller's router is mounted (``api = make_blueprint()`` then
        ``app.register_blueprint(api, url_prefix="/api")``), beside those the caller adds."""
        for _module, b, targets in self._bound_calls():
            made = self._returned_router(targets)
            if made is None:
                continue
            key = f"{b.scope}:{b.name}"
            if made == key:
                continue
            self.mounts.router(key, "", self.spec.name)
            self.mounts.mount(key, made, self.mounts.own.get(made, ""))

    def _made_routers(self) -> None:
        """Routers a router makes on itself (``todos = api.namespace("todos")``)."""
        prog = self.prog
        sites = {(site.module, site.index) for site in prog.named(self.spec.factories)}
        for module in sorted({m for m, _ in sites}):
            facts = prog.facts[module]
            for b in facts.bindings:
                if b.call is None or (module, b.call) not in sites:
                    continue
                c = facts.calls[b.call]
                callee = c.callee or ""
                method = callee.rsplit(".", 1)[-1]
                if "." not in callee:  # prog.named: the method is one of the factories
                    continue
                parent = prog.locate(c.scope, callee.rsplit(".", 1)[0])
                if parent is None or parent not in self.mounts.own:
                    continue
                own = prog.literal_str(module, c.scope, prog.arg(c, None, self.spec.factories[method]))
                if own is None:
                    own = self._named_path(module, c) or ""
                key = f"{b.scope}:{b.name}"
                self.mounts.router(key, own, self.spec.name)
                self.mounts.mount(parent, key, own)

    def _named_path(self, module: str, c) -> str | None:
        """``"/" + name`` for a router made as ``Namespace("name")`` / ``api.namespace("name")``."""
        name = self.prog.literal_str(module, c.scope, self.prog.arg(c, 0, "name"))
        return "/" + name.strip("/") if name else None

    def _mounts(self) -> None:
        for site in self.prog.named(self.spec.mounts):
            for c in self._row_calls(site.module, site.call):
                self._mount(site, c)
        for site in self.prog.named(self.spec.attaches):
            self._attach(site.call)

    def _attach(self, c) -> None:
        """``api.init_app(bp)``: the receiver's routes serve under ``bp``'s prefixes."""
        prog = self.prog
        recv, _, method = (c.callee or "").rpartition(".")
        if not recv or method not in self.spec.attaches:
            return
        child = prog.locate(c.scope, recv)
        arg = prog.arg(c, *self.spec.attaches[method])
        parent = prog.locate(c.scope, arg.expr) if arg is not None and arg.expr else None
        if child in self.mounts.own and parent in self.mounts.own and child != parent:
            self.mounts.mount(parent, child, self.mounts.own[child])

    def _mount(self, site, c) -> None:
        """``app.include_router(router, prefix="/v1")``, ``app.register_blueprint(bp, url_prefix=...)``."""
        prog = self.prog
        method = (c.callee or "").rsplit(".", 1)[-1]
        rule = self.spec.mounts.get(method)
        if rule is None or "." not in (c.callee or ""):
            return
        pos, kw, prefix_pos, prefix_kw, replaces = rule
        child_arg = prog.arg(c, pos, kw)
        if child_arg is None or not child_arg.expr:
            return
        child = prog.locate(_scope_of(child_arg, c.scope), child_arg.expr)
        if (child is None or child not in self.mounts.own) and child_arg.call is not None:
            child = self._returned_router(prog.targets(site.module, child_arg.call))  # ``make_bp()``
        if child is None or child not in self.mounts.own:
            return
        parent = prog.locate(c.scope, c.callee.rsplit(".", 1)[0])
        prefix_arg = prog.arg(c, prefix_pos, prefix_kw)
        prefix = prog.literal_str(site.module, _scope_of(prefix_arg, c.scope), prefix_arg)
        if prefix is None and prefix_arg is not None:
            self.unresolved.append(f"{c.scope}: {prefix_kw}={prefix_arg.expr or '...'}")
        if method == "mount":  # Starlette: app.mount("/path", sub_app)
            prefix = prog.literal_str(site.module, c.scope, prog.arg(c, 0, "path"))
        own = self.mounts.own.get(child, "")
        if replaces:
            adds = prefix if prefix is not None else own
        else:
            adds = join_url(prefix, own) if prefix and own else (prefix or "") + own
        self.mounts.mount(parent, child, adds)

    # -- routes ------------------------------------------------------------------------
    def _decorated(self) -> list[Endpoint]:
        prog = self.prog
        spec = self.spec
        out: list[Endpoint] = []
        for q, d, dec in prog.decorator_calls(spec.decorators):
            recv, _, verb = dec.expr.rpartition(".")
            if not recv:
                continue  # a bare ``@get(...)``: no router named
            parent = prog.parent_scope(q)
            module = prog.module_of(q)
            values = prog.r.eval(parent, recv)
            fw = framework_of(values, self.roots, prog)
            if spec.pathless:
                path = "" if fw == spec.name and prog.locate(parent, recv) in self.mounts.own else None
            else:
                path = self._path(module, parent, _path_arg(dec.args))
            if fw != spec.name:
                known = any(not v.startswith(("b:", "bi:")) for v in values)
                if known or not self.fallback or not (path or "").startswith("/"):
                    continue
            if path is None:
                self.unresolved.append(f"{q}: {dec.expr}(...)")
                continue
            methods = self._methods(verb, dec.args, module, parent)
            if d.kind == "class":
                methods = class_verbs(prog, q) or methods
            router = prog.locate(parent, recv) or f"{parent}:{recv}"
            name = prog.literal_str(module, parent, _kw(dec.args, "endpoint") or _kw(dec.args, "name"))
            out.append(Endpoint(router, path, methods, q, module, dec.line, spec.name, name))
        return out

    def _registered(self) -> list[Endpoint]:
        """Definitions decorated by a project decorator factory that registers what it
        decorates (:meth:`_registrars`): ``@resource("/v1/repository")`` on a resource class."""
        prog = self.prog
        registrars = self._registrars()
        if not registrars:
            return []
        out: list[Endpoint] = []
        tails = {f.rsplit(".", 1)[-1] for f in registrars}
        for q, _d, dec in prog.decorator_calls(tails):
            parent = prog.parent_scope(q)
            module = prog.module_of(q)
            for v in sorted(prog.r.eval(parent, dec.expr or "")):
                for reg in registrars.get(v[2:], ()) if v.startswith("d:") else ():
                    out.extend(self._registration(q, module, parent, dec, v[2:], reg))
        return out

    def _registration(self, q: str, module: str, scope: str, dec, factory: str, reg: Registrar) -> list[Endpoint]:
        """The rules one use of a registering decorator makes for the definition ``q``."""
        prog = self.prog
        call = _Given(dec.args or ())
        params = [p.name for p in prog.defs[factory].params if p.kind in ("positional", "positional_only")]
        if reg.fixed is not None:
            router = reg.fixed
        else:
            recv_arg = _given(prog, call, params, reg.router)
            recv = recv_arg.expr if recv_arg is not None else None
            if not recv or framework_of(prog.r.eval(scope, recv), self.roots, prog) != self.spec.name:
                return []
            router = prog.locate(scope, recv) or f"{scope}:{recv}"
        if reg.star:
            given = prog.positional(call)[len(params):]
            paths = [p for p in (self._path(module, scope, a) for a in given) if p is not None]
        else:
            value = self._path(module, scope, _given(prog, call, params, reg.path))
            paths = [value] if value is not None else []
        if not paths:
            self.unresolved.append(f"{q}: {dec.expr}(...)")
        verbs = class_verbs(prog, q) if prog.kind(q) == "class" else ()
        if not verbs and reg.keywords and _kw(dec.args, "methods") is not None:
            verbs = literal_verbs(prog.literal(module, scope, _kw(dec.args, "methods")))
        return [Endpoint(router, path, verbs or reg.methods or ("GET",), q, module, dec.line, self.spec.name)
                for path in paths]

    def _registrars(self) -> dict[str, list[Registrar]]:
        """Project decorator factories whose decorator registers what it decorates as a rule
        or a resource: ``def resource(*urls): def wrapper(cls): api.add_resource(cls, *urls);
        return cls; return wrapper`` and ``def route(bp, path, **kw): def deco(f):
        bp.add_url_rule(path, view_func=f, **kw); return f; return deco``. The path comes from
        the factory's parameters, the router from its module or its parameters, the view is
        the inner function's first parameter: the definition decorated."""
        if self._registrar_memo is not None:
            return self._registrar_memo
        prog = self.prog
        out: dict[str, list[Registrar]] = {}
        self._registrar_memo = out
        for site, recv, method in self._rule_calls():
            c = site.call
            inner = c.scope
            factory = prog.parent_scope(inner)
            if "." in recv or prog.kind(inner) != "function" or prog.kind(factory) != "function":
                continue
            if not any(b.expr == inner.rsplit(".", 1)[-1] for b in prog.bindings(factory, "<return>")):
                continue  # the factory returns the decorator
            inner_params = prog.defs[inner].params
            signature = prog.defs[factory].params
            names = {p.name for p in signature}
            if not inner_params:
                continue
            path_arg, view_arg = self._rule_args(c, method)
            decorated = inner_params[0].name
            if view_arg is None or self._view_param(inner, view_arg, {decorated}) != decorated:
                continue
            if path_arg is None or path_arg.expr not in names:
                continue
            kinds = {p.name: p.kind for p in signature}
            star = path_arg.star == 1 and kinds[path_arg.expr] == "var_positional"
            if path_arg.star and not star:
                continue
            fixed = None
            if recv not in names:
                if framework_of(prog.r.eval(inner, recv), self.roots, prog) != self.spec.name:
                    continue
                fixed = prog.locate(inner, recv)
                if fixed is None:
                    continue
            # ``**kwargs`` of the factory handed on to the rule: the decorator's ``methods=``
            keywords = any(a.star == 2 and kinds.get(a.expr or "") == "var_keyword" for a in c.args)
            methods = self._methods(min(self.spec.any_verb), c.args, site.module, inner) \
                if self.spec.any_verb and _kw(c.args, "methods") is not None else None
            out.setdefault(factory, []).append(Registrar(recv, path_arg.expr, star, fixed, keywords, methods,
                                                         (site.module, site.index)))
        return out

    def _path(self, module: str, scope: str, arg) -> str | None:
        """A literal path, or the literal given to a project helper that builds one
        (``org_scoped_rule("/login")``)."""
        prog = self.prog
        path = prog.literal_str(module, scope, arg)
        if path is None and arg is not None and arg.call is not None:
            inner = prog.call(module, arg.call)
            if any(v.startswith("d:") and prog.kind(v[2:]) == "function" for v in prog.targets(module, arg.call)):
                first = prog.arg(inner, 0)
                path = prog.literal_str(module, scope, first)
                if path is not None and not path.startswith("/"):
                    path = None
        if path is None:  # built at run time in part (``f"/{VERSION}/items"``): its pattern
            path = prog.literal_pattern(module, scope, arg)
        return path

    def _methods(self, verb: str, args, module: str, scope: str) -> tuple[str, ...]:
        if verb in self.spec.websockets:
            return (WEBSOCKET,)
        if verb in self.spec.any_verb:
            return literal_verbs(self.prog.literal(module, scope, _kw(args, "methods")))
        return (verb.upper(),)

    def _rules(self) -> list[Endpoint]:
        prog = self.prog
        out: list[Endpoint] = []
        helpers = self._rule_helpers()
        registering = {r.site for found in self._registrars().values() for r in found}
        names = set(self.spec.rules) | set(self.spec.resources) | {h.rsplit(".", 1)[-1] for h in helpers}
        for site in prog.named(names):
            if not site.call.callee or (site.module, site.index) in registering or self._own_decorator(site.call.scope):
                continue
            recv, _, method = site.call.callee.rpartition(".")
            if any(h.site == (site.module, site.index) for h in helpers.get(site.call.scope, ())):
                continue  # a helper's own rule: its callers' calls are the routes
            if not recv:
                if helpers:
                    out.extend(self._helper_call(site, helpers))
                continue
            if method in self.spec.resources:
                found = [e for c in self._row_calls(site.module, site.call) for e in self._resource(site.module, c, recv)]
                if not found and helpers:  # ``api.add_resource(...)`` on a project object holding the router
                    found = self._helper_call(site, helpers)
                out.extend(found)
                continue
            rule = self.spec.rules.get(method)
            if rule is None:
                if helpers:
                    out.extend(self._helper_call(site, helpers))
                continue
            if framework_of(prog.r.eval(site.call.scope, recv), self.roots, prog) != self.spec.name:
                continue
            for c in self._row_calls(site.module, site.call):
                out.extend(self._rule(site.module, c, recv, rule))
        return out

    def _own_decorator(self, scope: str) -> bool:
        """Is ``scope`` the inner function of a router class's own decorator (a project
        ``Blueprint`` whose ``route`` calls ``self.add_url_rule(rule, ...)`` on what it
        decorates)? Its uses are read as the framework's decorator: this rule is theirs."""
        prog = self.prog
        method = prog.parent_scope(scope)
        if method == scope or prog.kind(method) != "method" or method.rsplit(".", 1)[-1] not in self.spec.decorators:
            return False
        return self._router_class((f"d:{prog.parent_scope(method)}",)) is not None

    def _rule(self, module: str, c, recv: str, rule: tuple[int, str, int, str]) -> list[Endpoint]:
        """``bp.add_url_rule("/path", view_func=view)``."""
        prog = self.prog
        path_pos, path_kw, view_pos, view_kw = rule
        path_arg = prog.arg(c, path_pos, path_kw)
        path = prog.literal_str(module, _scope_of(path_arg, c.scope), path_arg)
        built = prog.literal_pattern(module, _scope_of(path_arg, c.scope), path_arg) if path is None else None
        view = prog.arg(c, view_pos, view_kw)
        handler, verbs = self._view(module, _scope_of(view, c.scope), view)
        if path is None and built is not None and handler is not None:
            path = built  # built at run time in part: its pattern, for a view we know
        if path is None:
            self.unresolved.append(f"{c.scope}: {c.callee}(...)")
            return []
        verb = tail(c.callee) or ""
        methods = self._methods(verb if verb in self.spec.websockets else min(self.spec.any_verb), c.args, module,
                                c.scope)
        if verbs and _kw(c.args, "methods") is None and methods != (WEBSOCKET,):
            methods = verbs
        router = prog.locate(c.scope, recv) or f"{c.scope}:{recv}"
        return [Endpoint(router, path, methods, handler or c.scope, module, c.line, self.spec.name,
                         prog.literal_str(module, c.scope, prog.arg(c, 1, "endpoint")))]

    def _row_calls(self, module: str, c) -> list:
        """The call once per row when its arguments are loop variables over a list of tuples
        (``for resource, path in ROUTES: api.add_resource(resource, path)``, ``for route in
        ROUTES: api.add_resource(*route)``): each row's items stand in for them, read where
        the list is written. The call itself otherwise."""
        prog = self.prog
        loops: dict[str, int | None] = {}  # loop variable -> its item of the row (None: the row)
        listed = set()
        passed = [self._loop_var(module, a) for a in c.args]
        for var in passed:
            head, item = self._row_source(c.scope, var) if var else (None, None)
            if head is not None:
                loops[var] = item  # type: ignore[index]
                listed.add(head)
        if len(listed) != 1:
            return [c]
        head = listed.pop()
        if all(item is None for item in loops.values()) and not any(a.star for a in c.args):
            # ``for router in ROUTERS: app.include_router(router, prefix="/v1")``: each element
            return [c._replace(args=tuple(RowArg(a.keyword, e.expr, e.value, None, 0, where)
                                          if var in loops else a for a, var in zip(c.args, passed)))
                    for where, e in prog.elements(c.scope, head)] or [c]
        rows = prog.rows(c.scope, head)
        out = []
        for where, items in rows:
            args: list = []
            for a, var in zip(c.args, passed):
                if var not in loops:
                    args.append(a)
                elif loops[var] is None:
                    args.extend(RowArg(None, i.expr, i.value, None, 0, where) for i in items)
                elif loops[var] < len(items):
                    i = items[loops[var]]
                    args.append(RowArg(a.keyword, i.expr, i.value, None, 0, where))
            out.append(c._replace(args=tuple(args)))
        return out or [c]

    def _row_source(self, scope: str, var: str) -> tuple[str | None, int | None]:
        """The list a loop variable iterates and which item of each row it holds, also through
        a view made of it (``view = resource.as_view(name)``): see :func:`_row_item`."""
        for b in self.prog.bindings(scope, var):
            head, item = _row_item(b.expr)
            made = _viewed_class(b.expr)
            if head is None and made is not None:
                return self._row_source(scope, made) if made != var else (None, None)
            if head is not None:
                return head, item
        return None, None

    def _loop_var(self, module: str, a) -> str | None:
        """The name an argument passes: ``view``, ``*route``, or the view class of
        ``view.as_view(...)``."""
        if a.call is not None:
            inner = self.prog.call(module, a.call)
            expr = inner.callee[: -len(".as_view")] if inner.callee and inner.callee.endswith(".as_view") else None
        else:
            expr = a.expr
        return expr if expr and expr.isidentifier() else None

    def _rule_helpers(self) -> dict[str, list[RuleHelper]]:
        """Project functions that register a rule or a resource on a router they are given:
        ``def register_view(bp, routes, view_func): for r in routes: bp.add_url_rule(r, view_func=view_func)``,
        ``def register(api, resource, *urls): api.add_resource(resource, *urls)``; and methods
        of a project router class that do it on ``self`` (``class OrgApi(Api): def
        add_org_resource(self, resource, *urls): ... self.add_resource(resource, *urls)``); and
        functions that register what they are given on a router of their module (``def
        register_api(view, url): blueprint.add_url_rule(url, view_func=view.as_view(...))``)."""
        prog = self.prog
        out: dict[str, list[RuleHelper]] = {}
        for site, recv, method in self._rule_calls():
            c = site.call
            func = c.scope
            kind = prog.kind(func)
            if kind not in ("function", "method"):
                continue
            signature = prog.defs[func].params
            params = {p.name for p in signature}
            fixed = None
            held = kind == "method" and bool(signature) and recv.partition(".")[0] == signature[0].name \
                and recv.count(".") == 1  # ``self.blueprint.add_url_rule(...)``: a router the object holds
            if "." in recv and not held:
                continue
            if recv not in params:
                if (kind != "function" and not held) \
                        or framework_of(prog.r.eval(func, recv), self.roots, prog) != self.spec.name:
                    continue
                fixed = prog.locate(func, recv)  # a router of the module or the object, not one it is given
                if fixed is None:
                    continue
            bound = kind == "method" and (recv == signature[0].name or held)
            if kind == "method" and not held \
                    and (not bound or self._router_class((f"d:{func.rsplit('.', 1)[0]}",)) is None):
                continue  # a method registers on ``self``, of a router class
            if method not in self.spec.resources and method not in self.spec.rules:
                continue
            path_arg, view_arg = self._rule_args(c, method)
            if path_arg is None or not path_arg.expr or not path_arg.expr.isidentifier():
                continue
            many = False
            path_param = path_arg.expr
            star = path_arg.star == 1 and any(p.name == path_param and p.kind == "var_positional" for p in signature)
            if path_arg.star and not star:
                continue
            items = None
            if path_param not in params:
                loops = [_row_item(b.expr) for b in prog.bindings(func, path_param)]
                loops = list(dict.fromkeys((head, item) for head, item in loops if head is not None))
                if len(loops) != 1 or loops[0][0] not in params:  # one loop's, maybe written twice
                    continue
                path_param, path_item = loops[0]
                many = path_item is None
                if many and any(p.name == path_param and p.kind == "var_positional" for p in signature):
                    many, star = False, True  # ``for url in urls`` over ``*urls``: each positional one
                if path_item is not None:  # for path, view in routes: rows given as one argument
                    view_var = self._loop_var(site.module, view_arg) if view_arg is not None else None
                    head, view_item = self._row_source(func, view_var) if view_var else (None, None)
                    items = (path_item, view_item if head == path_param else None)
            view_param = self._view_param(func, view_arg, params)
            methods = self._methods(min(self.spec.any_verb), c.args, site.module, func) \
                if self.spec.any_verb and _kw(c.args, "methods") is not None else None
            out.setdefault(func, []).append(RuleHelper(recv, path_param, many, star, view_param, bound, items,
                                                       fixed, methods, (site.module, site.index)))
        return out

    def _rule_calls(self):
        """``(site, receiver, method)`` of every call of a rule or resource method on an object
        (``bp.add_url_rule(...)``, ``api.add_resource(...)``): where helpers and registering
        decorators are looked for."""
        for site in self.prog.named(set(self.spec.rules) | set(self.spec.resources)):
            callee = site.call.callee
            if callee and "." in callee:
                recv, _, method = callee.rpartition(".")
                yield site, recv, method

    def _rule_args(self, c, method: str):
        """``(path argument, view argument)`` of a rule or resource call: ``add_resource(resource,
        *urls)`` (its second positional argument, perhaps ``*urls``) or a rule's by its spec."""
        if method in self.spec.resources:
            given = [a for a in c.args if a.keyword is None]
            return (given[1] if len(given) > 1 else None), (given[0] if given and not given[0].star else None)
        path_pos, path_kw, view_pos, view_kw = self.spec.rules[method]
        return self.prog.arg(c, path_pos, path_kw), self.prog.arg(c, view_pos, view_kw)

    def _view_param(self, func: str, view_arg, params) -> str | None:
        """The parameter holding the view: passed as it is, or made a view inside
        (``view_func = view.as_view(endpoint)``)."""
        if view_arg is None or not view_arg.expr:
            return None
        if view_arg.expr in params:
            return view_arg.expr
        for b in self.prog.bindings(func, view_arg.expr):
            if _viewed_class(b.expr) in params:
                return _viewed_class(b.expr)
        return None

    def _helper_call(self, site, helpers: dict[str, list[RuleHelper]]) -> list[Endpoint]:
        out: list[Endpoint] = []
        for func in sorted(self.prog.entered(site.module, site.index)):
            for helper in helpers.get(func, ()):
                out.extend(self._helper_rules(site, func, helper))
        return out

    def _helper_rules(self, site, func: str, helper: RuleHelper) -> list[Endpoint]:
        """The rules one call of a rule helper registers."""
        prog = self.prog
        c = site.call
        params = [p.name for p in prog.defs[func].params if p.kind in ("positional", "positional_only")]
        if helper.fixed is not None:  # the helper's own module's router, or its object's
            router = helper.fixed
            if helper.bound:  # ``api.add_resource(...)`` on the object holding it
                params = params[1:]
        else:
            if helper.bound:  # ``api.add_org_resource(...)``: the router is the receiver
                params = params[1:]
                recv = (c.callee or "").rpartition(".")[0]
            else:
                recv_arg = _given(prog, c, params, helper.router)
                recv = recv_arg.expr if recv_arg is not None else None
            if not recv or framework_of(prog.r.eval(c.scope, recv), self.roots, prog) != self.spec.name:
                return []
            router = prog.locate(c.scope, recv) or f"{c.scope}:{recv}"
        if helper.items is not None:  # rows of (path, view) given as one argument
            return self._helper_rows(site.module, c, params, helper, router)
        if helper.star:  # the positional arguments past the named parameters
            given = prog.positional(c)[len(params):]
            paths = [p for p in (prog.literal_str(site.module, c.scope, a) for a in given) if p is not None]
        else:
            value = prog.literal(site.module, c.scope, _given(prog, c, params, helper.path))
            paths = [value] if isinstance(value, str) and not helper.many else \
                [v for v in value if isinstance(v, str)] if isinstance(value, tuple) else []
        view = _given(prog, c, params, helper.view) if helper.view else None
        handler, verbs = self._view(site.module, c.scope, view)
        return [Endpoint(router, path, helper.methods or verbs or ("GET",), handler or c.scope, site.module, c.line,
                         self.spec.name) for path in paths]

    def _helper_rows(self, module: str, c, params: list[str], helper: RuleHelper, router: str) -> list[Endpoint]:
        """``configure(bp, [("/persons", PersonsResource), ...])``: one rule per row."""
        prog = self.prog
        given = _given(prog, c, params, helper.path)
        if given is None or not given.expr or not given.expr.isidentifier() or helper.items is None:
            return []
        path_item, view_item = helper.items
        out = []
        for where, items in prog.rows(c.scope, given.expr):
            path = prog.literal_str(module, where, items[path_item]) if path_item < len(items) else None
            if path is None:
                continue
            view = items[view_item] if view_item is not None and view_item < len(items) else None
            handler, verbs = self._view(module, where, view)
            out.append(Endpoint(router, path, verbs or ("GET",), handler or c.scope, module, c.line,
                                self.spec.name))
        return out

    def _resource(self, module: str, c, recv: str) -> list[Endpoint]:
        prog = self.prog
        router = prog.locate(c.scope, recv)
        if router is None or router not in self.mounts.own:
            return []
        view = prog.arg(c, 0, "resource")
        handler, verbs = self._view(module, _scope_of(view, c.scope), view)
        out = []
        for a in prog.positional(c)[1:]:
            path = prog.literal_str(module, _scope_of(a, c.scope), a)
            if path is not None:
                out.append(Endpoint(router, path, verbs or ("GET",), handler or c.scope, module, c.line,
                                    self.spec.name))
        return out

    def _view(self, module: str, scope: str, arg) -> tuple[str | None, tuple[str, ...]]:
        """The handler a view argument names, and the verbs of a class-based view."""
        prog = self.prog
        if arg is None:
            return None, ()
        expr = arg.expr
        if arg.call is not None:
            inner = prog.call(module, arg.call)
            if inner.callee and inner.callee.endswith(".as_view"):
                expr = inner.callee[: -len(".as_view")]
            else:
                return None, ()
        for v in sorted(prog.r.eval(scope, expr)) if expr else ():
            if v.startswith("d:"):
                q = v[2:]
                if prog.kind(q) == "class":
                    return q, class_verbs(prog, q)
                return q, ()
        return None, ()


class RuleHelper(NamedTuple):
    """A project function (or router method) that registers a rule with its parameters."""

    router: str  # the parameter holding the router (``self`` when ``bound``)
    path: str  # the parameter holding the path, or the paths
    many: bool  # a list of paths, one rule each (``for r in routes: ...``)
    star: bool  # ``*urls``: every positional argument past the named ones is a path
    view: str | None  # the parameter holding the view or resource
    bound: bool  # a method of a router class, registering on ``self``
    items: tuple[int, int | None] | None = None  # rows given in ``path``: (path item, view item)
    fixed: str | None = None  # a router of the helper's module (``router`` is then its name there)
    methods: tuple[str, ...] | None = None  # the rule's own ``methods=[...]``
    site: tuple[str, int] | None = None  # the helper's own rule call


class Registrar(NamedTuple):
    """A project decorator factory whose decorator registers what it decorates."""

    router: str  # the factory's parameter holding the router, or the router's name in its module
    path: str  # the factory's parameter holding the path, or with ``star`` the paths
    star: bool  # ``*urls``: every positional argument past the named ones is a path
    fixed: str | None  # the router of the factory's module (located), when not a parameter
    keywords: bool  # the factory hands its ``**kwargs`` on to the rule (``methods=...``)
    methods: tuple[str, ...] | None  # the rule's own ``methods=[...]``
    site: tuple[str, int]  # the registering call inside the decorator


class _Given(NamedTuple):
    """A decorator's arguments, read like a call's."""

    args: tuple


class RowArg(NamedTuple):
    """An item of a row of a list of tuples, standing in for the loop variable a call
    passes; read in ``scope``, where the list is written."""

    keyword: str | None
    expr: str | None
    value: object
    call: None
    star: int
    scope: str


def _scope_of(arg, scope: str) -> str:
    """Where an argument is read: its row's scope for a :class:`RowArg`, else the call's."""
    return arg.scope if isinstance(arg, RowArg) else scope


def _viewed_class(expr: str | None) -> str | None:
    """``Resource.as_view()`` (a binding's reference string) -> ``Resource``; None otherwise."""
    if expr and expr.endswith(".as_view()") and expr[:-10].isidentifier():
        return expr[:-10]
    return None


def _row_item(expr: str | None) -> tuple[str | None, int | None]:
    """``ROUTES[]`` -> (``ROUTES``, None): a loop over the rows; ``ROUTES[][1]`` -> (``ROUTES``,
    1): the second item of each row. (None, None) for anything else."""
    if not expr:
        return None, None
    head, sep, rest = expr.partition("[]")
    if not sep or not head.isidentifier():
        return None, None
    if not rest:
        return head, None
    if rest.startswith("[") and rest.endswith("]") and rest[1:-1].isdigit():
        return head, int(rest[1:-1])
    return None, None


def _given(prog: Program, call, params: list[str], name: str):
    """The argument a call passes for parameter ``name`` (by keyword or position)."""
    for a in call.args:
        if a.keyword == name:
            return a
    return prog.arg(call, params.index(name)) if name in params else None


def _kw(args, name: str):
    for a in args or ():
        if a.keyword == name:
            return a
    return None


def _path_arg(args):
    for a in args or ():
        if a.keyword is None and not a.star:
            return a
    return _kw(args, "rule") or _kw(args, "path")
