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

from analyzer.facts import absolute, is_template
from analyzer.frameworks.program import Program, matches
from analyzer.frameworks.routing import HTTP_VERBS, Endpoint, join_url

_ROOTS = frozenset({"pyramid"})


class PyramidRoutes:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.unresolved: list[str] = []
        self._class_defaults: dict[str, dict[str, object]] = {}
        self._prefix_blocks: dict[str, list[tuple[int, int, str]]] = {}

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return []
        patterns = self._patterns()
        out: list[Endpoint] = []
        for q, d, dec in prog.decorator_calls({"view_config"}):
            if not matches(prog.r.eval(prog.parent_scope(q), dec.expr), _ROOTS):
                continue
            defaults = self._defaults(prog.parent_scope(q)) if d.kind == "method" else {}
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
            prefix = join_url(self._prefix(c.scope, included, set()), self._context_prefix(site.module, site.index))
            # Pyramid: the prefix, one slash, the pattern (an empty pattern keeps the slash)
            found.setdefault(name, join_url(prefix, pattern or "/") if prefix.strip("/") else join_url("", pattern))
        return found

    def _included(self) -> dict[str, tuple[str, str]]:
        """Included function -> (the scope that first includes it, the route prefix it is
        given there). ``config.include("pkg.mod")`` includes ``pkg.mod.includeme``; a
        relative name is read from the including module's package, as Pyramid does."""
        prog = self.prog
        out: dict[str, tuple[str, str]] = {}
        for site in prog.named(["include"]):
            c = site.call
            target = prog.arg(c, 0, "callable")
            if "." not in (c.callee or "") or target is None:
                continue
            text = prog.literal_str(site.module, c.scope, target)
            if text is not None:
                dots = len(text) - len(text.lstrip("."))
                found = prog.resolve_dotted(absolute(site.module, prog.facts[site.module].is_package, dots,
                                                     text[dots:]))
                values = [f"m:{found}" if found in prog.facts else f"d:{found}"] if found else []
            else:
                values = sorted(prog.r.eval(c.scope, target.expr)) if target.expr else []
            func = None
            for v in values:
                if v.startswith("m:") and f"{v[2:]}.includeme" in prog.defs:
                    func = f"{v[2:]}.includeme"
                elif v.startswith("d:") and prog.kind(v[2:]) == "function":
                    func = v[2:]
            if func is not None:
                given = prog.literal_str(site.module, c.scope, prog.arg(c, None, "route_prefix")) or ""
                out.setdefault(func, (c.scope, join_url(self._context_prefix(site.module, site.index), given)))
        return out

    def _prefix(self, scope: str, included: dict[str, tuple[str, str]], seen: set[str]) -> str:
        """The route prefix in force in ``scope``: its includers' prefixes, outermost first."""
        if scope in seen or scope not in included:
            return ""
        seen.add(scope)
        includer, prefix = included[scope]
        return join_url(self._prefix(includer, included, seen), prefix)

    def _context_prefix(self, module: str, index: int) -> str:
        """The prefix of the ``with config.route_prefix_context("/p"):`` blocks around a call site."""
        blocks = self._prefix_blocks.get(module)
        if blocks is None:
            blocks = self._prefix_blocks[module] = self._context_blocks(module)
        prefix = ""
        for first, end, given in blocks:
            if first <= index < end:
                prefix = join_url(prefix, given)
        return prefix

    def _context_blocks(self, module: str) -> list[tuple[int, int, str]]:
        """``(first call, end call, prefix)`` of each ``route_prefix_context`` block of a module."""
        prog = self.prog
        out = []
        for w in prog.facts[module].withs:
            for item in w.items:
                if item.call is None:
                    continue
                inner = prog.call(module, item.call)
                if (inner.callee or "").rsplit(".", 1)[-1] == "route_prefix_context":
                    given = prog.literal_str(module, inner.scope, prog.arg(inner, 0, "route_prefix"))
                    if given:
                        out.append((w.first_call, w.end_call, given))
        return out

    def _defaults(self, cls: str) -> dict[str, object]:
        """``@view_defaults(...)`` of a class: the route and methods its views inherit."""
        hit = self._class_defaults.get(cls)
        if hit is not None:
            return hit
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
        self._class_defaults[cls] = out
        return out


def _text(arg) -> str | None:
    return arg.value if arg is not None and isinstance(arg.value, str) and not is_template(arg.value) else None


def _methods(arg) -> tuple[str, ...]:
    """``"POST"`` or ``("GET", "POST")`` as upper-case HTTP verbs."""
    if arg is None:
        return ()
    value = arg.value
    values: Iterable[object] = (value,) if isinstance(value, str) else value if isinstance(value, (list, tuple)) else ()
    return tuple(sorted({str(v).upper() for v in values if str(v).lower() in HTTP_VERBS}))


__all__ = ["PyramidRoutes"]
