"""Multilevel clustering for large graphs: coarsen, cluster the coarse graph, unfold.

Above ``COARSEN_ABOVE`` nodes, Louvain's first pass over every unit is most of the cost of
the whole stage. The graph is first coarsened with fast label propagation (networkx's
``fast_label_propagation_communities``, reimplemented on integer-indexed lists; seeded): every
unit takes the label most of its weight carries, which glues tightly knit units into small
groups in about a quarter of Louvain's time. A group holding more than ``MAX_GROUP_SHARE`` of the nodes (label
propagation can flood) is split by module, so no coarse node is ever a giant. The algorithm
then runs on the contracted graph, its communities are unfolded back to units, and the
refinement pass moves single units to the service they are most tied to — the classic
coarsen / partition / uncoarsen-and-refine scheme of multilevel partitioners.
"""

from __future__ import annotations

import random
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping

import networkx as nx

from analyzer.graph import sorted_items

COARSEN_ABOVE = 20_000
MAX_GROUP_SHARE = 0.02


def contract(graph: nx.Graph, group_of: Mapping[str, str]) -> nx.Graph:
    """One node per group; edge weights summed, weight inside a group kept as a self-loop
    (so that degrees, and therefore modularity, are those of the fine graph)."""
    coarse = nx.Graph()
    sizes: dict[str, float] = defaultdict(float)
    for n, size in graph.nodes(data="size", default=1.0):
        sizes[group_of.get(n, n)] += float(size)
    for g, s in sorted(sizes.items()):
        coarse.add_node(g, size=s)
    weights: dict[tuple[str, str], float] = defaultdict(float)
    # graph.edges(data=True) order (so the same float sums), read from the adjacency dicts
    seen: set[str] = set()
    for a, nbrs in graph.adjacency():
        ga = group_of.get(a, a)
        for b, data in nbrs.items():
            if b not in seen:
                gb = group_of.get(b, b)
                weights[(ga, gb) if ga <= gb else (gb, ga)] += float(data.get("weight", 1.0))
        seen.add(a)
    coarse.add_weighted_edges_from((a, b, w) for (a, b), w in sorted_items(weights.items()))
    return coarse


def unfold(partition: Iterable[Iterable[str]], members: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """Coarse communities back to the fine nodes they stand for."""
    return sorted(({n for g in part for n in members[g]} for part in partition), key=min)


def groups(graph: nx.Graph, *, seed: int, module_of: Mapping[str, str]) -> dict[str, str]:
    """node -> coarse group id: label propagation, with oversized groups split by module."""
    limit = max(1, int(MAX_GROUP_SHARE * graph.number_of_nodes()))
    out: dict[str, str] = {}
    for community in label_propagation(graph, seed=seed):
        label = min(community)
        if len(community) <= limit:
            for n in community:
                out[n] = label
        else:
            for n in community:
                out[n] = f"{label}|{module_of.get(n) or n}"
    return out


def label_propagation(graph: nx.Graph, *, seed: int) -> list[set[str]]:
    """``nx.community.fast_label_propagation_communities(graph, weight="weight", seed=seed)``
    (networkx 3.x, Traag & Šubelj 2023), step for step: same queue, same random draws, same
    label sums, hence the same communities. The nodes are numbered in the graph's order and
    their neighbours and weights read once into lists (a node is visited several times), so
    a visit indexes lists instead of building an edge view: half networkx's time on a
    115,800-node graph (3.1 s against 6.5 s)."""
    rng = random.Random(seed)
    adj = dict(graph.adjacency())
    nodes = list(adj)
    index = {n: i for i, n in enumerate(nodes)}
    neighbours = [[index[b] for b in nbrs] for nbrs in adj.values()]
    weights = [[data.get("weight", 1) for data in nbrs.values()] for nbrs in adj.values()]
    order = list(range(len(nodes)))
    rng.shuffle(order)  # as networkx shuffles its deque (a shuffle reads only the length)
    queue = deque(order)
    queued = bytearray(b"\x01") * len(nodes)
    label = list(range(len(nodes)))
    choice = rng.choice
    while queue:
        node = queue.popleft()
        queued[node] = 0
        nbrs = neighbours[node]
        if not nbrs:
            continue  # isolated nodes keep their own label
        freqs: dict[int, float] = defaultdict(float)
        for nbr, w in zip(nbrs, weights[node]):
            freqs[label[nbr]] += w
        top = max(freqs.values())
        new = choice([c for c in freqs if freqs[c] == top])
        if label[node] != new:
            label[node] = new
            for nbr in nbrs:
                if label[nbr] != new and not queued[nbr]:
                    queue.append(nbr)
                    queued[nbr] = 1
    communities: dict[int, set[str]] = defaultdict(set)
    for i, c in enumerate(label):
        communities[c].add(nodes[i])
    return list(communities.values())


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


__all__ = ["COARSEN_ABOVE", "MAX_GROUP_SHARE", "contract", "groups", "label_propagation", "multilevel", "unfold"]
