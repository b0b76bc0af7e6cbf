"""Louvain's passes on integer-indexed lists: networkx's moves, without its graph objects.

``networkx.community.louvain_partitions`` keeps every level as a ``Graph`` of dicts: it
copies the input, builds one graph per level, recomputes modularity from scratch after each
level and looks neighbours up by node name. On Django's unit graph (3,401 nodes) that
bookkeeping was half of each run, and the runs were half of the clustering stage.

This module makes the same moves in the same order: nodes are visited in the order a
``random.Random(seed)`` shuffles them, neighbour weights are summed in networkx's adjacency
order (that of the copy it makes), ties go to the first community met, communities are
renumbered in the same order between levels, and the same floating-point expressions decide
each move. So a seed gives the partition networkx gives (the tests compare every level on
graphs shaped like unit graphs), and the result no longer depends on the networkx release
installed. Modularity
between levels, which only decides when to stop, is summed per community instead of per
edge; networkx's own sum is ordered by string hashes, so neither is exact to the last bit.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping


class Start:
    """What every run on one graph starts from, whatever its seed: the canonical adjacency,
    the degrees and the first level's neighbour lists. Restarts share one, made before they
    fork: each process used to walk networkx's graph after the fork, copying its pages."""

    __slots__ = ("adj", "degrees", "m", "neighbours", "nodes")

    def __init__(self, nodes: list[Hashable], adjacency: Mapping[Hashable, Mapping[Hashable, Mapping]]) -> None:
        self.nodes = nodes
        self.adj = _canonical_adjacency(nodes, adjacency, {n: i for i, n in enumerate(nodes)})
        self.degrees = [_degree(u, a) for u, a in enumerate(self.adj)]
        self.m = sum(self.degrees) / 2
        self.neighbours = _neighbours(self.adj)


def louvain_levels(nodes: list[Hashable], adjacency: Mapping[Hashable, Mapping[Hashable, Mapping]],
                   *, resolution: float = 1.0, threshold: float = 1e-7,
                   seed: int = 0, start: Start | None = None) -> Iterator[list[set[Hashable]]]:
    """The partitions of ``networkx.community.louvain_partitions(graph, weight="weight",
    resolution=resolution, threshold=threshold, seed=seed)`` for an undirected graph given
    as its node order and adjacency (``graph.adj``), one list of node sets per level.
    ``start``: the same graph's :class:`Start`, made earlier."""
    start = start or Start(nodes, adjacency)
    adj, degrees, m = start.adj, start.degrees, start.m
    if not any(adj):
        yield [{n} for n in nodes]
        return
    rng = random.Random(seed)
    # what each level's node stands for, as indices into ``nodes``
    members: list[list[int]] = [[i] for i in range(len(nodes))]
    mod = _modularity(adj, degrees, list(range(len(adj))), len(adj), resolution)
    node2com, _ = _one_level(adj, degrees, m, resolution, rng, start.neighbours)
    improvement = True  # the first level is always given, moves or not
    while improvement:
        order = sorted(set(node2com))  # communities in the order networkx keeps them
        renumber = {c: k for k, c in enumerate(order)}
        comm = [renumber[c] for c in node2com]
        grouped: list[list[int]] = [[] for _ in order]
        for u, c in enumerate(comm):
            grouped[c].extend(members[u])
        members = grouped
        yield [{nodes[i] for i in group} for group in members]
        new_mod = _modularity(adj, degrees, comm, len(order), resolution)
        if new_mod - mod <= threshold:
            return
        mod = new_mod
        adj = _contract(adj, comm, len(order))
        degrees = [_degree(u, a) for u, a in enumerate(adj)]
        node2com, improvement = _one_level(adj, degrees, m, resolution, rng)


