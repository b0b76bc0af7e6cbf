"""Louvain community detection on the weighted unit graph.

Louvain greedily moves nodes between communities to raise Newman modularity, then contracts
the communities and repeats. It is fast enough for 100,000-node graphs and is the default
first step: its communities are then merged to the chosen number of services
(``agglomerative``) and polished (``refine``). The passes run in :mod:`louvain_kernel`, which
makes networkx's moves for a seed in about half its time.
"""

from __future__ import annotations

import networkx as nx

from analyzer.cluster.louvain_kernel import Start, louvain_levels, partition_of
from analyzer.cluster.quality import modularity

FORK_NODES = 1_000  # from this many nodes, forked children make all but the first share of the restarts

def cluster(graph: nx.Graph, *, seed: int = 0, resolution: float = 1.0, threshold: float = 1e-7,
            restarts: int = 1, **_: object) -> list[set[str]]:
    """Communities of ``graph`` by Louvain, sorted by their smallest node id.

    Louvain's result depends on the order it visits nodes; with ``restarts > 1`` it runs with
    seeds ``seed, seed + 1, ...`` and keeps the partition of highest modularity (the first
    one on ties), which makes small graphs far less sensitive to the seed.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> [sorted(c) for c in cluster(g, seed=0)]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    if graph.number_of_nodes() == 0:
        return []
    if graph.number_of_edges() == 0:
        return [{n} for n in sorted(graph)]
    if restarts <= 1:
        return sorted(_communities(graph, resolution, threshold, seed), key=min)
    seeds = [seed + run for run in range(restarts)]
    start = Start(list(graph), graph.adj)  # the same for every seed: made once, before the fork
    if graph.number_of_nodes() >= FORK_NODES:
        # the runs are independent: forked children make all but the first share
        # (analyzer/forked.py); an odd number in three shares, so that two cores finish
        # together (three runs: one and a half runs' time instead of two)
        from analyzer.forked import parts

        count = 3 if len(seeds) % 2 else 2
        cuts = [len(seeds) * k // count for k in range(count + 1)]
        runs = [run for share in parts(lambda part: _runs(graph, seeds[cuts[part]:cuts[part + 1]], resolution,
                                                          threshold, start), count, copies=0.3)
                for run in share]
    else:
        runs = _runs(graph, seeds, resolution, threshold, start)
    best: list[list[str]] = []
    best_q = float("-inf")
    for q, parts in runs:  # in seed order, whichever process made them
        if q > best_q + 1e-12:
            best, best_q = parts, q
    return sorted((set(p) for p in best), key=min)


def _runs(graph: nx.Graph, seeds: list[int], resolution: float, threshold: float,
          start: Start | None = None) -> list[tuple[float, list[list[str]]]]:
    """Louvain once per seed: ``(modularity, communities)`` of each, as plain lists."""
    out = []
    for s in seeds:
        parts = _communities(graph, resolution, threshold, s, start)
        # ours, not networkx's: one pass over the edges, a third of the time, which was a
        # quarter of each restart's
        out.append((modularity(graph, parts, resolution=resolution), [list(p) for p in parts]))
    return out


def levels(graph: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> list[list[set[str]]]:
    """Every level of the Louvain hierarchy, finest first (for coarsening large graphs)."""
    if graph.number_of_edges() == 0:
        return [[{n} for n in sorted(graph)]]
    return [sorted(level, key=min)
            for level in louvain_levels(list(graph), graph.adj, resolution=resolution, seed=seed)]


def _communities(graph: nx.Graph, resolution: float, threshold: float, seed: int,
                 start: Start | None = None) -> list[set[str]]:
    """``nx.community.louvain_communities(graph, weight="weight", ...)``, by the kernel."""
    nodes = start.nodes if start is not None else list(graph)
    return partition_of(nodes, louvain_levels(nodes, graph.adj, resolution=resolution, threshold=threshold,
                                              seed=seed, start=start))


def restarts_for(nodes: int) -> int:
    """How many Louvain runs a graph of this size affords (small graphs: several)."""
    return 10 if nodes <= 2_000 else 3 if nodes <= 20_000 else 1


__all__ = ["cluster", "levels", "restarts_for"]
