"""Writers follow their data: a unit whose writes all land in one other service moves there.

A table written from two services needs a distributed transaction, the costliest seam a
decomposition can have. After the refinement, every unit whose writes all go to entities
placed in one service ``S`` other than its own moves to ``S`` — as long as its ties to ``S``
are at least ``RATIO`` of its ties at home (it keeps most of its calls local), moving it does
not empty its service, it is not pinned, and no token (pin, ``apart``) forbids the move.
Units writing entities of several services are left where their calls put them: there the
transaction crosses services whatever we do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import networkx as nx

RATIO = 0.5


def follow_writes(
    graph: nx.Graph,
    partition: Iterable[Iterable[str]],
    writes: Mapping[str, Mapping[str, float]],
    *,
    fixed: Iterable[str] = (),
    tokens: Mapping[str, Mapping[str, str]] | None = None,
    ratio: float = RATIO,
) -> tuple[list[set[str]], list[str]]:
    """The partition with writers moved to their data, and the moved nodes (sorted).

    ``writes`` maps a node to ``{entity node: write sites}``; entity nodes are nodes of the
    partition like any other.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from([("a", "b", 3), ("w", "a", 2), ("w", "e", 2), ("e", "x", 3), ("x", "y", 3),
    ...                            ("w", "x", 1)])
    >>> parts, moved = follow_writes(g, [{"a", "b", "w"}, {"e", "x", "y"}], {"w": {"e": 1}})
    >>> [sorted(p) for p in parts], moved
    ([['a', 'b'], ['e', 'w', 'x', 'y']], ['w'])
    """
    parts = [set(p) for p in partition]
    comm = {n: i for i, p in enumerate(parts) for n in p}
    fixed_set = set(fixed)
    tokens = tokens or {}
    moved: list[str] = []
    for n in sorted(writes):
        if n not in comm or n in fixed_set:
            continue
        homes = {comm[e] for e in writes[n] if e in comm}
        if len(homes) != 1:
            continue
        home, here = homes.pop(), comm[n]
        if home == here or len(parts[here]) <= 1:
            continue
        ties: dict[int, float] = defaultdict(float)
        for m, data in graph[n].items() if n in graph else ():
            if m != n and m in comm:
                ties[comm[m]] += float(data.get("weight", 1.0))
        if ties[home] < ratio * ties[here]:
            continue
        if _clashes(tokens.get(n, {}), parts[home], tokens):
            continue
        parts[here].discard(n)
        parts[home].add(n)
        comm[n] = home
        moved.append(n)
    return sorted((p for p in parts if p), key=min), moved


def _clashes(own: Mapping[str, str], part: set[str], tokens: Mapping[str, Mapping[str, str]]) -> bool:
    if not own:
        return False
    return any(tokens.get(m, {}).get(key, value) != value for m in part for key, value in own.items())


__all__ = ["RATIO", "follow_writes"]