def _canonical_adjacency(nodes: list[Hashable], adjacency, index: Mapping[Hashable, int]) -> list[dict[int, float]]:
    """The adjacency of the copy networkx starts from (``add_weighted_edges_from(G.edges)``):
    each edge in ``G.edges`` order appended to both ends, which reorders neighbours."""
    adj: list[dict[int, float]] = [{} for _ in nodes]
    for u, n in enumerate(nodes):
        a = adj[u]
        for nbr, data in adjacency[n].items():
            v = index[nbr]
            if v >= u:  # an edge is listed once, from the end that comes first (self-loops too)
                w = data.get("weight", 1)
                a[v] = w
                adj[v][u] = w
    return adj


def _degree(u: int, nbrs: dict[int, float]) -> float:
    """``Graph.degree(u, weight="weight")``: a self-loop counts twice."""
    return sum(nbrs.values()) + (u in nbrs and nbrs[u])


def _neighbours(adj: list[dict[int, float]]) -> list[list[tuple[int, float]]]:
    """Each node's neighbours and edge weights, self-loops left out."""
    return [[(v, w) for v, w in a.items() if v != u] for u, a in enumerate(adj)]


def _one_level(adj: list[dict[int, float]], degrees: list[float], m: float, resolution: float,
               rng: random.Random, nbrs: list[list[tuple[int, float]]] | None = None) -> tuple[list[int], bool]:
    """One pass of local moves (networkx's ``_one_level``): each node's community, named by
    the index of the node it started in, and whether any node moved."""
    node2com = list(range(len(adj)))
    stot = list(degrees)
    nbrs = nbrs if nbrs is not None else _neighbours(adj)
    rand_nodes = list(range(len(adj)))
    rng.shuffle(rand_nodes)
    two_m2 = 2 * m**2
    improvement = False
    nb_moves = 1
    while nb_moves > 0:
        nb_moves = 0
        for u in rand_nodes:
            best_mod = 0
            best_com = node2com[u]
            weights2com: defaultdict[int, float] = defaultdict(float)
            for v, wt in nbrs[u]:
                weights2com[node2com[v]] += wt
            degree = degrees[u]
            stot[best_com] -= degree
            # reading an absent own community inserts it last, as networkx's defaultdict does
            remove_cost = -weights2com[best_com] / m + resolution * (stot[best_com] * degree) / two_m2
            for nbr_com, wt in weights2com.items():
                gain = remove_cost + wt / m - resolution * (stot[nbr_com] * degree) / two_m2
                if gain > best_mod:
                    best_mod = gain
                    best_com = nbr_com
            stot[best_com] += degree
            if best_com != node2com[u]:
                improvement = True
                nb_moves += 1
                node2com[u] = best_com
    return node2com, improvement


def _contract(adj: list[dict[int, float]], comm: list[int], k: int) -> list[dict[int, float]]:
    """The next level's graph (networkx's ``_gen_graph``): one node per community, edge
    weights summed in ``G.edges`` order, self-loops for the weight inside a community."""
    out: list[dict[int, float]] = [{} for _ in range(k)]
    for u, a in enumerate(adj):
        cu = comm[u]
        row = out[cu]
        for v, wt in a.items():
            if v < u:
                continue
            cv = comm[v]
            w = wt + row.get(cv, 0)
            row[cv] = w
            out[cv][cu] = w
    return out


def _modularity(adj: list[dict[int, float]], degrees: list[float], comm: list[int], k: int,
                resolution: float) -> float:
    """Newman modularity of ``comm`` on a level's graph (self-loops inside their community)."""
    inner = [0.0] * k
    tot = [0.0] * k
    for u, a in enumerate(adj):
        cu = comm[u]
        tot[cu] += degrees[u]
        for v, wt in a.items():
            if v >= u and comm[v] == cu:
                inner[cu] += wt
    deg_sum = sum(tot)
    m = deg_sum / 2
    norm = 1 / deg_sum**2
    return sum(inner[c] / m - resolution * tot[c] * tot[c] * norm for c in range(k))


def partition_of(nodes: Iterable[Hashable], levels: Iterable[list[set[Hashable]]]) -> list[set[Hashable]]:
    """The last level (``louvain_communities``), or every node alone when there is none."""
    last = None
    for last in levels:
        pass
    return last if last is not None else [{n} for n in nodes]


__all__ = ["louvain_levels", "partition_of"]
