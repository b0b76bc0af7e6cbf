"""aiohttp entry points: a ``web.RouteTableDef`` and its decorators (``@routes.get("/p")``,
``@routes.route("GET", "/p")``, ``@routes.view("/p")`` on a ``web.View``), the router's
``app.router.add_get("/p", handler)`` ... ``add_route("GET", "/p", handler)`` and
``add_view``, route definitions ``web.get("/p", handler)`` ... given to ``app.add_routes``
(in place, or through a list or a project function returning one), and sub-applications
mounted with ``app.add_subapp("/prefix/", sub)``, nested too. A project helper given the
application (``def setup_routes(app, handler): app.router.add_get("/", handler.index)``)
routes on its callers' applications, with the handler read from what they pass.

aiohttp has no router object with a prefix of its own: a route table, a list of route
definitions or a sub-application reaches an application only through ``add_routes`` or
``add_subapp``, so each is a router key in :class:`Mounts` mounted where it is added. A
route for ``"*"`` answers every method: a class view's verbs, else ``GET`` (as Pyramid's).
A WebSocket handler is a GET handler as far as the route shows; it stays a GET route.
"""

from __future__ import annotations

from analyzer.facts import Arg, Call
from analyzer.frameworks.program import Program, outside, tail
from analyzer.frameworks.routing import Endpoint, Mounts, class_verbs

FRAMEWORK = "aiohttp"
_ROOT = "aiohttp"
_VERBS = ("get", "post", "put", "patch", "delete", "head")
_DEFINERS = frozenset({*_VERBS, "route", "view"})  # RouteTableDef methods and ``web.*`` functions
_ROUTER_METHODS = frozenset({*(f"add_{v}" for v in _VERBS), "add_route", "add_view"})
_DEF_MODULES = frozenset({"aiohttp.web", "aiohttp.web_routedef"})  # where ``web.get`` ... live
_LIST_METHODS = frozenset({"append", "extend", "insert"})


