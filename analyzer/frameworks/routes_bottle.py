"""Bottle entry points: ``@route("/p")`` / ``@get`` / ``@post`` / ``@put`` / ``@patch`` /
``@delete`` imported from bottle (the default application) or written ``@bottle.route``,
the same on an application (``app = Bottle()``: ``@app.route(...)``, ``@app.get(...)``),
the call form ``app.route("/p", callback=handler)``, and applications mounted under a
prefix with ``parent.mount("/prefix", child)`` (``bottle.mount`` for the default one).

A route takes one path or a list of them, and its verbs from ``method="POST"`` or
``method=["GET", "POST"]`` (``"ANY"``: every method, listed as ``GET`` as Pyramid's). With no
path, Bottle makes them from the handler's signature, as its ``yieldroutes`` does: ``def
show(name, page=1)`` serves ``/show/<name>`` and ``/show/<name>/<page>``.

A decorator named bare (``@route``) is told from another function of that name by what it
resolves to, an outside value of bottle; ``DecoratorRouting`` reads only ``@recv.verb``.
"""

from __future__ import annotations

from analyzer.facts import Arg, Call
from analyzer.frameworks.program import Program, outside
from analyzer.frameworks.routing import Endpoint, Mounts, framework_of, literal_verbs

FRAMEWORK = "bottle"
_ROOT = "bottle"
_ROUTES = frozenset({"route", "get", "post", "put", "patch", "delete"})
_NO_PATH = object()  # a route given no path: made from the handler's signature


class BottleRoutes:
    def __init__(self, prog: Program, mounts: Mounts) -> None:
        self.prog = prog
        self.mounts = mounts
        self.roots = {_ROOT: FRAMEWORK}
        self.unresolved: list[str] = []

    def run(self) -> list[Endpoint]:
        if not self.prog.uses(_ROOT):
            return []
        self._apps()
        self._mounts()
        return self._decorated() + self._calls()

    # -- applications ------------------------------------------------------------------
    def _apps(self) -> None:
        prog = self.prog
        for module in prog.modules:
            for b in prog.facts[module].bindings:
                if b.call is not None and self._is_app_class(prog.targets(module, b.call)):
                    self.mounts.router(f"{b.scope}:{b.name}", "", FRAMEWORK)

    def _is_app_class(self, values) -> bool:
        for v in values:
            if outside(v) == "bottle.Bottle":
                return True
            if v.startswith("d:") and self.prog.kind(v[2:]) == "class" \
                    and any(outside(b) == "bottle.Bottle" for b in self.prog.r.external_bases(v[2:])):
                return True
        return False

    def _router(self, scope: str, callee: str) -> tuple[bool, str | None]:
        """Whether ``callee`` (``route``, ``bottle.get``, ``app.post``) is a Bottle route
        function, and the application it routes on (None: the default application)."""
        prog = self.prog
        for v in prog.r.eval(scope, callee):
            path = outside(v)
            if path is not None and path.count(".") == 1 and path.startswith(f"{_ROOT}."):
                return True, None  # a module function: the default application
        recv = callee.rpartition(".")[0]
        if recv and framework_of(prog.r.eval(scope, recv), self.roots, prog) == FRAMEWORK:
            return True, prog.locate(scope, recv) or f"{scope}:{recv}"
        return False, None

    def _mounts(self) -> None:
        """``parent.mount("/prefix", child)``: the child's routes serve under the prefix."""
        prog = self.prog
        for site in prog.named(["mount"]):
            c = site.call
            ok, parent = self._router(c.scope, c.callee or "")
            if not ok:
                continue
            child = self._app(site.module, c.scope, prog.arg(c, 1, "app"))
            if child is None:
                continue
            prefix = prog.literal_str(site.module, c.scope, prog.arg(c, 0, "prefix"))
            if prefix is None:
                self.unresolved.append(f"{c.scope}: {c.callee}(...)")
            self.mounts.mount(parent, child, prefix or "")

    def _app(self, module: str, scope: str, arg: Arg | None) -> str | None:
        """The application an argument names, also one a project function makes and returns."""
        prog = self.prog
        if arg is None:
            return None
        if arg.call is not None:
            for v in sorted(prog.targets(module, arg.call)):
                if v.startswith("d:") and prog.kind(v[2:]) == "function":
                    for b in prog.bindings(v[2:], "<return>"):
                        key = prog.locate(v[2:], b.expr)
                        if key in self.mounts.own:
                            return key
            return None
        key = prog.locate(scope, arg.expr)
        return key if key in self.mounts.own else None

    # -- routes ------------------------------------------------------------------------
    def _decorated(self) -> list[Endpoint]:
        prog = self.prog
        out: list[Endpoint] = []
        for q, _d, dec in prog.decorator_calls(_ROUTES):
            parent = prog.parent_scope(q)
            ok, router = self._router(parent, dec.expr)
            if ok:
                out.extend(self._routes(prog.module_of(q), Call(parent, dec.expr, dec.args, dec.line), router, q))
        return out

    def _calls(self) -> list[Endpoint]:
        """``app.route("/p", callback=handler)``: a route call given its handler."""
        prog = self.prog
        out: list[Endpoint] = []
        for site in prog.named(_ROUTES):
            c = site.call
            verb = (c.callee or "").rsplit(".", 1)[-1]
            callback = prog.arg(c, 2 if verb == "route" else None, "callback")
            if callback is None or not callback.expr:
                continue  # a decorator: read with its function
            ok, router = self._router(c.scope, c.callee or "")
            if not ok:
                continue
            handler = next((v[2:] for v in sorted(prog.r.eval(c.scope, callback.expr)) if v.startswith("d:")), None)
            out.extend(self._routes(site.module, c, router, handler))
        return out

    def _routes(self, module: str, c: Call, router: str | None, handler: str | None) -> list[Endpoint]:
        prog = self.prog
        verb = (c.callee or "").rsplit(".", 1)[-1]
        path_arg = prog.arg(c, 0, "path")
        given = prog.literal(module, c.scope, path_arg) if path_arg is not None else _NO_PATH
        if given is _NO_PATH:
            paths = _signature_paths(prog, handler) if handler else []
        elif isinstance(given, str):
            paths = [given]
        elif isinstance(given, tuple) and given and all(isinstance(p, str) for p in given):
            paths = list(given)
        else:
            paths = []
        if not paths:
            self.unresolved.append(f"{c.scope}: {c.callee}(...)")
            return []
        if verb == "route":
            methods = literal_verbs(prog.literal(module, c.scope, prog.arg(c, 1, "method")))
            methods = tuple(sorted({"GET" if m == "ANY" else m for m in methods}))
        else:
            methods = (verb.upper(),)
        name = prog.literal_str(module, c.scope, prog.arg(c, None, "name"))
        return [Endpoint(router, p, methods, handler or c.scope, module, c.line, FRAMEWORK, name) for p in paths]


def _signature_paths(prog: Program, func: str) -> list[str]:
    """Bottle's ``yieldroutes``: ``/name`` and a ``/<arg>`` per positional parameter, one path
    with the required ones and one more per parameter with a default."""
    d = prog.defs.get(func)
    if d is None or d.kind not in ("function", "method"):
        return []
    params = [p for p in d.params if p.kind in ("positional", "positional_only")]
    path = "/" + d.name.replace("__", "/").lstrip("/")
    required = [p for p in params if p.default is None]
    path += "".join(f"/<{p.name}>" for p in required)
    out = [path]
    for p in params[len(required):]:
        path += f"/<{p.name}>"
        out.append(path)
    return out


__all__ = ["BottleRoutes"]
