"""Litestar entry points: handlers decorated ``@get("/path")`` / ``@post`` / ``@put`` /
``@patch`` / ``@delete`` / ``@head`` / ``@route("/path", http_method=[...])`` and WebSocket
handlers (``@websocket``, ``@websocket_listener``, ``@websocket_stream``: routes of kind
``websocket``), imported from ``litestar`` (or Starlite, its former name).

A handler's path is given positionally or as ``path=``, may be a list of paths (one route
each) and defaults to ``/``. A ``Controller`` subclass's ``path`` comes before its methods'
paths (methods of its project bases included). ``Router(path=..., route_handlers=[...])``
and the app, ``Litestar(route_handlers=[...])``, serve every handler, controller and router
they list (or ``register``) under their path, nested routers joining theirs; the lists may
be written in place or bound to a name. A handler or controller that no router lists still
serves at its own path: it may be registered in ways not seen here.
"""

from __future__ import annotations

from analyzer.facts import argument
from analyzer.frameworks.program import Listed, Program, matches
from analyzer.frameworks.routing import HTTP_VERBS, WEBSOCKET, Endpoint, Mounts, bound_sites, literal_verbs

FRAMEWORK = "litestar"
_ROOTS = frozenset({"litestar", "starlite"})
_VERB_DECORATORS = {v: (v.upper(),) for v in HTTP_VERBS if v != "options"}
_SOCKETS = frozenset({"websocket", "websocket_listener", "websocket_stream"})
_DECORATORS = frozenset({*_VERB_DECORATORS, "route", *_SOCKETS})
_APPS = frozenset({"Litestar", "Starlite"})
_ROUTERS = frozenset({"Router", *_APPS})


def _normal(path: str) -> str:
    """Litestar's paths have no trailing slash: ``/users/`` serves ``/users``; ``/`` is none."""
    return path.rstrip("/")


