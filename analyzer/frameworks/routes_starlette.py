"""Starlette route lists: ``Starlette(routes=[...])`` (also ``FastAPI``, ``Router`` and
``APIRouter``, which take the same list) of ``Route("/path", endpoint, methods=[...])``,
``WebSocketRoute("/ws", endpoint)`` (a route of kind ``websocket``) and ``Mount("/api",
routes=[...])`` (or ``app=`` a router with its own list), nested, written in place or bound
to a name (also imported, spread with ``*``, or returned by a project function).

A route answers ``GET`` unless ``methods`` says otherwise (Starlette adds ``HEAD``, left
out here); an ``HTTPEndpoint`` class answers the verbs its methods define. An app bound to
a name is the router object the decorator frameworks know (``app.mount("/v1", sub)``
applies to its list too). A route or mount that no list reaches serves at its own path.
"""

from __future__ import annotations

from analyzer.frameworks.program import Listed, Program, matches, outside
from analyzer.frameworks.routing import (
    WEBSOCKET,
    Endpoint,
    Mounts,
    bound_sites,
    class_verbs,
    join_url,
    literal_verbs,
)

_ROOTS = frozenset({"starlette", "fastapi"})
# router class -> (position, keyword) of its route list
_ROUTERS = {"Starlette": (1, "routes"), "FastAPI": (None, "routes"), "Router": (0, "routes"),
            "APIRouter": (None, "routes")}
_ROUTES = frozenset({"Route", "APIRoute"})
_SOCKETS = frozenset({"WebSocketRoute", "APIWebSocketRoute"})
_MOUNTS = frozenset({"Mount", "Host"})  # a ``Host`` serves its app's routes under no prefix
_MAX_DEPTH = 8


class StarletteRoutes:
    def __init__(self, prog: Program, mounts: Mounts) -> None:
        self.prog = prog
        self.mounts = mounts
        self.unresolved: list[str] = []
        self._sites: dict[tuple[str, int], str] = {}  # call site -> its class (a key of the tables above)
        self._keys: dict[tuple[str, int], str] = {}  # router or mount site -> its key in the mounts

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return []
        names = set(_ROUTERS) | _ROUTES | _SOCKETS | _MOUNTS
        for site in prog.named(names):
            name = (site.call.callee or "").rsplit(".", 1)[-1]
            if matches(prog.targets(site.module, site.index), _ROOTS, {name}):
                self._sites[(site.module, site.index)] = name
        if not any(name in _ROUTES or name in _SOCKETS for name in self._sites.values()):
            return []
        bound = bound_sites(prog)
        for site, name in sorted(self._sites.items()):
            if name in _ROUTERS or name in _MOUNTS:
                key = self._keys[site] = bound.get(site, f"{site[0]}#{site[1]}")
                self.mounts.router(key, self._own(site, name), self._framework(site))
        listed_in: dict[tuple[str, int], list[str]] = {}
        for site, key in sorted(self._keys.items()):
            for child in self._children(site):
                name = self._sites[child]
                if name in _ROUTES or name in _SOCKETS:
                    listed_in.setdefault(child, []).append(key)
                elif child in self._keys and child != site:
                    self.mounts.mount(key, self._keys[child], self.mounts.own.get(self._keys[child], ""))
        out: list[Endpoint] = []
        for site, name in sorted(self._sites.items()):
            if name in _ROUTES or name in _SOCKETS:
                for key in listed_in.get(site) or [None]:
                    out.extend(self._route(site, name, key))
        return out

    def _framework(self, site: tuple[str, int]) -> str:
        for v in sorted(self.prog.targets(*site)):
            path = outside(v)
            if path and path.split(".")[0] in _ROOTS:
                return path.split(".")[0]
        return "starlette"

    def _own(self, site: tuple[str, int], name: str) -> str:
        """The path a mount adds (``Mount("/api", ...)``), an ``APIRouter``'s prefix; none else."""
        prog = self.prog
        module, index = site
        c = prog.call(module, index)
        if name == "Mount":
            given = prog.arg(c, 0, "path")
        elif name == "APIRouter":
            given = prog.arg(c, None, "prefix")
        else:
            return ""
        path = prog.literal_str(module, c.scope, given)
        if path is None and given is not None and name == "Mount":  # an APIRouter's prefix is FastAPI's to read
            self.unresolved.append(f"{c.scope}: {c.callee}(...)")
        return path or ""

    def _children(self, site: tuple[str, int]) -> list[tuple[str, int]]:
        """Route, mount and router sites a router or mount lists (``routes=``) or serves
        (a mount's ``app=``)."""
        prog = self.prog
        module, index = site
        c = prog.call(module, index)
        name = self._sites[site]
        if name in _ROUTERS:
            pos, kw = _ROUTERS[name]
            given = [prog.arg(c, pos, kw)]
        elif name == "Mount":
            given = [prog.arg(c, 2, "routes"), prog.arg(c, 1, "app")]
        else:  # Host(host, app)
            given = [prog.arg(c, 1, "app")]
        out = []
        for i, arg in enumerate(given):
            if arg is None:
                continue
            if name in _MOUNTS and i == len(given) - 1:  # the app: one object, not a list
                elements = [Listed(module, c.scope, arg.expr or "", arg.call)]
            else:
                elements = prog.listed(module, c.scope, arg, index)
            for element in elements:
                found = self._site_of(element)
                if found is not None:
                    out.append(found)
        return out

    def _site_of(self, element: Listed) -> tuple[str, int] | None:
        """The route, mount or router call an element is, or the one the name it gives was
        made by (``home = Route("/", homepage)``)."""
        if element.call is not None:
            site = (element.module, element.call)
            return site if site in self._sites else None
        key = self.prog.locate(element.scope, element.expr) if element.expr else None
        made = self.prog.binding_call(key) if key else None
        return made if made in self._sites else None

    def _route(self, site: tuple[str, int], name: str, key: str | None) -> list[Endpoint]:
        prog = self.prog
        module, index = site
        c = prog.call(module, index)
        path = prog.literal_str(module, c.scope, prog.arg(c, 0, "path"))
        if path is None:
            self.unresolved.append(f"{c.scope}: {c.callee}(...)")
            return []
        handler, verbs = self._endpoint(module, c.scope, prog.arg(c, 1, "endpoint"), 0)
        if name in _SOCKETS:
            methods: tuple[str, ...] = (WEBSOCKET,)
        else:
            given = prog.arg(c, None, "methods")
            methods = literal_verbs(prog.literal(module, c.scope, given)) if given is not None else verbs or ("GET",)
        title = prog.literal_str(module, c.scope, prog.arg(c, None, "name"))
        return [Endpoint(key, join_url("", path), methods, handler or c.scope, module, c.line,
                         self._framework(site), title)]

    def _endpoint(self, module: str, scope: str, arg, depth: int) -> tuple[str | None, tuple[str, ...]]:
        """The function or ``HTTPEndpoint`` class a route calls, and the class's verbs; through
        a wrapping call (``requires("authenticated")(home)`` aside, ``login_required(home)``)."""
        prog = self.prog
        if arg is None or depth > _MAX_DEPTH:
            return None, ()
        if arg.call is not None:
            for inner in prog.call(module, arg.call).args:
                found = self._endpoint(module, scope, inner, depth + 1)
                if found[0] is not None:
                    return found
            return None, ()
        for v in sorted(prog.r.eval(scope, arg.expr)) if arg.expr else ():
            if v.startswith("d:"):
                q = v[2:]
                return (q, class_verbs(prog, q)) if prog.kind(q) == "class" else (q, ())
        return None, ()


__all__ = ["StarletteRoutes"]
