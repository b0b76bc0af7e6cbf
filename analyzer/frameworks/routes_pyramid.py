"""Pyramid entry points: ``config.add_route("name", "/path/{id}")`` names a URL pattern, and
``@view_config(route_name="name", request_method="POST")`` on a function, a class or a
method (``@view_defaults(route_name=...)`` on its class) attaches a view to it.

A view with no ``request_method`` answers every method; it is listed as ``GET``, the method
such views serve in practice. Prefixes given by ``config.include(..., route_prefix=...)``
are not followed yet: the patterns are listed as written.
"""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.frameworks.program import Program, matches
from analyzer.frameworks.routing import HTTP_VERBS, Endpoint

_ROOTS = frozenset({"pyramid"})


class PyramidRoutes:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.unresolved: list[str] = []

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return []
        patterns = self._patterns()
        out: list[Endpoint] = []
        for q, d in sorted(prog.defs.items()):
            if d.kind == "module" or not d.decorators:
                continue
            defaults = self._defaults(prog.parent_scope(q)) if d.kind == "method" else {}
            for dec in d.decorators:
                if (dec.expr or "").rsplit(".", 1)[-1] != "view_config" or dec.args is None:
                    continue
                if not matches(prog.r.eval(prog.parent_scope(q), dec.expr), _ROOTS):
                    continue
                given = {a.keyword: a for a in dec.args if a.keyword}
                route = _text(given.get("route_name")) or defaults.get("route_name")
                if route is None:
                    continue  # an exception view or a traversal view: no URL of its own
                path = patterns.get(route)
                if path is None:
                    self.unresolved.append(f"{q}: route_name={route!r}")
                    continue
                methods = _methods(given.get("request_method")) or defaults.get("request_method") or ("GET",)
                module = prog.module_of(q)
                out.append(Endpoint(None, path, methods, q, module, dec.line, "pyramid", route))
        return out

    def _patterns(self) -> dict[str, str]:
        """route name -> URL pattern, from every ``add_route`` call with literal arguments."""
        prog = self.prog
        found: dict[str, str] = {}
        for site in prog.named(["add_route"]):
            c = site.call
            if "." not in (c.callee or ""):
                continue
            name = prog.literal_str(site.module, c.scope, prog.arg(c, 0, "name"))
            pattern = prog.literal_str(site.module, c.scope, prog.arg(c, 1, "pattern"))
            if name is None or pattern is None:
                self.unresolved.append(f"{c.scope}: {c.callee}(...)")
                continue
            found.setdefault(name, pattern if pattern.startswith("/") else "/" + pattern)
        return found

    def _defaults(self, cls: str) -> dict[str, object]:
        """``@view_defaults(...)`` of a class: the route and methods its views inherit."""
        d = self.prog.defs.get(cls)
        out: dict[str, object] = {}
        for dec in d.decorators if d is not None and d.kind == "class" else ():
            if (dec.expr or "").rsplit(".", 1)[-1] != "view_defaults" or not dec.args:
                continue
            given = {a.keyword: a for a in dec.args if a.keyword}
            route = _text(given.get("route_name"))
            if route is not None:
                out["route_name"] = route
            methods = _methods(given.get("request_method"))
            if methods:
                out["request_method"] = methods
        return out


def _text(arg) -> str | None:
    return arg.value if arg is not None and isinstance(arg.value, str) else None


def _methods(arg) -> tuple[str, ...]:
    """``"POST"`` or ``("GET", "POST")`` as upper-case HTTP verbs."""
    if arg is None:
        return ()
    value = arg.value
    values: Iterable[object] = (value,) if isinstance(value, str) else value if isinstance(value, (list, tuple)) else ()
    return tuple(sorted({str(v).upper() for v in values if str(v).lower() in HTTP_VERBS}))


__all__ = ["PyramidRoutes"]
