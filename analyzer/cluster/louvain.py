"""Louvain community detection (networkx) on the weighted unit graph.

Louvain greedily moves nodes between communities to raise Newman modularity, then contracts
the communities and repeats. It is fast enough for 100,000-node graphs and is the default
first step: its communities are then merged to the chosen number of services
(``agglomerative``) and polished (``refine``).
"""

from __future__ import annotations

import networkx as nx


def cluster(graph: nx.Graph, *, seed: int = 0, resolution: float = 1.0, threshold: float = 1e-7,
            **_: object) -> list[set[str]]:
    """Communities of ``graph`` by Louvain, sorted by their smallest node id.

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
    parts = nx.community.louvain_communities(
        graph, weight="weight", resolution=resolution, threshold=threshold, seed=seed
    )
    return sorted((set(p) for p in parts), key=min)


def levels(graph: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> list[list[set[str]]]:
    """Every level of the Louvain hierarchy, finest first (for coarsening large graphs)."""
    if graph.number_of_edges() == 0:
        return [[{n} for n in sorted(graph)]]
    return [
        sorted((set(p) for p in level), key=min)
        for level in nx.community.louvain_partitions(graph, weight="weight", resolution=resolution, seed=seed)
    ]


__all__ = ["cluster", "levels"]
