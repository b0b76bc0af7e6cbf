"""Louvain community detection (networkx) on the weighted unit graph.

Louvain greedily moves nodes between communities to raise Newman modularity, then contracts
the communities and repeats. It is fast enough for 100,000-node graphs and is the default
first step: its communities are then merged to the chosen number of services
(``agglomerative``) and polished (``refine``).
"""

from __future__ import annotations

import networkx as nx


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
    best: list[set[str]] = []
    best_q = float("-inf")
    for run in range(max(1, restarts)):
        parts = nx.community.louvain_communities(
            graph, weight="weight", resolution=resolution, threshold=threshold, seed=seed + run
        )
        if restarts <= 1:
            return sorted((set(p) for p in parts), key=min)
        q = nx.community.modularity(graph, parts, weight="weight", resolution=resolution)
        if q > best_q + 1e-12:
            best, best_q = [set(p) for p in parts], q
    return sorted(best, key=min)


def levels(graph: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> list[list[set[str]]]:
    """Every level of the Louvain hierarchy, finest first (for coarsening large graphs)."""
    if graph.number_of_edges() == 0:
        return [[{n} for n in sorted(graph)]]
    return [
        sorted((set(p) for p in level), key=min)
        for level in nx.community.louvain_partitions(graph, weight="weight", resolution=resolution, seed=seed)
    ]


def restarts_for(nodes: int) -> int:
    """How many Louvain runs a graph of this size affords (small graphs: several)."""
    return 10 if nodes <= 2_000 else 3 if nodes <= 20_000 else 1


__all__ = ["cluster", "levels", "restarts_for"]
