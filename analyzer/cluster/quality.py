"""How the number of services is chosen: modularity with a small-service penalty.

Merging greedily from the communities of the first algorithm gives a partition for every
``k`` between that count and one, each with its Newman modularity ``Q``. Raw ``Q`` happily
keeps two-unit "services" (a stray script, a helper used by one caller), so each ``k`` is
scored as

    score(k) = Q(k) − TINY_PENALTY × (share of code in tiny services)

where a service is *tiny* below ``min(max(TINY_SHARE × all code, TINY_FLOOR), TINY_LINES)``
— relative for a small monolith (but never under 150 lines), absolute for a large one, so a
100,000-unit system may keep hundreds of services. The ``k`` with the highest score wins (ties: fewer services). Sizes are lines
plus one per unit, so empty modules still weigh something.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx is imported where a graph is built: a replayed run needs none
    import networkx as nx

from analyzer.cluster.agglomerative import MergeTrace

TINY_SHARE = 0.02
TINY_LINES = 300
TINY_FLOOR = 150
TINY_PENALTY = 0.5
CURVE_POINTS = 60  # the stored curve keeps k <= this (plus the chosen k)


def modularity(graph: nx.Graph, partition: Iterable[Iterable[str]], resolution: float = 1.0) -> float:
    """Newman modularity of a partition of a weighted undirected graph (self-loops allowed).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("c", "d")])
    >>> modularity(g, [{"a", "b"}, {"c", "d"}])
    0.5
    """
    comm = {n: i for i, c in enumerate(partition) for n in c}
    m = 0.0
    inner: dict[int, float] = {}
    tot: dict[int, float] = {}
    for a, b, d in graph.edges(data=True):
        w = float(d.get("weight", 1.0))
        m += w
        ca, cb = comm.get(a), comm.get(b)
        tot[ca] = tot.get(ca, 0.0) + w
        tot[cb] = tot.get(cb, 0.0) + w
        if ca == cb:
            inner[ca] = inner.get(ca, 0.0) + w
    if m == 0:
        return 0.0
    return sum(inner.get(c, 0.0) / m - resolution * (t / (2 * m)) ** 2 for c, t in tot.items())


def score_curve(trace: MergeTrace, size: Mapping[str, float]) -> list[dict[str, float]]:
    """One point per ``k`` along the merge trace: ``{k, score, modularity, tiny_share}``."""
    sizes = [sum(size.get(trace.nodes[i], 1.0) for i in members) for members in trace.start]
    total = sum(sizes) or 1.0
    limit = tiny_limit(total)
    tiny = sum(s for s in sizes if s < limit)
    points = []
    for step, (k, q) in enumerate(trace.curve):
        if step > 0:
            kept, gone = trace.merges[step - 1]
            before = sizes[kept], sizes[gone]
            sizes[kept] += sizes[gone]
            sizes[gone] = 0.0
            tiny -= sum(s for s in before if s < limit)
            if sizes[kept] < limit:
                tiny += sizes[kept]
        share = tiny / total
        points.append(
            {"k": k, "score": round(q - TINY_PENALTY * share, 6), "modularity": round(q, 6),
             "tiny_share": round(share, 6)}
        )
    return points


def tiny_limit(total: float) -> float:
    """The size below which a service is tiny: ``min(TINY_SHARE × total, TINY_LINES)``, but
    never below ``TINY_FLOOR`` lines: a 40-line "service" of a 1,200-line app is a module."""
    return min(max(TINY_SHARE * total, TINY_FLOOR), TINY_LINES)


def tied(graph: nx.Graph, partition: list[set[str]]) -> set[int]:
    """Indices of the services with an edge to another service (or to no service)."""
    comm = {n: i for i, part in enumerate(partition) for n in part}
    out = set()
    for a, nbrs in graph.adjacency():  # each edge seen from both ends: same set, plain dicts
        ca = comm.get(a)
        for b in nbrs:
            cb = comm.get(b)
            if ca != cb:
                out.update((ca, cb))
    return out


def stray_indices(partition: list[set[str]], size_of: Mapping[str, float], tied_to: set[int],
                  keep: Iterable[str] = (), idle: Iterable[int] = ()) -> list[int]:
    """Indices of tiny services with no edge to any other service (not in ``tied_to``, see
    :func:`tied`): a ``setup.py`` or a template folder the curve kept apart only because
    nothing ties it to anything. An ``idle`` service (no entry point, no entity) tied to
    nothing is a stray whatever its size: a developer script or a load-test suite is no part
    of the running system. Services holding a ``keep`` node (a pin) are never strays, and when
    every service would be one, none is. Nodes missing from ``size_of`` weigh nothing.

    Examples
    --------
    >>> stray_indices([{"a", "b", "c"}, {"s", "t"}], {"a": 100.0, "b": 100.0, "c": 100.0, "s": 1.0, "t": 1.0},
    ...               tied_to=set())
    [1]
    """
    size = [sum((size_of[n] for n in part if n in size_of), 0.0) for part in partition]
    limit = tiny_limit(sum(size))
    kept, idle = set(keep), set(idle)
    out = [i for i, part in enumerate(partition)
           if (size[i] < limit or i in idle) and i not in tied_to and not part & kept and len(partition) > 1]
    return out if len(out) < len(partition) else []


def pick_k(points: list[dict[str, float]], services: int | None, minimum: int) -> int:
    """The number of services: the one asked for (no fewer than the curve's smallest), else
    :func:`choose_k` at least ``minimum``; 0 without a curve."""
    if not points:
        return 0
    if services:
        return max(services, min(p["k"] for p in points))
    return choose_k(points, minimum=max(1, minimum))


def asked_k(trace: MergeTrace, services: int, graph: nx.Graph, holders: Iterable[str]) -> int:
    """The step of ``trace`` that gives ``services`` services when that many are asked for:
    the fewest communities among which at least ``services`` will not be strays, being tied
    to another community or holding a ``holders`` node (an entry point's handler, an entity, a
    pinned node). Scraps tied to nothing (an isolated ``setup.py`` and its function) are
    strays, so counting them as services gave fewer than asked: the merges reached the scraps
    last, and nautobot at ``--services 5`` came out as one service of 122,000 lines and an
    isolated one. When no step has enough, the one with the most (fewest communities on ties).

    Examples
    --------
    >>> import networkx as nx
    >>> from analyzer.cluster.agglomerative import merge_trace
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("x", "y")])
    >>> t = merge_trace(g)
    >>> k = asked_k(t, 2, g, holders=())
    >>> sorted(sorted(c) for c in t.partition(k))
    [['a', 'b'], ['c', 'd'], ['x', 'y']]
    """
    import networkx as nx

    component: dict[str, int] = {}
    whole: list[int] = []
    for i, nodes in enumerate(nx.connected_components(graph)):
        whole.append(len(nodes))
        for n in nodes:
            component[n] = i
    held = set(holders)
    parts: list[dict[int, int]] = []  # community -> component -> its nodes there
    holds: list[bool] = []
    for members in trace.start:
        touched: dict[int, int] = {}
        for i in members:
            c = component.get(trace.nodes[i], -1)
            touched[c] = touched.get(c, 0) + 1
        parts.append(touched)
        holds.append(any(trace.nodes[i] in held for i in members))

    def service(c: int) -> bool:  # tied to another community, or holding what makes a service
        return holds[c] or any(c_id < 0 or n < whole[c_id] for c_id, n in parts[c].items())

    alive = len(parts)
    count = sum(service(c) for c in range(alive))
    best = (count, -alive, alive)
    enough = alive if count >= services else None
    for kept, gone in trace.merges:
        count -= service(kept) + service(gone)
        small, large = sorted((parts[kept], parts[gone]), key=len)
        for c_id, n in small.items():
            large[c_id] = large.get(c_id, 0) + n
        parts[kept], parts[gone] = large, {}
        holds[kept] = holds[kept] or holds[gone]
        count += service(kept)
        alive -= 1
        if count >= services:
            enough = alive
        best = max(best, (count, -alive, alive))
    return enough if enough is not None else best[2]


def choose_k(points: list[dict[str, float]], minimum: int = 1) -> int:
    """The ``k`` with the best score (ties: fewer services), at least ``minimum``."""
    allowed = [p for p in points if p["k"] >= minimum] or points
    return min(allowed, key=lambda p: (-p["score"], p["k"]))["k"]


def trim_curve(points: list[dict[str, float]], chosen: int) -> list[dict[str, float]]:
    """The curve as stored: small ``k`` first, and the chosen point even if beyond the cut."""
    kept = [p for p in points if p["k"] <= CURVE_POINTS or p["k"] == chosen]
    return sorted(kept, key=lambda p: p["k"])


__all__ = ["CURVE_POINTS", "TINY_FLOOR", "TINY_LINES", "TINY_PENALTY", "TINY_SHARE", "asked_k", "choose_k", "modularity", "score_curve",
           "stray_indices", "tied", "tiny_limit", "trim_curve"]
