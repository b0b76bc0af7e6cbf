"""Size balance: a service holding too much of the code is split along its own seams.

Modularity has a resolution limit: on a large graph it happily keeps a giant community whose
parts are each too small to be worth cutting at the global scale. A service holding more than
``MAX_SHARE`` of the clustered code (and more than ``MIN_SPLIT`` lines) is therefore clustered
again on its own: Louvain on its
induced subgraph, then greedy modularity merging of those pieces back to the fewest pieces
that are each within the bound, a piece under the tiny size joining the piece it is most
tied to. The split is kept only when it follows a real seam — the
pieces' modularity inside the subgraph is at least ``MIN_SEAM`` — so a service that is one
tightly knit block stays whole however large it is. Pinned services (fixed nodes) and pieces
whose members carry clashing tokens are never split apart from their pins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from analyzer.graph import induced

if TYPE_CHECKING:  # networkx is imported where a graph is built: a replayed run needs none
    import networkx as nx

MAX_SHARE = 0.25
# a service this small is not split whatever its share: a 500-line quarter of a small app is
# one service, not two of 250 lines (the resolution limit this step mends is a large-graph one)
MIN_SPLIT = 1_000
MIN_SEAM = 0.3


def split_oversized(
    graph: nx.Graph,
    partition: Iterable[Iterable[str]],
    *,
    seed: int = 0,
    fixed: Iterable[str] = (),
    max_share: float | None = None,
    min_seam: float | None = None,
    min_split: float | None = None,
) -> tuple[list[set[str]], list[dict[str, float]]]:
    """The partition with oversized services split, and one record per split service
    (``{"size", "pieces", "seam"}``). Sizes come from the node attribute ``size`` (1 by default).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from([("a", "b", 3), ("b", "c", 3), ("c", "a", 3), ("x", "y", 3), ("y", "z", 3),
    ...                            ("z", "x", 3), ("a", "x", 1), ("p", "q", 3)])
    >>> parts, splits = split_oversized(g, [{"a", "b", "c", "x", "y", "z"}, {"p", "q"}], max_share=0.5, min_split=0)
    >>> [sorted(p) for p in parts]
    [['a', 'b', 'c'], ['p', 'q'], ['x', 'y', 'z']]
    """
    from analyzer.cluster import agglomerative, louvain
    from analyzer.cluster.quality import modularity, tiny_limit

    max_share = MAX_SHARE if max_share is None else max_share
    min_seam = MIN_SEAM if min_seam is None else min_seam
    parts = [set(p) for p in partition if p]

    node_size = {n: float(s) for n, s in graph.nodes(data="size", default=1.0)}

    def size(nodes: Iterable[str]) -> float:
        return sum(node_size.get(n, 1.0) for n in nodes)

    total = size(n for p in parts for n in p)
    candidates = {min(p) for p in oversized(parts, node_size, fixed, max_share, min_split)}
    out: list[set[str]] = []
    splits: list[dict[str, float]] = []
    limit = max_share * total
    for part in sorted(parts, key=min):
        whole = size(part)
        if min(part) not in candidates:
            out.append(part)
            continue
        sub = induced(graph, part)
        pieces = louvain.cluster(sub, seed=seed, restarts=louvain.restarts_for(sub.number_of_nodes()))
        if len(pieces) < 2:
            out.append(part)
            continue
        trace = agglomerative.merge_trace(sub, pieces)
        chosen = trace.partition(len(pieces))
        for k in range(2, len(pieces) + 1):
            candidate = trace.partition(k)
            if max(size(p) for p in candidate) <= limit:
                chosen = candidate
                break
        chosen = _absorb_tiny(sub, chosen, size, tiny_limit(total), limit)
        seam = modularity(sub, chosen)
        if seam < min_seam:
            out.append(part)
            continue
        stray = part - set(sub)  # nodes without an edge stay with the largest piece
        largest = max(range(len(chosen)), key=lambda i: (size(chosen[i]), -i))
        chosen[largest] |= stray
        out.extend(chosen)
        splits.append({"size": round(whole / total, 4) if total else 0.0, "pieces": len(chosen),
                       "seam": round(seam, 4)})
    return sorted(out, key=min), splits


def _absorb_tiny(sub: nx.Graph, pieces: list[set[str]], size, tiny: float, limit: float) -> list[set[str]]:
    """The pieces with each one under the tiny size merged into the piece it is most tied to
    (the largest when it has no tie), unless that would take it over ``limit``. The merge
    trace joins connected pieces first, so a split kept scraps of a few lines apart: mediacms'
    ``files`` came out in 14 pieces, five of them one function or class of 2 to 8 lines."""
    pieces = [set(p) for p in pieces]
    sizes = [size(p) for p in pieces]
    first = [min(p) for p in pieces]  # ties broken by the smallest member, as elsewhere
    at = {n: i for i, p in enumerate(pieces) for n in p}
    alive = list(range(len(pieces)))
    while len(alive) > 2:
        small = [i for i in alive if sizes[i] < tiny]
        if not small:
            break
        a = min(small, key=lambda i: (sizes[i], first[i]))
        ties: dict[int, float] = {}
        for n in pieces[a]:
            for m, data in sub[n].items() if n in sub else ():
                j = at.get(m)
                if j is not None and j != a:
                    ties[j] = ties.get(j, 0.0) + float(data.get("weight", 1.0))
        order = sorted(ties, key=lambda j: (-ties[j], first[j]))
        order += [j for j in sorted(alive, key=lambda j: (-sizes[j], first[j])) if j != a and j not in ties]
        b = next((j for j in order if sizes[j] + sizes[a] <= limit), None)
        if b is None:
            break
        pieces[b] |= pieces[a]
        for n in pieces[a]:
            at[n] = b
        sizes[b] += sizes[a]
        first[b] = min(first[b], first[a])
        alive.remove(a)
    return [pieces[i] for i in alive]


def oversized(partition: Iterable[set[str]], size_of: Mapping[str, float], fixed: Iterable[str] = (),
              max_share: float | None = None, min_split: float | None = None) -> list[set[str]]:
    """The services :func:`split_oversized` tries to split, in order of their smallest
    member: above ``max_share`` of all code and above ``MIN_SPLIT`` lines, of two nodes or
    more, and holding no fixed node. With none, the partition stays as it is: sizes decide
    nothing else here."""
    max_share = MAX_SHARE if max_share is None else max_share
    parts = sorted((p for p in partition if p), key=min)
    total = sum((size_of.get(n, 1.0) for p in parts for n in p), 0.0)
    limit = max(max_share * total, MIN_SPLIT if min_split is None else min_split)
    fixed_set = set(fixed)
    return [p for p in parts
            if sum((size_of.get(n, 1.0) for n in p), 0.0) > limit and len(p) >= 2 and not p & fixed_set]


__all__ = ["MAX_SHARE", "MIN_SEAM", "MIN_SPLIT", "oversized", "split_oversized"]
