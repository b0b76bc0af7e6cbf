"""Django REST framework routers: ``router.register("orders", OrderViewSet)`` gives the list
route ``orders/`` (``list`` GET, ``create`` POST) and the detail route ``orders/<pk>/``
(``retrieve`` GET, ``update`` PUT, ``partial_update`` PATCH, ``destroy`` DELETE) for the
actions the viewset has — defined in the project or inherited from ``ModelViewSet``,
``ReadOnlyModelViewSet`` or the ``*ModelMixin`` classes — plus one route per ``@action``
(``@list_route`` / ``@detail_route`` before DRF 3.8).

A router is mounted where the URL configuration includes ``router.urls``; a router never
seen mounted is placed under the prefixes of the URL module that defines it. A project that
vendors DRF's routers (taiga-back's ``taiga.base.routers``) has its own router classes: a
``*Router`` class whose MRO defines ``register`` and ``get_urls`` counts as one.
"""

from __future__ import annotations

from analyzer.frameworks.program import Program, matches, outside, tail
from analyzer.frameworks.routing import Endpoint, join_url, literal_verbs

_ROOTS = frozenset({"rest_framework", "rest_framework_nested", "rest_framework_extensions"})
_LIST = (("list", "GET"), ("create", "POST"))
_DETAIL = (("retrieve", "GET"), ("update", "PUT"), ("partial_update", "PATCH"), ("destroy", "DELETE"))
_INHERITED = {
    "ModelViewSet": ("list", "create", "retrieve", "update", "partial_update", "destroy"),
    "ReadOnlyModelViewSet": ("list", "retrieve"),
    "ListModelMixin": ("list",),
    "CreateModelMixin": ("create",),
    "RetrieveModelMixin": ("retrieve",),
    "UpdateModelMixin": ("update", "partial_update"),
    "DestroyModelMixin": ("destroy",),
}


# extra-action decorators -> whether they route a detail URL (None: their ``detail=`` says);
# ``list_route`` / ``detail_route`` are DRF's names before 3.8
_ACTIONS = {"action": None, "list_route": False, "detail_route": True}


class DrfRouters:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.routers: dict[str, str] = {}  # router key -> trailing slash
        self.registrations: list[tuple[str, str, str, str, int]] = []  # (router, prefix, viewset, module, line)
        self.unresolved: list[str] = []
        self.vendored: frozenset[str] = frozenset()  # project router classes (_vendored_routers)

    def collect(self) -> None:
        prog = self.prog
        self.vendored = self._vendored_routers()
        if not prog.uses(*_ROOTS) and not self.vendored:
            return
        for module in prog.modules:
            facts = prog.facts[module]
            for b in facts.bindings:
                if b.call is None:
                    continue
                if self._is_router(prog.targets(module, b.call)):
                    c = facts.calls[b.call]
                    slash = prog.literal(module, c.scope, prog.arg(c, None, "trailing_slash"))
                    self.routers[f"{b.scope}:{b.name}"] = "" if slash is False else "/"
        for site in prog.named(["register"]):
            c = site.call
            if tail(c.callee) != "register" or "." not in c.callee:
                continue
            key = prog.locate(c.scope, c.callee.rsplit(".", 1)[0])
            if key not in self.routers:
                continue
            prefix = prog.literal_str(site.module, c.scope, prog.arg(c, 0, "prefix"))
            view = prog.arg(c, 1, "viewset")
            cls = None
            for v in sorted(prog.r.eval(c.scope, view.expr)) if view is not None and view.expr else ():
                if v.startswith("d:") and prog.kind(v[2:]) == "class":
                    cls = v[2:]
                    break
            if prefix is None or cls is None:
                self.unresolved.append(f"{c.scope}: {c.callee}(...)")
                continue
            self.registrations.append((key, prefix, cls, site.module, c.line))

    def _is_action(self, cls: str, expr: str) -> bool:
        """DRF's decorator, or (in a project with its own copy of the routers) the project's."""
        values = self.prog.r.eval(cls, expr)
        if matches(values, _ROOTS):
            return True
        return bool(self.vendored) and any(v.startswith("d:") and self.prog.kind(v[2:]) == "function"
                                           for v in values)

    def _vendored_routers(self) -> frozenset[str]:
        """Project classes that are DRF-style routers by their shape (see the module doc)."""
        prog = self.prog
        found = set()
        for q, d in prog.defs.items():
            if d.kind == "class" and q.rsplit(".", 1)[-1].endswith("Router"):
                methods = prog.methods_in_mro(q)
                if "register" in methods and "get_urls" in methods:
                    found.add(q)
        return frozenset(found)

    def _is_router(self, targets) -> bool:
        """``DefaultRouter()`` / ``SimpleRouter()``, a project subclass of one, or a vendored
        router class."""
        for v in targets:
            if v.startswith("d:") and v[2:] in self.vendored:
                return True
            paths = [outside(v)]
            if v.startswith("d:") and self.prog.kind(v[2:]) == "class":
                paths = [outside(b) for b in self.prog.r.external_bases(v[2:])]
            if any(p and p.split(".")[0] in _ROOTS and p.endswith("Router") for p in paths):
                return True
        return False

    def endpoints(self, mounts: dict[str, list[str]], module_prefixes: dict[str, list[str]]) -> list[Endpoint]:
        out: list[Endpoint] = []
        for key, prefix, cls, module, line in self.registrations:
            where = mounts.get(key) or module_prefixes.get(key.rsplit(":", 1)[0]) or ["/"]
            slash = self.routers[key]
            for base in where:
                out.extend(self._viewset(base, prefix, cls, module, line, slash))
        return out

    def _viewset(self, base: str, prefix: str, cls: str, module: str, line: int, slash: str) -> list[Endpoint]:
        prog = self.prog
        methods = prog.methods_in_mro(cls)
        actions = {a for a in ("list", "create", "retrieve", "update", "partial_update", "destroy")
                   if a in methods}
        for b in prog.r.external_bases(cls):
            actions |= set(_INHERITED.get((outside(b) or "").rsplit(".", 1)[-1], ()))
        lookup = prog.class_literal(cls, "lookup_url_kwarg") or prog.class_literal(cls, "lookup_field") or "pk"
        root = join_url(base, prefix.strip("/"))
        list_path = root + slash
        detail_path = f"{root}/<{lookup}>{slash}"
        out = []
        for path, table in ((list_path, _LIST), (detail_path, _DETAIL)):
            for action, verb in table:
                if action in actions:
                    out.append(Endpoint(None, path, (verb,), methods.get(action, cls), module, line, "drf",
                                        f"{prefix}-{action}"))
        for name, q in sorted(methods.items()):
            d = prog.defs[q]
            for dec in d.decorators:
                kind = (dec.expr or "").rsplit(".", 1)[-1]
                if kind not in _ACTIONS or not self._is_action(cls, dec.expr):
                    continue
                args = dec.args or ()
                detail = _ACTIONS[kind] if _ACTIONS[kind] is not None else next(
                    (a.value for a in args if a.keyword == "detail"), False)
                verbs = literal_verbs(next((a.value for a in args if a.keyword == "methods"), None))
                url_path = prog.literal_str(prog.module_of(q), cls, next((a for a in args if a.keyword == "url_path"),
                                                                          None)) or name
                where = f"{root}/<{lookup}>/{url_path}" if detail is True else f"{root}/{url_path}"
                for verb in verbs:
                    out.append(Endpoint(None, where + slash, (verb,), q, module, line, "drf", f"{prefix}-{name}"))
        return out
