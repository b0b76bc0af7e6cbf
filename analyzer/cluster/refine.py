"""Kernighan–Lin style refinement: move single units to cut cross-service weight.

Any partition can be polished: each node, in sorted order, moves to the neighbouring
community it is most strongly tied to when that lowers the weight of edges between
communities (call weight, and entity writes, which weigh double, so a table written from two
services is pulled to one). Moves respect

* a size-balance bound: no community grows past ``max(balance × total / k, largest start
  community)`` (sizes from the node attribute ``size``, 1 by default);
* fixed nodes (pins) never move, no community is emptied (``k`` is kept);
* tokens (``key -> value`` per node): a node never joins a community holding its key with
  another value (a different pinned service, another member of its ``apart`` group).

Passes repeat until nothing moves or ``max_passes``. The result depends only on the graph
and the start partition: no randomness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx is imported where a graph is built: a replayed run needs none
    import networkx as nx

EPSILON = 1e-9


def cluster(
    graph: nx.Graph,
    *,
    seed: int = 0,
    partition: Iterable[Iterable[str]] | None = None,
    fixed: Iterable[str] = (),
    tokens: Mapping[str, Mapping[str, str]] | None = None,
    balance: float = 1.5,
    max_passes: int = 10,
    log: list | None = None,
    **_: object,
) -> list[set[str]]:
    """Refine ``partition`` (default: one community per connected component).

    ``log`` (a list) receives every visit whose move could depend on sizes, in order:
    ``(node, its community, candidates as (community, gain), clashing communities, chosen)``.
    Those are the only visits sizes decide; :func:`replay_sizes` checks them under new sizes.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from([("a", "b", 3), ("b", "c", 3), ("c", "x", 1), ("x", "y", 3), ("y", "z", 3),
    ...                            ("a", "x", 2)])
    >>> [sorted(c) for c in cluster(g, partition=[{"a", "b"}, {"c", "x", "y", "z"}])]
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    """
    if partition is None:
        import networkx as nx

        partition = nx.connected_components(graph)
    groups = [set(c) for c in partition if c]
    if not groups:
        return []
    comm: dict[str, int] = {}
    for ci, members in enumerate(sorted(groups, key=min)):
        for n in members:
            comm[n] = ci
    k = len(groups)
    size_of = {n: float(graph.nodes[n].get("size", 1)) if n in graph else 1.0 for n in comm}
    sizes = start_sizes(groups, size_of)  # as replay_sizes starts from them
    counts = [0] * k
    for ci in comm.values():
        counts[ci] += 1
    limit = size_limit(sizes, k, balance)
    fixed_set = set(fixed)
    node_tokens = {n: dict(ts) for n, ts in (tokens or {}).items() if n in comm and ts}
    # community -> key -> value -> number of its nodes carrying it
    comm_tokens: list[dict[str, dict[str, int]]] = [{} for _ in range(k)]
    for n, ts in node_tokens.items():
        for key, value in ts.items():
            slot = comm_tokens[comm[n]].setdefault(key, {})
            slot[value] = slot.get(value, 0) + 1

    def clashes(n: str, c: int) -> bool:
        for key, value in node_tokens.get(n, {}).items():
            if any(cnt > 0 and v != value for v, cnt in comm_tokens[c].get(key, {}).items()):
                return True
        return False

    order = sorted(n for n in comm if n in graph and n not in fixed_set)
    adj = dict(graph.adjacency())  # plain dicts: graph.adj[n] wraps each visit in a view
    # nodes tied to their own community only, none of whose neighbours moved since: they cannot
    # move, so later passes skip them (most nodes, after the first pass)
    settled: set[str] = set()
    for _pass in range(max_passes):
        moved = 0
        for n in order:
            if n in settled:
                continue
            here = comm[n]
            if counts[here] <= 1:
                continue
            ties: dict[int, float] = {}
            for nbr, data in adj[n].items():
                c = comm.get(nbr)
                if c is None or nbr == n:
                    continue
                ties[c] = ties.get(c, 0.0) + float(data.get("weight", 1.0))
            if not ties or (len(ties) == 1 and here in ties):
                settled.add(n)  # nowhere to go (the common case)
                continue
            own = ties.get(here, 0.0)
            candidates = [(c, w - own) for c, w in sorted(ties.items()) if c != here and w - own > EPSILON]
            if not candidates:
                continue
            if node_tokens.get(n):
                clashing = frozenset(c for c, _ in candidates if clashes(n, c))
            else:
                clashing = frozenset()
            best = best_move(here, candidates, sizes, size_of[n], limit, clashing)
            if log is not None:
                log.append((n, here, tuple(candidates), clashing, best))
            if best != here:
                comm[n] = best
                sizes[here] -= size_of[n]
                sizes[best] += size_of[n]
                counts[here] -= 1
                counts[best] += 1
                for key, value in node_tokens.get(n, {}).items():
                    comm_tokens[here][key][value] -= 1
                    slot = comm_tokens[best].setdefault(key, {})
                    slot[value] = slot.get(value, 0) + 1
                settled.difference_update(adj[n])
                moved += 1
        if not moved:
            break
    out: list[set[str]] = [set() for _ in range(k)]
    for n, ci in comm.items():
        out[ci].add(n)
    return sorted((c for c in out if c), key=min)


def size_limit(sizes: list[float], k: int, balance: float) -> float:
    """No community grows past this: ``max(balance × total / k, largest start community)``."""
    return max(balance * sum(sizes) / k, max(sizes))


def best_move(here: int, candidates, sizes: list[float], size: float, limit: float, clashing) -> int:
    """Where a node of ``size`` in community ``here`` goes: the first candidate, in order, with
    a strictly higher gain than the one before it that stays under ``limit`` and does not
    clash (``here`` when none does). ``candidates`` are ``(community, gain)`` with gains
    above :data:`EPSILON`."""
    best, best_gain = here, EPSILON
    for c, gain in candidates:
        if gain <= best_gain or sizes[c] + size > limit or c in clashing:
            continue
        best, best_gain = c, gain
    return best


def start_sizes(partition: Iterable[Iterable[str]], size_of: Mapping[str, float]) -> list[float]:
    """Each start community's size, communities ordered by their smallest member (as
    :func:`cluster` numbers them)."""
    return [sum((float(size_of.get(n, 1.0)) for n in members), 0.0) for members in sorted(
        (set(c) for c in partition if c), key=min)]


def replay_sizes(partition: Iterable[Iterable[str]], size_of: Mapping[str, float], log: list,
                 balance: float = 1.5) -> bool:
    """Whether :func:`cluster`, which wrote ``log`` starting from ``partition``, makes the
    same moves when the nodes weigh ``size_of``. Every other input of a move (ties, gains,
    clashes) follows from the moves before it, so the same choice at every logged visit is
    the same run, and the same result."""
    sizes = start_sizes(partition, size_of)
    if not sizes:
        return not log
    limit = size_limit(sizes, len(sizes), balance)
    for n, here, candidates, clashing, chosen in log:
        size = float(size_of.get(n, 1.0))
        if best_move(here, candidates, sizes, size, limit, clashing) != chosen:
            return False
        if chosen != here:
            sizes[here] -= size
            sizes[chosen] += size
    return True


def cut_weight(graph: nx.Graph, partition: Iterable[Iterable[str]]) -> float:
    """Total weight of edges between different communities."""
    comm = {n: i for i, c in enumerate(partition) for n in c}
    return sum(
        float(d.get("weight", 1.0)) for a, b, d in graph.edges(data=True) if comm.get(a) != comm.get(b)
    )


__all__ = ["best_move", "cluster", "cut_weight", "replay_sizes", "size_limit", "start_sizes"]