class AiohttpRoutes:
    def __init__(self, prog: Program, mounts: Mounts) -> None:
        self.prog = prog
        self.mounts = mounts
        self.unresolved: list[str] = []
        self._apps: set[str] = set()
        self._class_memo: dict[tuple[str, str], bool] = {}

    def run(self) -> list[Endpoint]:
        if not self.prog.uses(_ROOT):
            return []
        self._collect_apps()
        self._given_apps()
        self._mount_all()
        return self._decorated() + self._router_calls() + self._definitions()

    # -- applications and where things are added ----------------------------------------
    def _collect_apps(self) -> None:
        prog = self.prog
        for module in prog.modules:
            for b in prog.facts[module].bindings:
                if b.call is not None and self._is_class(prog.targets(module, b.call), "Application"):
                    key = f"{b.scope}:{b.name}"
                    self._apps.add(key)
                    self.mounts.router(key, "", FRAMEWORK)

    def _is_class(self, values, name: str) -> bool:
        """Whether a callee is the aiohttp class ``name`` or a project subclass of it (asked
        of every call bound to a name, so answered once per value)."""
        for v in values:
            key = (v, name)
            if key not in self._class_memo:
                self._class_memo[key] = self._value_is(v, name)
            if self._class_memo[key]:
                return True
        return False

    def _value_is(self, v: str, name: str) -> bool:
        path = outside(v)
        if path is not None:
            return path.split(".")[0] == _ROOT and path.rsplit(".", 1)[-1] == name
        return v.startswith("d:") and self.prog.kind(v[2:]) == "class" \
            and any(self._value_is(b, name) for b in self.prog.r.external_bases(v[2:]))

    def _is_instance(self, values, name: str) -> bool:
        for v in values:
            if v.startswith("xi:") and self._is_class((f"x:{v[3:]}",), name):
                return True
            if v.startswith("i:") and self._is_class((f"d:{v[2:]}",), name):
                return True
        return False

    def _given_apps(self) -> None:
        """Parameters that hold an application: ``def setup_routes(app): app.router.add_get(...)``
        called as ``setup_routes(app)`` (through helpers that pass it on, too) routes on the
        caller's application; a parameter annotated ``web.Application`` is one as well."""
        prog = self.prog
        wanted: set[tuple[str, str]] = set()
        for site in prog.named(_ROUTER_METHODS | {"add_routes", "add_subapp"}):
            name = self._holder_name(site.call.scope, self._receiver(site.call))
            if name is not None:
                wanted.add((site.call.scope, name))
        seen: set[tuple[str, str]] = set()
        edges: list[tuple[str, str]] = []  # (caller's application, parameter's key)
        while wanted:
            func, param = wanted.pop()
            if (func, param) in seen or prog.kind(func) not in ("function", "method"):
                continue
            seen.add((func, param))
            key = f"{func}:{param}"
            if self._is_instance(prog.r.eval(func, param), "Application"):
                self._apps.add(key)
            for c, arg in self._passed(func, param):
                caller = self._holder_name(c.scope, arg.expr)
                if caller is not None:
                    wanted.add((c.scope, caller))
                    edges.append((f"{c.scope}:{caller}", key))
                else:
                    found = prog.locate(c.scope, arg.expr)
                    if found is not None:
                        edges.append((found, key))
        grown = True
        while grown:  # an application reaches the parameters it is passed to, and theirs
            grown = False
            for parent, child in edges:
                if parent in self._apps and child not in self._apps:
                    self._apps.add(child)
                    grown = True
        for parent, child in edges:
            if parent in self._apps:
                self.mounts.mount(parent, child, "")

    def _receiver(self, c: Call) -> str:
        """What a router method is called on, also through a bound method kept under its own
        name (``add_route = app.router.add_route`` then ``add_route("GET", "/", index)``)."""
        callee = c.callee or ""
        if "." in callee:
            return callee.rpartition(".")[0]
        for b in self.prog.bindings(c.scope, callee):
            if b.call is None and b.expr and b.expr.endswith(f".{callee}"):
                return b.expr.rpartition(".")[0]
        return ""

    def _passed(self, func: str, param: str) -> list[tuple[Call, Arg]]:
        """The arguments the calls of a project function pass for one of its parameters."""
        prog = self.prog
        names = [p.name for p in prog.defs[func].params if p.kind in ("positional", "positional_only")]
        if param not in names:
            return []
        pos = names.index(param) - (1 if prog.kind(func) == "method" else 0)  # called bound
        out = []
        for site in prog.named([func.rsplit(".", 1)[-1]]):
            arg = prog.arg(site.call, pos if pos >= 0 else None, param)
            if arg is not None and arg.expr and f"d:{func}" in prog.targets(site.module, site.index):
                out.append((site.call, arg))
        return out

    def _holder_name(self, scope: str, expr: str | None) -> str | None:
        """The parameter of ``scope`` an application expression names (``app``, ``app.router``)."""
        while expr and expr.endswith(".router"):
            expr = expr[: -len(".router")]
        d = self.prog.defs.get(scope)
        if not expr or d is None or not expr.isidentifier():
            return None
        return expr if any(p.name == expr for p in d.params) else None

    def _app(self, scope: str, expr: str | None) -> str | None:
        """The application an expression stands for: ``app``, ``app.router``, ``router``
        bound to ``app.router``, a parameter given one."""
        if not expr:
            return None
        if expr.endswith(".router"):
            return self._app(scope, expr[: -len(".router")])
        if expr.isidentifier():
            if f"{scope}:{expr}" in self._apps:
                return f"{scope}:{expr}"
            for b in self.prog.bindings(scope, expr):
                if b.expr and b.expr.endswith(".router") and b.call is None:
                    return self._app(b.origin or scope, b.expr)
        key = self.prog.locate(scope, expr)
        return key if key in self._apps else None

    def _added(self, module: str, scope: str, arg: Arg | None) -> str | None:
        """What an argument of ``add_routes`` / ``add_subapp`` names: a binding (a route
        table, a list, an application) or what a project function returns."""
        prog = self.prog
        if arg is None:
            return None
        if arg.call is not None:
            for v in sorted(prog.targets(module, arg.call)):
                if v.startswith("d:") and prog.kind(v[2:]) == "function":
                    return self._returned(v[2:])
            return None
        return prog.locate(scope, arg.expr)

    def _returned(self, func: str) -> str:
        """What a project function returns: the binding it returns by name, else the
        function itself (the key of the route definitions it makes, ``return [web.get(...)]``)."""
        for b in self.prog.bindings(func, "<return>"):
            if b.expr and b.expr.isidentifier():
                found = self.prog.locate(func, b.expr)
                if found is not None:
                    return found
        return f"{func}:<return>"

    def _mount_all(self) -> None:
        prog = self.prog
        for site in prog.named(["add_routes", "add_subapp"]):
            c = site.call
            if "." not in (c.callee or ""):
                continue
            parent = self._app(c.scope, c.callee.rpartition(".")[0])
            if c.callee.endswith(".add_routes"):
                child = self._added(site.module, c.scope, prog.arg(c, 0, "routes"))
                if parent is not None and child is not None:
                    self.mounts.mount(parent, child, "")
                continue
            child = self._added(site.module, c.scope, prog.arg(c, 1, "subapp"))
            if child is None or (parent is None and child not in self._apps):
                continue
            # a sub-application of an application not known (a parameter) serves under its prefix
            prefix_arg = prog.arg(c, 0, "prefix")
            prefix = prog.literal_str(site.module, c.scope, prefix_arg)
            if prefix is None:
                self.unresolved.append(f"{c.scope}: {c.callee}(...)")
            self.mounts.mount(parent, child, prefix or "")

    # -- routes ------------------------------------------------------------------------
    def _decorated(self) -> list[Endpoint]:
        """``@routes.get("/p")`` ... on a ``RouteTableDef``."""
        prog = self.prog
        out: list[Endpoint] = []
        for q, _d, dec in prog.decorator_calls(_DEFINERS):
            parent = prog.parent_scope(q)
            recv, _, verb = dec.expr.rpartition(".")
            if not recv or not self._is_instance(prog.r.eval(parent, recv), "RouteTableDef"):
                continue
            call = Call(parent, dec.expr, dec.args, dec.line)
            router = prog.locate(parent, recv) or f"{parent}:{recv}"
            out.extend(self._endpoint(prog.module_of(q), call, verb, router, q))
        return out

    def _router_calls(self) -> list[Endpoint]:
        """``app.router.add_get("/p", handler)``, ``add_route("GET", "/p", handler)``, ``add_view``."""
        prog = self.prog
        out: list[Endpoint] = []
        for site in prog.named(_ROUTER_METHODS):
            c = site.call
            recv = self._receiver(c)
            method = (c.callee or "").rsplit(".", 1)[-1]
            values = prog.r.eval(c.scope, recv) if recv else frozenset()
            app = self._app(c.scope, recv)
            if app is None and not self._is_router(values):
                continue
            out.extend(self._endpoint(site.module, c, method[len("add_"):], app or f"{c.scope}:{recv}"))
        return out

    def _is_router(self, values) -> bool:
        """``app.router`` of an application the detector has no binding for (``request.app.router``)."""
        return any((outside(v) or "").startswith(f"{_ROOT}.") and
                   (v.endswith(".router") or v.rsplit(".", 1)[-1] == "UrlDispatcher") for v in values)

    def _definitions(self) -> list[Endpoint]:
        """``web.get("/p", handler)`` ...: routed by the application, list or function that
        holds them."""
        prog = self.prog
        out: list[Endpoint] = []
        free: dict[tuple[str, str], list[int]] = {}  # (module, scope) -> route definitions in no call
        for site in prog.named(_DEFINERS):
            c = site.call
            if not any((outside(v) or "").rpartition(".")[0] in _DEF_MODULES for v in prog.targets(site.module,
                                                                                               site.index)):
                continue
            router = self._holder(site.module, site.index)
            if router is None:
                free.setdefault((site.module, c.scope), []).append(site.index)
                continue
            out.extend(self._endpoint(site.module, c, tail(c.callee) or "", router))
        for (module, scope), indexes in free.items():
            routers = self._listed(module, scope, indexes)
            for i, router in zip(indexes, routers):
                c = prog.call(module, i)
                out.extend(self._endpoint(module, c, tail(c.callee) or "", router))
        return out

    def _holder(self, module: str, index: int) -> str | None:
        """The application (``app.add_routes([...])``) or list (``routes.append(...)``) a route
        definition is given to as an argument; None when it is in no call."""
        prog = self.prog
        parent = prog.parent(module, index)
        while parent is not None:
            c = prog.call(module, parent)
            recv, _, method = (c.callee or "").rpartition(".")
            if method == "add_routes":
                return self._app(c.scope, recv) or f"{c.scope}:{recv}"
            if method in _LIST_METHODS and recv:
                return prog.locate(c.scope, recv) or f"{c.scope}:{recv}"
            parent = prog.parent(module, parent)
        return None

    def _listed(self, module: str, scope: str, indexes: list[int]) -> list[str]:
        """The lists route definitions outside any call are elements of, in order:
        ``ROUTES = [web.get(...), ...]`` keeps ``ROUTES[] -> web.get()`` per element, so the
        n-th definition of a callee in a scope is the n-th such element; the rest (a
        returned list) belong to the scope's ``<return>``."""
        elements = [b for bs in self.prog.r.scope_bindings.get(scope, {}).values() for b in bs
                    if b.name.endswith("[]") and b.expr and b.expr.endswith("()")]
        elements.sort(key=lambda b: b.line)
        taken = [False] * len(elements)
        out = []
        for i in indexes:
            callee = self.prog.call(module, i).callee
            key = f"{scope}:<return>"
            for k, b in enumerate(elements):
                if not taken[k] and b.expr == f"{callee}()":
                    taken[k] = True
                    key = f"{scope}:{b.name[:-2]}"
                    break
            out.append(key)
        return out

    def _endpoint(self, module: str, c: Call, verb: str, router: str, handler: str | None = None) -> list[Endpoint]:
        """One route of a decorator (``handler`` given) or a call naming its handler."""
        prog = self.prog
        shift = 1 if verb == "route" else 0  # ``route(method, path, handler)``
        path = prog.literal_str(module, c.scope, prog.arg(c, shift, "path"))
        if path is None:
            self.unresolved.append(f"{c.scope}: {c.callee}(...)")
            return []
        if verb == "route":
            method = prog.literal_str(module, c.scope, prog.arg(c, 0, "method"))
            if method is None:
                self.unresolved.append(f"{c.scope}: {c.callee}(...)")
                return []
            method = method.upper()
        else:
            method = "*" if verb == "view" else verb.upper()
        if handler is None:
            handler = self._handler(c.scope, prog.arg(c, shift + 1, "handler"))
        if method == "*":  # any method: a class view's verbs
            view = handler if handler is not None and prog.kind(handler) == "class" else None
            methods = (class_verbs(prog, view) if view else ()) or ("GET",)
        else:
            methods = (method,)
        return [Endpoint(router, path, methods, handler or c.scope, module, c.line, FRAMEWORK,
                         prog.literal_str(module, c.scope, prog.arg(c, None, "name")))]

    def _handler(self, scope: str, arg: Arg | None) -> str | None:
        """The project function (or method, or callable instance's ``__call__``) a handler
        argument names; a method of a parameter (``handler.index`` in ``def
        setup_routes(app, handler)``) is read from what the callers pass for it."""
        if arg is None or not arg.expr:
            return None
        found = self._named(scope, arg.expr)
        if found is None and self.prog.kind(scope) in ("function", "method"):
            head, _, attr = arg.expr.partition(".")
            for b in self.prog.bindings(scope, head):  # ``h = handler``
                if b.expr and b.expr.isidentifier() and b.call is None:
                    head = b.expr
            if "." not in attr:
                for c, given in self._passed(scope, head):
                    found = self._named(c.scope, f"{given.expr}.{attr}" if attr else given.expr)
                    if found is not None:
                        break
        return found

    def _named(self, scope: str, expr: str) -> str | None:
        prog = self.prog
        for v in sorted(prog.r.eval(scope, expr)):
            if v.startswith(("d:", "bd:")):  # a function, a method of an instance
                return v.partition(":")[2]
            if v.startswith("i:") and prog.kind(v[2:]) == "class":  # a callable instance
                call = prog.methods_in_mro(v[2:]).get("__call__")
                if call is not None:
                    return call
        return None


__all__ = ["AiohttpRoutes"]
