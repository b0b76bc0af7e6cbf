"""Package fragments: fold a small split-off piece of a package back into the rest of it.

Modularity sometimes cuts one package in two — a ``templates`` module away from the rest of
``notifications``, ``rates`` away from ``shipping`` — because the two halves are not much more
connected than chance. When nothing else argues for the cut, the package's own boundary is
the better guess. Service ``A`` is folded into service ``B`` when all of these hold:

* both have the same dominant package (the parent package of their modules), holding at
  least two thirds of each one's code, and that package's code sits (90 % or more) in the two;
* ``B`` is the service ``A`` is most tied to, and the tie is at least half of what chance
  predicts (``w_AB ≥ 0.5 × d_A d_B / 2m``) — the cut is not a real seam;
* no pin or ``apart`` constraint separates them, and the user did not ask for a number of
  services.

A flat package split between three or more services, or into two weakly tied halves, is left
alone: there the calls, not the folder, draw the line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

import networkx as nx

from analyzer.graph import weighted_edges

DOMINANCE = 2 / 3
CONCENTRATION = 0.9
MIN_TIE = 0.5


def merge_fragments(
    graph: nx.Graph,
    partition: list[set[str]],
    package_of: Callable[[str], str],
    tokens: Mapping[str, Mapping[str, str]] | None = None,
    edges: list[tuple[str, str, float]] | None = None,
) -> tuple[list[set[str]], list[str]]:
    """The partition with fragments folded in, and the package of each fold (in order).

    ``edges`` is ``weighted_edges(graph)`` when the caller has it already."""
    parts = [set(p) for p in partition]
    tokens = tokens or {}
    merged: list[str] = []
    # what does not change between rounds is read once: node sizes and packages, the edges
    size_of = {n: float(graph.nodes[n].get("size", 1.0)) if n in graph else 1.0 for p in parts for n in p}
    package_at = {n: package_of(n) for n in size_of}
    edges = weighted_edges(graph) if edges is None else edges
    while True:
        steps = _merges(edges, parts, size_of, package_at, tokens)
        if not steps:
            return sorted(parts, key=min), merged
        gone = set()
        for a, b, package in steps:
            parts[b] |= parts[a]
            gone.add(a)
            merged.append(package)
        parts = [p for i, p in enumerate(parts) if i not in gone]


def _merges(edges, parts, size_of, package_of, tokens) -> list[tuple[int, int, str]]:
    """One round of folds; each service takes part in at most one, so a round costs one pass
    over the edges however many fragments there are."""
    comm = {n: i for i, p in enumerate(parts) for n in p}
    size = defaultdict(float)
    by_package: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    package_total: dict[str, float] = defaultdict(float)
    for n, i in comm.items():
        s = size_of[n]
        size[i] += s
        p = package_of[n]
        by_package[i][p] += s
        package_total[p] += s
    degree = defaultdict(float)
    ties: dict[tuple[int, int], float] = defaultdict(float)
    m = 0.0
    for x, y, w in edges:
        w = float(w)
        m += w
        cx, cy = comm.get(x), comm.get(y)
        if cx is None or cy is None:
            continue
        degree[cx] += w
        degree[cy] += w
        if cx != cy:
            ties[(cx, cy)] += w
            ties[(cy, cx)] += w
    if m == 0:
        return []
    dominant = {}
    for i in range(len(parts)):
        if not by_package[i]:
            continue
        p, s = min(by_package[i].items(), key=lambda kv: (-kv[1], kv[0]))
        if s >= DOMINANCE * size[i]:
            dominant[i] = p
    strongest: dict[int, tuple[float, int]] = {}
    for (x, j), w in ties.items():
        if x not in strongest or (w, -j) > (strongest[x][0], -strongest[x][1]):
            strongest[x] = (w, j)
    steps: list[tuple[int, int, str]] = []
    busy: set[int] = set()
    # smallest fragments first, so a chain of pieces folds into the main part
    for a in sorted(dominant, key=lambda i: (size[i], min(parts[i]))):
        if a not in strongest or a in busy:
            continue
        w_ab, b = strongest[a]
        if b in busy:
            continue
        p = dominant[a]
        if dominant.get(b) != p:
            continue
        if by_package[a][p] + by_package[b][p] < CONCENTRATION * package_total[p]:
            continue
        if w_ab < MIN_TIE * degree[a] * degree[b] / (2 * m):
            continue
        if _clash(parts[a], parts[b], tokens):
            continue
        steps.append((a, b, p))
        busy.update((a, b))
    return steps


def _clash(first: set[str], second: set[str], tokens) -> bool:
    held: dict[str, set[str]] = defaultdict(set)
    for n in first | second:
        for key, value in tokens.get(n, {}).items():
            held[key].add(value)
    return any(len(values) > 1 for values in held.values())


__all__ = ["merge_fragments"]
