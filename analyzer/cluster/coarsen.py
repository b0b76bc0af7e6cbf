"""Multilevel clustering for large graphs: coarsen, cluster the coarse graph, unfold.

Above ``COARSEN_ABOVE`` nodes, Louvain's first pass over every unit is most of the cost of
the whole stage. The graph is first coarsened with networkx's fast label propagation
(``fast_label_propagation_communities``, seeded): every unit takes the label most of its
weight carries, which glues tightly knit units into small groups in about a quarter of
Louvain's time. A group holding more than ``MAX_GROUP_SHARE`` of the nodes (label
propagation can flood) is split by module, so no coarse node is ever a giant. The algorithm
then runs on the contracted graph, its communities are unfolded back to units, and the
refinement pass moves single units to the service they are most tied to — the classic
coarsen / partition / uncoarsen-and-refine scheme of multilevel partitioners.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

import networkx as nx

COARSEN_ABOVE = 20_000
MAX_GROUP_SHARE = 0.02


def contract(graph: nx.Graph, group_of: Mapping[str, str]) -> nx.Graph:
    """One node per group; edge weights summed, weight inside a group kept as a self-loop
    (so that degrees, and therefore modularity, are those of the fine graph)."""
    coarse = nx.Graph()
    sizes: dict[str, float] = defaultdict(float)
    for n, data in graph.nodes(data=True):
        sizes[group_of.get(n, n)] += float(data.get("size", 1.0))
    for g, s in sorted(sizes.items()):
        coarse.add_node(g, size=s)
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, data in graph.edges(data=True):
        ga, gb = group_of.get(a, a), group_of.get(b, b)
        weights[(ga, gb) if ga <= gb else (gb, ga)] += float(data.get("weight", 1.0))
    coarse.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    return coarse


def unfold(partition: Iterable[Iterable[str]], members: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """Coarse communities back to the fine nodes they stand for."""
    return sorted(({n for g in part for n in members[g]} for part in partition), key=min)


def groups(graph: nx.Graph, *, seed: int, module_of: Mapping[str, str]) -> dict[str, str]:
    """node -> coarse group id: label propagation, with oversized groups split by module."""
    limit = max(1, int(MAX_GROUP_SHARE * graph.number_of_nodes()))
    out: dict[str, str] = {}
    for community in nx.community.fast_label_propagation_communities(graph, weight="weight", seed=seed):
        label = min(community)
        if len(community) <= limit:
            for n in community:
                out[n] = label
        else:
            for n in community:
                out[n] = f"{label}|{module_of.get(n) or n}"
    return out


def multilevel(
    graph: nx.Graph,
    algorithm: Callable[..., list[set[str]]],
    *,
    seed: int = 0,
    module_of: Mapping[str, str] | None = None,
    **params,
) -> list[set[str]]:
    """Coarsen ``graph``, run ``algorithm`` on it and unfold its communities to nodes."""
    group_of = groups(graph, seed=seed, module_of=module_of or {})
    members: dict[str, list[str]] = defaultdict(list)
    for n in graph:
        members[group_of[n]].append(n)
    return unfold(algorithm(contract(graph, group_of), seed=seed, **params), members)


__all__ = ["COARSEN_ABOVE", "MAX_GROUP_SHARE", "contract", "groups", "multilevel", "unfold"]
