"""GraphQL entry points: the queries and mutations a schema serves, as entries of kind
``graphql`` (``entry:graphql:query orders``, ``entry:graphql:mutation CreateOrder``).

A GraphQL API is one URL; its real entry points are the root fields. They are found without
running the schema:

* **Graphene**: the root query classes given to ``graphene.Schema(query=Query, ...)`` and
  their project bases (saleor composes ``Query`` from one class per app): each
  ``resolve_<field>`` method is a query; every project subclass of Graphene's ``Mutation``
  (``ClientIDMutation``, a project base such as saleor's ``BaseMutation``) that no project
  class extends is a mutation, handled by its ``mutate`` / ``perform_mutation`` /
  ``mutate_and_get_payload`` (its own or a base's), or by the class itself;
* **Strawberry**: methods decorated ``@strawberry.mutation`` are mutations; methods decorated
  ``@strawberry.field`` in the classes given to ``strawberry.Schema(query=...)`` are queries.
"""

from __future__ import annotations

from analyzer.frameworks.program import Program, matches, outside
from analyzer.model import Route

_GRAPHENE = frozenset({"graphene", "graphene_django"})
_STRAWBERRY = frozenset({"strawberry"})
_MUTATION_BASES = frozenset({"Mutation", "ClientIDMutation", "DjangoModelFormMutation", "DjangoFormMutation",
                             "SerializerMutation"})
_HANDLERS = ("perform_mutation", "mutate_and_get_payload", "mutate")


class GraphqlEntries:
    def __init__(self, prog: Program) -> None:
        self.prog = prog

    def run(self) -> list[Route]:
        prog = self.prog
        out: dict[str, Route] = {}
        if prog.uses(*_GRAPHENE):
            for route in self._graphene():
                out.setdefault(route.id, route)
        if prog.uses(*_STRAWBERRY):
            for route in self._strawberry():
                out.setdefault(route.id, route)
        return sorted(out.values(), key=lambda r: r.id)

    # -- Graphene ----------------------------------------------------------------------
    def _graphene(self) -> list[Route]:
        prog = self.prog
        out: list[Route] = []
        for cls in self._schema_roots(_GRAPHENE, "query"):
            seen: set[str] = set()
            for c in prog.r.mro(cls):
                for name, q in sorted(prog.r.children.get(c, {}).items()):
                    if name.startswith("resolve_") and name not in seen and prog.kind(q) == "method":
                        seen.add(name)
                        out.append(self._route("query", name.removeprefix("resolve_"), q, "graphene"))
        extended = prog.extended()
        for q, d in sorted(prog.defs.items()):
            if d.kind != "class" or q in extended or not self._is_mutation(q):
                continue
            methods = prog.methods_in_mro(q)
            handler = next((methods[h] for h in _HANDLERS if h in methods), q)
            out.append(self._route("mutation", d.name, handler, "graphene", line=d.line, module=prog.module_of(q)))
        return out

    def _is_mutation(self, cls: str) -> bool:
        for b in self.prog.r.external_bases(cls):
            path = outside(b) or ""
            if path.split(".")[0] in _GRAPHENE and path.rsplit(".", 1)[-1] in _MUTATION_BASES:
                return True
        return False

    def _schema_roots(self, roots: frozenset[str], keyword: str) -> list[str]:
        """Project classes given as ``query=`` / ``mutation=`` to a ``Schema(...)`` call."""
        prog = self.prog
        out: list[str] = []
        for site in prog.named(["Schema"]):
            if not matches(prog.targets(site.module, site.index), roots, {"Schema"}):
                continue
            arg = prog.arg(site.call, 0 if keyword == "query" else None, keyword)
            for v in sorted(prog.r.eval(site.call.scope, arg.expr)) if arg is not None and arg.expr else ():
                if v.startswith("d:") and prog.kind(v[2:]) == "class" and v[2:] not in out:
                    out.append(v[2:])
        return out

    # -- Strawberry --------------------------------------------------------------------
    def _strawberry(self) -> list[Route]:
        prog = self.prog
        out: list[Route] = []
        queries = set()
        for cls in self._schema_roots(_STRAWBERRY, "query"):
            queries.update(prog.r.mro(cls))
        for q, d in prog.decorated():
            if d.kind not in ("method", "function"):
                continue
            for dec in d.decorators:
                last = (dec.expr or "").rsplit(".", 1)[-1]
                if last not in ("mutation", "field") or not matches(prog.r.eval(prog.parent_scope(q), dec.expr),
                                                                  _STRAWBERRY):
                    continue
                if last == "mutation":
                    out.append(self._route("mutation", d.name, q, "strawberry"))
                elif prog.parent_scope(q) in queries:
                    out.append(self._route("query", d.name, q, "strawberry"))
        return out

    def _route(self, operation: str, name: str, handler: str, framework: str, line: int | None = None,
               module: str | None = None) -> Route:
        d = self.prog.defs.get(handler)
        return Route(id=f"entry:graphql:{operation} {name}", kind="graphql", handler=handler, path=None, methods=(),
                     name=f"{operation} {name}", module=module or self.prog.module_of(handler),
                     line=line if line is not None else d.line if d is not None else 0, framework=framework)


__all__ = ["GraphqlEntries"]
