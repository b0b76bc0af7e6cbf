"""Data ownership: every entity gets exactly one owning service.

Rule, in order: the service that writes it most (sum of write sites), then the one that
reads it most, then the service holding its model class (or its defining module), then the
service owning most of the entities it is related to (foreign keys), then the first service
by name. Ties are broken by service name, so the result is deterministic.

A model that derives from another table's model (Django's multi-table inheritance, joined
inheritance in SQLAlchemy: zds-site's forum ``Post(Comment)``) keeps its rows in both tables,
which one save writes together: the whole family gets one owner, by the same rule over the
family's reads and writes. Split, the child's service could not define its model on a stub.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from analyzer.model import ENTITY, INHERIT, READ, RELATION, SHARED, WRITE

Edges = tuple[list[tuple[str, str, str, int]], list[tuple[str, str]], list[tuple[str, str]]]


def data_edges(edges: Iterable) -> Edges:
    """What ownership reads of the dependency edges: ``(source, entity, read|write, sites)``
    accesses, ``(entity, entity)`` relations and ``(class, base)`` inheritance. Callers
    owning entities for several placements of one analysis collect them once (a pass over a
    million edges each time adds up)."""
    accesses, relations, inherits = [], [], []
    for e in edges:
        if e.kind == RELATION:
            relations.append((e.source, e.target))
        elif e.kind in (READ, WRITE):
            accesses.append((e.source, e.target, e.kind, max(1, e.weight)))
        elif e.kind == INHERIT:
            inherits.append((e.source, e.target))
    return accesses, relations, inherits


def _families(analysis, inherits: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Entity -> the root entity of its table family (itself when it derives from no other
    table's model)."""
    table = {e.model: e.id for e in analysis.entities if e.model and not e.abstract}
    parent: dict[str, str] = {}
    for cls, base in inherits:
        child, up = table.get(cls), table.get(base)
        if child is not None and up is not None and child != up:
            parent.setdefault(child, up)
    roots: dict[str, str] = {}
    for ent in parent:
        seen, root = {ent}, ent
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        roots[ent] = root
    return roots


def own_entities(
    analysis,
    placement: Mapping[str, str],
    services: Iterable[str],
    pinned: Mapping[str, str] | None = None,
    edges: Edges | None = None,
) -> dict[str, str]:
    """entity id -> owning service; ``placement`` maps symbol ids to services (or SHARED).

    ``pinned`` (entity -> service) overrides the rule; ``edges`` is ``data_edges(analysis.edges)``
    when the caller has it already.
    """
    names = sorted(set(services) - {SHARED})
    entity_ids = sorted({e.id for e in analysis.entities} | {s.id for s in analysis.symbols if s.kind == ENTITY})
    if not names:
        return {}
    accesses, relations, inherits = edges if edges is not None else data_edges(analysis.edges)
    writes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reads: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    related: dict[str, set[str]] = defaultdict(set)
    for source, target in relations:
        related[source].add(target)
        related[target].add(source)
    for source, entity, kind, sites in accesses:
        svc = placement.get(source)
        if svc is None or svc == SHARED:
            continue
        (writes if kind == WRITE else reads)[entity][svc] += sites
    roots = _families(analysis, inherits)
    for ent, root in roots.items():  # a family's reads and writes count for its root
        for tally in (writes, reads):
            for svc, n in tally.get(ent, {}).items():
                tally[root][svc] += n
    home: dict[str, str] = {}
    for ent in analysis.entities:
        for key in (ent.model, ent.module):
            svc = placement.get(key) if key else None
            if svc and svc != SHARED:
                home[ent.id] = svc
                break

    def top(tally: Mapping[str, int]) -> str | None:
        return min(tally.items(), key=lambda kv: (-kv[1], kv[0]))[0] if tally else None

    owner: dict[str, str] = {}
    pending = []
    for ent in entity_ids:
        if pinned and ent in pinned:
            owner[ent] = pinned[ent]
            continue
        svc = top(writes.get(ent, {})) or top(reads.get(ent, {})) or home.get(ent)
        if svc is None:
            pending.append(ent)
        else:
            owner[ent] = svc
    for ent in pending:  # neither touched nor homed: follow the related entities
        tally: dict[str, int] = defaultdict(int)
        for other in related.get(ent, ()):
            if other in owner:
                tally[owner[other]] += 1
        owner[ent] = top(tally) or names[0]
    for ent, root in roots.items():  # one owner for a table family, the root's
        if not (pinned and ent in pinned) and root in owner:
            owner[ent] = owner[root]
    return owner


__all__ = ["data_edges", "own_entities"]