class LitestarRoutes:
    def __init__(self, prog: Program, mounts: Mounts) -> None:
        self.prog = prog
        self.mounts = mounts
        self.unresolved: list[str] = []
        self._routers: dict[tuple[str, int], str] | None = None  # router call site -> its key in the mounts
        self._elements: list[tuple[str, Listed]] | None = None

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return []
        handlers = self._handlers()
        if not handlers:
            return []
        controllers = self._controllers()
        out: list[Endpoint] = []
        for func, found in sorted(handlers.items()):
            if prog.kind(func) == "function":
                self.mounts.router(func, "", FRAMEWORK)
                out.extend(self._endpoints(func, func, found))
        for cls in sorted(controllers):
            seen: set[str] = set()
            for c in prog.r.mro(cls):
                for name, q in sorted(prog.r.children.get(c, {}).items()):
                    if name in seen or prog.kind(q) != "method":
                        continue
                    seen.add(name)  # a subclass's own method of that name serves instead
                    if q in handlers:
                        out.extend(self._endpoints(cls, q, handlers[q]))
        self._registrations(handlers, controllers)
        return out

    # -- handlers ----------------------------------------------------------------------
    def _handlers(self) -> dict[str, list[tuple[str, object]]]:
        """Handler function or method -> its Litestar decorators (``(kind, decorator)``)."""
        prog = self.prog
        out: dict[str, list[tuple[str, object]]] = {}
        for q, d, dec in prog.decorator_calls(_DECORATORS):
            name = dec.expr.rsplit(".", 1)[-1]
            if d.kind in ("function", "method") and matches(prog.r.eval(prog.parent_scope(q), dec.expr), _ROOTS, {name}):
                out.setdefault(q, []).append((name, dec))
        return out

    def _endpoints(self, key: str, handler: str, found: list[tuple[str, object]]) -> list[Endpoint]:
        prog = self.prog
        module = prog.module_of(handler)
        scope = prog.parent_scope(handler)
        out = []
        for name, dec in found:
            given = argument(dec, 0, "path")
            value = prog.literal(module, scope, given) if given is not None else "/"
            paths = [value] if isinstance(value, str) else \
                [v for v in value if isinstance(v, str)] if isinstance(value, tuple) else []
            if not paths:
                self.unresolved.append(f"{handler}: {dec.expr}(...)")
                continue
            methods = self._methods(module, scope, name, dec)
            title = prog.literal_str(module, scope, argument(dec, None, "name"))
            out.extend(Endpoint(key, _normal(p), methods, handler, module, dec.line, FRAMEWORK, title) for p in paths)
        return out

    def _methods(self, module: str, scope: str, name: str, dec) -> tuple[str, ...]:
        if name in _SOCKETS:
            return (WEBSOCKET,)
        if name != "route":
            return _VERB_DECORATORS[name]
        given = argument(dec, 1, "http_method")
        if given is None:
            return ("GET",)
        value = self.prog.literal(module, scope, given)
        if value is not None:
            return literal_verbs(value)
        refs = given.items if given.items is not None else (given.expr,)  # ``HttpMethod.GET``
        verbs = {(r or "").rsplit(".", 1)[-1].upper() for r in refs}
        return tuple(sorted(verbs)) if verbs and all(v.lower() in HTTP_VERBS for v in verbs) else ("GET",)

    def _controllers(self) -> set[str]:
        """Controller classes that serve: every project subclass of ``Controller`` that no
        project class extends, and those a router lists (:meth:`_registrations`)."""
        prog = self.prog
        extended = prog.extended()
        listed = {v[2:] for _, element in self._router_elements()
                  for v in prog.r.eval(element.scope, element.expr) if v.startswith("d:")}
        out = set()
        for q, d in prog.defs.items():
            if d.kind == "class" and (q not in extended or q in listed) \
                    and matches(prog.r.external_bases(q), _ROOTS, {"Controller"}):
                out.add(q)
                self.mounts.router(q, self._path(q), FRAMEWORK)
        return out

    def _path(self, cls: str) -> str:
        value = self.prog.class_literal(cls, "path")
        if value is None and self.prog.class_bindings(cls, "path"):
            self.unresolved.append(f"{cls}.path")
        return _normal(value) if isinstance(value, str) else ""

    # -- routers -----------------------------------------------------------------------
    def _router_sites(self) -> dict[tuple[str, int], str]:
        """``Router(...)`` and ``Litestar(...)`` call sites -> their keys in the mounts: the
        name they are bound to, or the call itself when written in place."""
        if self._routers is not None:
            return self._routers
        self._routers = {}  # asked again when the project has none: the pass over bindings runs once
        prog = self.prog
        bound = bound_sites(prog)
        for site in prog.named(_ROUTERS):
            name = (site.call.callee or "").rsplit(".", 1)[-1]
            if not matches(prog.targets(site.module, site.index), _ROOTS, {name}):
                continue
            key = bound.get((site.module, site.index), f"{site.module}#{site.index}")
            own = ""
            if name not in _APPS:
                given = prog.arg(site.call, 0, "path")
                path = prog.literal_str(site.module, site.call.scope, given)
                if path is None:
                    self.unresolved.append(f"{site.call.scope}: {site.call.callee}(...)")
                own = _normal(path or "")
            self.mounts.router(key, own, FRAMEWORK)
            self._routers[(site.module, site.index)] = key
        return self._routers

    def _router_elements(self) -> list[tuple[str, Listed]]:
        """(router key, one element it lists) for every router's handlers:
        ``route_handlers=[...]`` and ``router.register(handler)``."""
        if self._elements is not None:
            return self._elements
        prog = self.prog
        out = []
        for (module, index), key in sorted(self._router_sites().items()):
            c = prog.call(module, index)
            name = (c.callee or "").rsplit(".", 1)[-1]
            given = prog.arg(c, 0 if name in _APPS else None, "route_handlers")
            for element in prog.listed(module, c.scope, given, index):
                out.append((key, element))
        keys = set(self._router_sites().values())
        for site in prog.named(["register"]):
            callee = site.call.callee or ""
            recv = prog.locate(site.call.scope, callee.rpartition(".")[0]) if "." in callee else None
            handler = prog.arg(site.call, 0, "value")
            if recv in keys and handler is not None and handler.expr:
                element = Listed(site.module, site.call.scope, handler.expr, handler.call)
                out.append((recv, element))
        self._elements = out
        return out

    def _registrations(self, handlers: dict, controllers: set[str]) -> None:
        """Mount every listed handler, controller and router under the router listing it."""
        prog = self.prog
        sites = self._router_sites()
        for parent, element in self._router_elements():
            if element.call is not None:
                child = sites.get((element.module, element.call))
                if child is not None:
                    self.mounts.mount(parent, child, self.mounts.own.get(child, ""))
                continue
            located = prog.locate(element.scope, element.expr)
            if located in self.mounts.own and located in sites.values():
                self.mounts.mount(parent, located, self.mounts.own.get(located, ""))
                continue
            for v in sorted(prog.r.eval(element.scope, element.expr)):
                q = v[2:] if v.startswith("d:") else None
                if q in handlers and prog.kind(q) == "function":
                    self.mounts.mount(parent, q, "")
                elif q in controllers:
                    self.mounts.mount(parent, q, self.mounts.own.get(q, ""))


__all__ = ["LitestarRoutes"]
