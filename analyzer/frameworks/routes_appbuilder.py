"""Flask-AppBuilder entry points: a view or API class's methods decorated ``@expose("/path",
methods=[...])`` serve under the class's route base.

Flask-AppBuilder makes one blueprint per registered class (``appbuilder.add_view(V, ...)``,
``add_view_no_menu``, ``add_api``), mounted at its ``route_base``: when the class sets none,
``/<class name, lower case>`` for a view and ``/api/<version>/<resource_name>`` for an API
(``BaseApi``, ``ModelRestApi``; version ``v1``, resource name the class name, lower case).
A method without ``methods=`` answers ``GET``. A class serves its own exposed methods and
those of its project bases; the routes are those of the classes registered, and of every
class with exposed methods that no project class extends (a base that only shares methods
has no blueprint of its own).
"""

from __future__ import annotations

from analyzer.facts import argument
from analyzer.frameworks.program import Program, matches, outside
from analyzer.frameworks.routing import Endpoint, join_url, literal_verbs

FRAMEWORK = "flask-appbuilder"
_ROOTS = frozenset({"flask_appbuilder"})
_EXPOSE = frozenset({"expose", "expose_api"})
_REGISTER = ("add_view", "add_view_no_menu", "add_api")
_API_BASES = frozenset({"BaseApi", "ModelRestApi", "BaseModelApi", "ModelApi"})


class AppBuilderViews:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.unresolved: list[str] = []

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return []
        exposed: dict[str, list[tuple[str, object]]] = {}  # class -> [(method, decorator)]
        for q, d, dec in prog.decorator_calls(_EXPOSE):
            if d.kind == "method" and matches(prog.r.eval(prog.parent_scope(q), dec.expr), _ROOTS):
                exposed.setdefault(prog.parent_scope(q), []).append((q, dec))
        if not exposed:
            return []
        out: list[Endpoint] = []
        for cls in sorted(self._serving(exposed)):
            base = self._route_base(cls)
            module = prog.module_of(cls)
            seen: set[str] = set()
            for c in prog.r.mro(cls):
                for method, dec in exposed.get(c, ()):
                    name = method.rsplit(".", 1)[-1]
                    if name in seen:
                        continue  # a subclass's own method of that name serves instead
                    path_arg = argument(dec, 0, "url")  # a decorator holds its arguments as a call does
                    path = prog.literal_str(prog.module_of(method), c, path_arg)
                    if path is None and path_arg is not None:
                        self.unresolved.append(f"{method}: {dec.expr}(...)")
                        continue
                    seen.add(name)
                    out.append(Endpoint(None, join_url(base, path or "/"), self._methods(c, dec), method, module,
                                        dec.line, FRAMEWORK, f"{cls.rsplit('.', 1)[-1]}.{name}"))
                seen.update(n for n in prog.r.children.get(c, {}) if prog.kind(f"{c}.{n}") == "method")
        return out

    def _serving(self, exposed: dict[str, list]) -> set[str]:
        """Classes that get a blueprint: registered ones, and those with exposed methods
        (their own or a project base's) that no project class extends."""
        prog = self.prog
        extended = prog.extended()
        out = set()
        for q, d in prog.defs.items():
            if d.kind == "class" and q not in extended and any(c in exposed for c in prog.r.mro(q)):
                out.add(q)
        for site in prog.named(_REGISTER):
            first = prog.arg(site.call, 0, "baseview")
            for v in prog.r.eval(site.call.scope, first.expr) if first is not None and first.expr else ():
                if v.startswith(("d:", "i:")) and prog.kind(v[2:]) == "class" \
                        and any(c in exposed for c in prog.r.mro(v[2:])):
                    out.add(v[2:])
        return out

    def _route_base(self, cls: str) -> str:
        prog = self.prog
        given = prog.class_literal(cls, "route_base")
        if isinstance(given, str) and given:
            return given
        name = cls.rsplit(".", 1)[-1].lower()
        if any((outside(b) or "").rsplit(".", 1)[-1] in _API_BASES for b in prog.r.external_bases(cls)):
            version = prog.class_literal(cls, "version")
            resource = prog.class_literal(cls, "resource_name")
            return f"/api/{version if isinstance(version, str) else 'v1'}/" \
                   f"{resource.lower() if isinstance(resource, str) else name}"
        return "/" + name

    def _methods(self, scope: str, dec) -> tuple[str, ...]:
        return literal_verbs(self.prog.literal(self.prog.module_of(scope), scope, argument(dec, 1, "methods")))


__all__ = ["AppBuilderViews"]
