"""Modularity-greedy agglomerative merging (Clauset–Newman–Moore) down to ``k`` services.

Starting from a partition (singletons by default, or the communities of a faster
algorithm), the two connected communities whose merge raises modularity most — or lowers it
least — are merged, again and again. Every step is recorded, so one run yields the
modularity of every number of services between the start and one: that curve is how the
number of services is chosen (see ``docs/clustering.md``).

Communities whose *tokens* clash are never merged: a token is a ``key -> value`` pair on a
node (``pin -> orders``, ``apart-0 -> 1``) and two communities clash when they hold one key
with different values (two different pinned services, two members of one ``apart`` group). Communities with no edge between them are merged last,
smallest first, only when a smaller ``k`` is asked for.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx is imported where a graph is built: a replayed run needs none
    import networkx as nx

from analyzer.graph import weighted_edges


@dataclass(frozen=True)
class MergeTrace:
    """The start partition, the merges in order, and modularity after each step.

    ``curve[i] = (k, modularity)`` after ``i`` merges (``curve[0]`` is the start).
    """

    nodes: tuple[str, ...]
    start: tuple[tuple[int, ...], ...]  # start communities as indices into ``nodes``
    merges: tuple[tuple[int, int], ...]  # (kept, absorbed) community indices
    curve: tuple[tuple[int, float], ...]

    def partition(self, k: int) -> list[set[str]]:
        """The partition with ``k`` communities (or the closest reachable, never fewer)."""
        parent = list(range(len(self.start)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        steps = max(0, min(len(self.merges), len(self.start) - k))
        for kept, absorbed in self.merges[:steps]:
            parent[find(absorbed)] = find(kept)
        groups: dict[int, set[str]] = {}
        for ci, members in enumerate(self.start):
            groups.setdefault(find(ci), set()).update(self.nodes[i] for i in members)
        return sorted(groups.values(), key=min)


def merge_trace(
    graph: nx.Graph,
    start: Iterable[Iterable[str]] | None = None,
    *,
    resolution: float = 1.0,
    tokens: Mapping[str, Mapping[str, str]] | None = None,
    stop_at: int = 1,
    edges: list[tuple[str, str, float]] | None = None,
) -> MergeTrace:
    """Merge greedily from ``start`` down to ``stop_at`` communities, recording each step.

    ``edges`` is ``weighted_edges(graph)`` when the caller has it already."""
    nodes = tuple(sorted(graph))
    index = {n: i for i, n in enumerate(nodes)}
    if start is None:
        start_sets = [(i,) for i in range(len(nodes))]
    else:
        start_sets = sorted((tuple(sorted(index[n] for n in c)) for c in start if c), key=lambda c: c[0])
    comm_of = [0] * len(nodes)
    for ci, members in enumerate(start_sets):
        for i in members:
            comm_of[i] = ci
    n_comm = len(start_sets)

    m = 0.0
    tot = [0.0] * n_comm
    inner = [0.0] * n_comm
    adj: list[dict[int, float]] = [{} for _ in range(n_comm)]
    for a, b, weight in weighted_edges(graph) if edges is None else edges:
        w = float(weight)
        m += w
        ca, cb = comm_of[index[a]], comm_of[index[b]]
        tot[ca] += w
        tot[cb] += w
        if ca == cb:
            inner[ca] += w
        else:
            adj[ca][cb] = adj[ca].get(cb, 0.0) + w
            adj[cb][ca] = adj[cb].get(ca, 0.0) + w
    tok: list[dict[str, str]] = [{} for _ in range(n_comm)]
    for node, ts in (tokens or {}).items():
        if node in index:
            tok[comm_of[index[node]]].update(ts)

    def clash(a: int, b: int) -> bool:
        ta, tb = tok[a], tok[b]
        if len(ta) > len(tb):
            ta, tb = tb, ta
        return any(key in tb and tb[key] != value for key, value in ta.items())

    def q_total() -> float:
        if m == 0:
            return 0.0
        return sum(inner[c] / m - resolution * (tot[c] / (2 * m)) ** 2 for c in range(n_comm) if alive[c])

    def gain(a: int, b: int, w: float) -> float:
        return w / m - resolution * tot[a] * tot[b] / (2 * m * m)

    alive = [True] * n_comm
    version = [0] * n_comm
    size = [len(c) for c in start_sets]
    heap: list[tuple[float, int, int, int, int]] = []
    if m > 0:
        for a in range(n_comm):
            for b, w in adj[a].items():
                if a < b:
                    heap.append((-gain(a, b, w), a, b, 0, 0))
        heapq.heapify(heap)

    q = q_total()
    curve = [(n_comm, q)]
    merges: list[tuple[int, int]] = []
    count = n_comm

    def merge(a: int, b: int) -> None:
        nonlocal q, count
        # keep the community with more neighbours, so fewer adjacency entries move
        kept, gone = (a, b) if (len(adj[a]), -a) >= (len(adj[b]), -b) else (b, a)
        w_ab = adj[kept].pop(gone, 0.0)
        adj[gone].pop(kept, None)
        q += (gain(kept, gone, w_ab) if m > 0 else 0.0)
        for n, w in adj[gone].items():
            adj[kept][n] = adj[kept].get(n, 0.0) + w
            nbr = adj[n]
            del nbr[gone]
            nbr[kept] = nbr.get(kept, 0.0) + w
        adj[gone] = {}
        inner[kept] += inner[gone] + w_ab
        tot[kept] += tot[gone]
        size[kept] += size[gone]
        tok[kept].update(tok[gone])
        alive[gone] = False
        version[kept] += 1
        version[gone] += 1
        merges.append((kept, gone))
        count -= 1
        curve.append((count, q))
        if m > 0:
            for n, w in adj[kept].items():
                lo, hi = (kept, n) if kept < n else (n, kept)
                heapq.heappush(heap, (-gain(lo, hi, w), lo, hi, version[lo], version[hi]))

    while count > stop_at and heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or version[a] != va or version[b] != vb:
            continue
        if clash(a, b):
            continue
        merge(a, b)

    # disconnected leftovers: merge the smallest communities first (least modularity lost)
    pool = [(tot[c], size[c], c) for c in range(n_comm) if alive[c]]
    heapq.heapify(pool)
    while count > stop_at and len(pool) > 1:
        first = heapq.heappop(pool)
        skipped = []
        while pool and clash(first[2], pool[0][2]):
            skipped.append(heapq.heappop(pool))
        if not pool:  # the smallest conflicts with every other: set it aside
            pool = skipped
            heapq.heapify(pool)
            continue
        second = heapq.heappop(pool)
        for item in skipped:
            heapq.heappush(pool, item)
        merge(first[2], second[2])
        kept = first[2] if alive[first[2]] else second[2]
        heapq.heappush(pool, (tot[kept], size[kept], kept))

    return MergeTrace(
        nodes=nodes,
        start=tuple(start_sets),
        merges=tuple(merges),
        curve=tuple(curve),
    )


def cluster(
    graph: nx.Graph,
    *,
    seed: int = 0,
    k: int = 1,
    start: Iterable[Iterable[str]] | None = None,
    resolution: float = 1.0,
    tokens: Mapping[str, Mapping[str, str]] | None = None,
    **_: object,
) -> list[set[str]]:
    """Merge greedily to ``k`` communities (deterministic; ``seed`` is unused).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("f", "d")])
    >>> [sorted(c) for c in cluster(g, k=2)]
    [['a', 'b', 'c'], ['d', 'e', 'f']]
    """
    if graph.number_of_nodes() == 0:
        return []
    trace = merge_trace(graph, start, resolution=resolution, tokens=tokens, stop_at=max(1, k))
    return trace.partition(k)


__all__ = ["MergeTrace", "cluster", "merge_trace"]
