"""Pyramid entry points: ``config.add_route("name", "/path/{id}")`` names a URL pattern, and
``@view_config(route_name="name", request_method="POST")`` on a function, a class or a
method (``@view_defaults(route_name=...)`` on its class) attaches a view to it.

A view with no ``request_method`` answers every method; it is listed as ``GET``, the method
such views serve in practice. ``config.include("pkg.api", route_prefix="/api")`` puts its
prefix before the routes that module's ``includeme`` adds (or that an included function
adds), through nested includes; so does ``with config.route_prefix_context("/api"):``.
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
        included = self._included()
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
            prefix = self._prefix(c.scope, included, set()) + self._context_prefix(site.module, site.index)
            found.setdefault(name, _join(prefix, pattern))
        return found

    def _included(self) -> dict[str, list[tuple[str, str]]]:
        """Included function -> (the scope that includes it, the ``route_prefix`` given).
        ``config.include("pkg.mod")`` includes ``pkg.mod.includeme``; a relative name is
        read from the including module's package, as Pyramid does."""
        prog = self.prog
        out: dict[str, list[tuple[str, str]]] = {}
        for site in prog.named(["include"]):
            c = site.call
            if "." not in (c.callee or ""):
                continue
            prefix = prog.literal_str(site.module, c.scope, prog.arg(c, None, "route_prefix")) or ""
            target = prog.arg(c, 0, "callable")
            if target is None:
                continue
            func = None
            text = prog.literal_str(site.module, c.scope, target)
            if text is not None:
                module = _absolute(text, site.module, prog.facts[site.module].is_package)
                func = f"{module}.includeme" if f"{module}.includeme" in prog.defs else (
                    text if prog.kind(text) == "function" else None)
            elif target.expr:
                for v in sorted(prog.r.eval(c.scope, target.expr)):
                    if v.startswith("m:") and f"{v[2:]}.includeme" in prog.defs:
                        func = f"{v[2:]}.includeme"
                    elif v.startswith("d:") and prog.kind(v[2:]) == "function":
                        func = v[2:]
            if func is not None:
                out.setdefault(func, []).append((c.scope, prefix + self._context_prefix(site.module, site.index)))
        return out

    def _prefix(self, scope: str, included: dict[str, list[tuple[str, str]]], seen: set[str]) -> str:
        """The route prefix in force in ``scope``: its includers' prefixes, outermost first
        (the first includer where there are several)."""
        if scope in seen:
            return ""
        seen.add(scope)
        for includer, prefix in included.get(scope, ())[:1]:
            outer = self._prefix(includer, included, seen)
            return _join(outer, prefix) if prefix else outer
        return ""

    def _context_prefix(self, module: str, index: int) -> str:
        """``with config.route_prefix_context("/p"):`` blocks around a call site."""
        prog = self.prog
        prefix = ""
        for w in prog.facts[module].withs:
            if not w.first_call <= index < w.end_call:
                continue
            for item in w.items:
                if item.call is None:
                    continue
                inner = prog.call(module, item.call)
                if (inner.callee or "").rsplit(".", 1)[-1] == "route_prefix_context":
                    given = prog.literal_str(module, inner.scope, prog.arg(inner, 0, "route_prefix"))
                    if given:
                        prefix = _join(prefix, given)
        return prefix

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


def _join(prefix: str, pattern: str) -> str:
    """Pyramid's joining of a route prefix and a pattern: one slash between them (an empty
    pattern under a prefix is the prefix with its slash, ``/api/``)."""
    if not prefix.strip("/"):
        return pattern if pattern.startswith("/") else "/" + pattern
    return "/" + prefix.strip("/") + "/" + pattern.lstrip("/")


def _absolute(name: str, module: str, is_package: bool) -> str:
    """A dotted name as ``config.include`` reads it: ``.views`` from the including package."""
    if not name.startswith("."):
        return name.replace(":", ".")
    level = len(name) - len(name.lstrip("."))
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    rest = name.lstrip(".")
    return ".".join([*base, rest] if rest else base)


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
