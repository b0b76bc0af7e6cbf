"""Data ownership: every entity gets exactly one owning service.

Rule, in order: the service that writes it most (sum of write sites), then the one that
reads it most, then the service holding its model class (or its defining module), then the
service owning most of the entities it is related to (foreign keys), then the first service
by name. Ties are broken by service name, so the result is deterministic.

A model that derives from another table's model (Django's multi-table inheritance, joined
inheritance in SQLAlchemy: zds-site's forum ``Post(Comment)``) keeps its rows in both tables,
which one save writes together: the whole family gets one owner, by the same rule over the
family's reads and writes. Split, the child's service could not define its model on a stub.

A concrete model's class lives with its entity's owner (``place_models``), and so does a class
that is its rows under another name (a proxy model, a single-table subclass): extraction
can only define a model in the service whose database holds its table, so a decomposition
that left the class elsewhere would show a cut that is not the one built. A class the user
placed (a pin, a ``together`` group, a plan) stays, and its entity's rows follow it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from analyzer.model import ENTITY, INHERIT, READ, RELATION, SHARED, WRITE, Entity

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


def model_classes(entities: Iterable[Entity], inherits: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Class -> the id of the concrete entity whose rows it stands for: each concrete model's
    own class, and each class below a model that is no entity of its own (a proxy model, a
    single-table subclass: CTFd's ``Fails(Submissions)``), by the nearest model ancestor,
    breadth first in the order of the bases. Below an abstract model a class is no alias:
    an abstract model has no rows."""
    models = {e.model: e for e in entities if e.model}
    out = {cls: e.id for cls, e in models.items() if not e.abstract}
    bases: dict[str, list[str]] = defaultdict(list)
    for cls, base in inherits:
        bases[cls].append(base)
    for cls in sorted(bases):
        if cls in models:
            continue
        seen, todo, i = {cls}, list(bases[cls]), 0
        while i < len(todo):
            base = todo[i]
            i += 1
            e = models.get(base)
            if e is not None:
                if not e.abstract:
                    out[cls] = e.id
                break
            for b in bases.get(base, ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
    return out


def place_models(
    analysis,
    placement: Mapping[str, str],
    services: Iterable[str],
    index,
    *,
    held: Mapping[str, str] | None = None,
    pinned: Mapping[str, str] | None = None,
    edges: Edges | None = None,
) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str, str]]]:
    """Owners for every entity, with each model class (``model_classes``) placed in its
    entity's owner: ``(owner, placement, moves)``, the moves as ``(class, from, to)``.
    ``index`` is the analysis's ``members.MemberIndex``; ``placement`` maps every symbol.

    A class in ``held`` (class -> service, where the user placed it) is not moved, nor is a
    class nested in another unit, or the last unit of its service (the move would leave the
    service empty). When such a class is the entity's own model, the entity is owned by the
    class's service, unless ``pinned`` (entity -> service, the user's) says otherwise; an
    alias (a proxy) that stays decides no owner, and extraction moves it. A move changes
    where the class's methods count their reads and writes, so owners are computed again
    until no class moves; an entity whose class moved keeps that owner, so this ends."""
    names = sorted(set(services) - {SHARED})
    known = set(names)
    edges = edges if edges is not None else data_edges(analysis.edges)
    classes = model_classes(analysis.entities, edges[2])
    placement = dict(placement)
    pins = dict(pinned or {})
    held = held or {}
    members: dict[str, list[str]] = defaultdict(list)  # unit -> its symbols
    for sid, unit in index.unit_of.items():
        if unit in index.units:
            members[unit].append(sid)
    size: dict[str, int] = defaultdict(int)  # service -> units placed in it
    for unit in index.units:
        size[placement.get(unit, SHARED)] += 1
    own = {e.model for e in analysis.entities if e.model}  # a model's own class, not an alias of it
    stay = {cls for cls in classes if cls in held}
    for cls in sorted(stay & own):
        if held[cls] != SHARED:
            pins.setdefault(classes[cls], held[cls])
    moves: list[tuple[str, str, str]] = []
    while True:
        owner = own_entities(analysis, placement, names, pins, edges)
        away = [(cls, ent, placement.get(cls, SHARED), owner.get(ent, SHARED))
                for cls, ent in sorted(classes.items()) if cls not in stay]
        # an owner that is no service (an entity pinned to a name no unit has) takes no class
        away = [(cls, ent, here, there) for cls, ent, here, there in away if here != there and there in known]
        repinned = False
        for cls, ent, here, _ in away:
            if cls not in index.units or (here != SHARED and size[here] <= 1):
                stay.add(cls)
                if here != SHARED and ent not in pins and cls in own:
                    pins[ent] = here  # the model cannot go: its rows follow it
                    repinned = True
        if repinned:
            continue  # owners first: another class of the entity follows it now
        step = []
        for cls, ent, here, there in away:
            if cls in stay or (here != SHARED and size[here] <= 1):
                continue  # the move before it left this one alone in its service: the next round sees it
            for sid in members[cls]:
                placement[sid] = there
            size[here] -= 1
            size[there] += 1
            pins[ent] = there
            step.append((cls, here, there))
        if not step:
            return owner, placement, moves
        moves.extend(step)


__all__ = ["data_edges", "model_classes", "own_entities", "place_models"]
