"""Cornice entry points (REST services on Pyramid): ``svc = Service(name="order",
path="/orders/{id}")`` with ``@svc.get()`` / ``@svc.post()`` views, which serve at the
service's own path; and ``@resource(collection_path="/orders", path="/orders/{id}")`` on a
class, whose ``collection_get`` / ``collection_post`` / ... methods serve at the collection
path and ``get`` / ``put`` / ... at the item path."""

from __future__ import annotations

from analyzer.frameworks.program import Program, matches
from analyzer.frameworks.routing import HTTP_VERBS, Endpoint, RouterSpec

CORNICE = RouterSpec(
    name="cornice",
    roots=frozenset({"cornice"}),
    routers={"Service": "path"},
    wrappers=frozenset(),
    decorators=frozenset(HTTP_VERBS),
    any_verb=frozenset(),
    mounts={},
    rules={},
    pathless=True,
)

_ROOTS = frozenset({"cornice"})
_COLLECTION = "collection_"


class CorniceResources:
    """Classes decorated with ``cornice.resource.resource``."""

    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.unresolved: list[str] = []

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return []
        out: list[Endpoint] = []
        for q, d, dec in prog.decorator_calls({"resource"}):
            if d.kind != "class" or not matches(prog.r.eval(prog.parent_scope(q), dec.expr), _ROOTS):
                continue
            module = prog.module_of(q)
            scope = prog.parent_scope(q)
            given = {a.keyword: a for a in dec.args if a.keyword}
            paths = {kind: prog.literal_str(module, scope, given.get(kw))
                     for kind, kw in (("item", "path"), ("collection", "collection_path"))}
            if paths["item"] is None and paths["collection"] is None:
                self.unresolved.append(f"{q}: {dec.expr}(...)")
                continue
            methods = prog.methods_in_mro(q)
            for verb in HTTP_VERBS:
                for kind, name in (("item", verb), ("collection", _COLLECTION + verb)):
                    if name in methods and paths[kind] is not None:
                        out.append(Endpoint(None, paths[kind], (verb.upper(),), methods[name], module, dec.line,
                                            "cornice"))
        return out


__all__ = ["CORNICE", "CorniceResources"]
