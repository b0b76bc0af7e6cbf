"""Falcon entry points: ``app.add_route("/things/{id}", ThingsResource())`` on a Falcon app
(``falcon.App()``, ``falcon.API()``, ``falcon.asgi.App()``, or an instance of a project
subclass of one), the resource given in place or through a variable.

A resource answers the verbs whose responders its project MRO defines (``on_get``,
``on_post``, ``on_put``, ``on_patch``, ``on_delete``; with ``suffix="detail"``,
``on_get_detail`` and so on); ``on_websocket`` makes the route a WebSocket. The handler is
the resource class, as for the class-based views of the other frameworks. Paths are
templates kept as written; a path that is no literal is counted as unresolved.
"""

from __future__ import annotations

from analyzer.frameworks.program import Program, Site, outside
from analyzer.frameworks.routing import WEBSOCKET, Endpoint

_ROOTS = frozenset({"falcon"})
_APPS = frozenset({"falcon.App", "falcon.API", "falcon.app.App", "falcon.api.API", "falcon.asgi.App",
                   "falcon.asgi.app.App"})
_VERBS = ("get", "post", "put", "patch", "delete")


def responders(methods, suffix: str | None) -> tuple[str, ...]:
    """The methods a resource answers, from its method names: ``on_get`` -> ``GET``
    (``on_get_detail`` with suffix ``detail``); ``on_websocket`` -> WEBSOCKET."""
    end = f"_{suffix}" if suffix else ""
    if f"on_websocket{end}" in methods:
        return (WEBSOCKET,)
    return tuple(v.upper() for v in _VERBS if f"on_{v}{end}" in methods)


class FalconRoutes:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.unresolved: list[str] = []

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return []
        out: list[Endpoint] = []
        for site in prog.named({"add_route"}):
            callee = site.call.callee or ""
            if "." in callee and self._app(prog.r.eval(site.call.scope, callee.rsplit(".", 1)[0])):
                out.extend(self._route(site))
        return out

    def _app(self, values) -> bool:
        """A Falcon app: Falcon's own, or an instance of a project subclass of it."""
        return any(outside(v) in _APPS or (v.startswith("i:") and self._subclass(v[2:])) for v in values)

    def _subclass(self, cls: str) -> bool:
        return self.prog.extends(cls, _APPS)

    def _route(self, site: Site) -> list[Endpoint]:
        prog = self.prog
        c = site.call
        template = prog.arg(c, 0, "uri_template")
        path = prog.literal_str(site.module, c.scope, template)
        if path is None:
            self.unresolved.append(f"{c.scope}: {c.callee}({template.expr if template and template.expr else '...'})")
            return []
        suffix = prog.literal_str(site.module, c.scope, prog.arg(c, None, "suffix"))
        resource = prog.arg(c, 1, "resource")
        values = prog.r.eval(c.scope, resource.expr) if resource is not None and resource.expr else frozenset()
        classes = sorted(v[2:] for v in values if v.startswith(("i:", "d:")) and prog.kind(v[2:]) == "class")
        if not classes:  # a resource the project does not define: its responders are not known
            return [Endpoint(None, path, ("GET",), c.scope, site.module, c.line, "falcon")]
        cls = classes[0]
        methods = responders(prog.methods_in_mro(cls), suffix)
        return [Endpoint(None, path, methods, cls, site.module, c.line, "falcon")] if methods else []


__all__ = ["FalconRoutes", "responders"]
