"""How close two decompositions are: MoJoFM (exact MoJo distance) and adjusted Rand index.

MoJo (Tzerpos & Holt; optimal algorithm by Wen & Tzerpos) counts the fewest *Move* (one
object to another cluster) and *Join* (two clusters into one) operations turning partition
A into partition B. Tag every object of A with its cluster in B; ``v[i][j]`` objects of A's
cluster ``i`` carry tag ``j``. Each cluster of A joins the group of one tag; the best choice
gives every cluster one of its most frequent tags, and among those, the largest number of
distinct groups — a maximum bipartite matching between A's clusters and the tags on
"most frequent" edges. Then

    MoJo(A, B)   = Σᵢ (|Aᵢ| − maxⱼ vᵢⱼ)  +  (l − g)      (moves + joins)
    MoJoFM(A, B) = (1 − MoJo(A, B) / max MoJo(·, B)) × 100

where ``l`` is A's cluster count, ``g`` the matching size, and ``max MoJo(·, B) = n − g_B``
with ``g_B`` obtained by walking B's cluster sizes in ascending order and counting one more
group whenever the count is still below the size. Only objects present in both partitions
are compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from math import comb
from pathlib import Path

from analyzer.errors import AnalysisFileError, PlanError, UsageError
from analyzer.model import SHARED, Decomposition


def _clusters(labels: Mapping[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for obj, label in labels.items():
        out[label].add(obj)
    return out


def _max_matching(adj: list[list[int]], right: int) -> int:
    """Size of a maximum bipartite matching: one breadth-first augmenting path per left
    vertex (Kuhn's algorithm without recursion, so thousands of clusters are fine)."""
    match_left = [-1] * len(adj)
    match_right = [-1] * right
    size = 0
    for start in range(len(adj)):
        prev: dict[int, int] = {}
        queue = [start]
        free = -1
        for x in queue:  # the list grows while it is walked: a breadth-first search
            for v in adj[x]:
                if v in prev:
                    continue
                prev[v] = x
                if match_right[v] < 0:
                    free = v
                    break
                queue.append(match_right[v])
            if free >= 0:
                break
        if free < 0:
            continue
        v = free
        while v >= 0:  # flip the path: each left vertex takes the right vertex that led on
            x = prev[v]
            v_next = match_left[x]
            match_left[x] = v
            match_right[v] = x
            v = v_next
        size += 1
    return size


def mojo(a: Mapping[str, str], b: Mapping[str, str]) -> int:
    """Exact MoJo distance from partition ``a`` to ``b`` (object -> cluster label maps)."""
    common = sorted(set(a) & set(b))
    a_clusters = _clusters({o: a[o] for o in common})
    b_names = sorted({b[o] for o in common})
    b_pos = {name: i for i, name in enumerate(b_names)}
    moves = 0
    adj: list[list[int]] = []
    for label in sorted(a_clusters):
        counts: dict[int, int] = defaultdict(int)
        for o in a_clusters[label]:
            counts[b_pos[b[o]]] += 1
        best = max(counts.values())
        moves += len(a_clusters[label]) - best
        adj.append(sorted(j for j, c in counts.items() if c == best))
    groups = _max_matching(adj, len(b_names))
    return moves + len(a_clusters) - groups


def max_mojo(b: Mapping[str, str], objects: Iterable[str] | None = None) -> int:
    """The largest MoJo distance any partition can have to ``b``: ``n − g_B``."""
    keep = set(objects) if objects is not None else set(b)
    sizes = sorted(len(c) for c in _clusters({o: l for o, l in b.items() if o in keep}).values())
    g = 0
    for s in sizes:
        if g < s:
            g += 1
    return sum(sizes) - g


def mojofm(a: Mapping[str, str], b: Mapping[str, str]) -> float:
    """MoJoFM of ``a`` against the reference ``b``, in percent (100 = identical)."""
    common = set(a) & set(b)
    if not common:
        return 0.0
    worst = max_mojo(b, common)
    if worst == 0:
        return 100.0
    return round((1 - mojo(a, b) / worst) * 100, 2)


def adjusted_rand(a: Mapping[str, str], b: Mapping[str, str]) -> float:
    """Adjusted Rand index (Hubert & Arabie) over the objects both partitions hold."""
    common = sorted(set(a) & set(b))
    n = len(common)
    if n < 2:
        return 1.0
    table: dict[tuple[str, str], int] = defaultdict(int)
    rows: dict[str, int] = defaultdict(int)
    cols: dict[str, int] = defaultdict(int)
    for o in common:
        table[(a[o], b[o])] += 1
        rows[a[o]] += 1
        cols[b[o]] += 1
    index = sum(comb(c, 2) for c in table.values())
    sum_rows = sum(comb(c, 2) for c in rows.values())
    sum_cols = sum(comb(c, 2) for c in cols.values())
    expected = sum_rows * sum_cols / comb(n, 2)
    best = (sum_rows + sum_cols) / 2
    if best == expected:
        return 1.0 if index == expected else 0.0
    return round((index - expected) / (best - expected), 4)


def compare(a: Mapping[str, str], b: Mapping[str, str]) -> dict:
    """Every comparison figure of ``a`` against the reference ``b``."""
    common = set(a) & set(b)
    return {
        "mojofm": mojofm(a, b),
        "mojo": mojo(a, b),
        "ari": adjusted_rand(a, b),
        "objects": len(common),
        "only_in_first": len(set(a) - common),
        "only_in_second": len(set(b) - common),
        "clusters_first": len({a[o] for o in common}),
        "clusters_second": len({b[o] for o in common}),
    }


# -- files --------------------------------------------------------------------------------------


def _is_analysis(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def _labels_from_decomposition(d: Decomposition) -> dict[str, str]:
    return {m: label for m, label in d.assignment().items()}


def _labels(path: Path, analysis) -> dict[str, str]:
    from analyzer import analysis as analysis_mod
    from analyzer.plan import read_plan, resolve_plan

    if _is_analysis(path):
        doc = analysis_mod.load(path)
        if doc.decomposition is None:
            raise AnalysisFileError(f"{path}: the analysis holds no decomposition")
        return _labels_from_decomposition(doc.decomposition)
    plan = read_plan(path)
    if analysis is not None:
        return _labels_from_decomposition(resolve_plan(plan, analysis))
    labels: dict[str, str] = {}
    for s in plan.services:
        for m in s.members:
            labels[m] = s.name
    for m in plan.shared:
        labels[m] = SHARED
    return labels


def compare_files(first: Path, second: Path, analysis: Path | None = None) -> dict:
    """Compare two plans / analyses; ``second`` is the reference for MoJoFM.

    Plan members are expanded to units with ``analysis`` (or with whichever of the two files
    is an analysis); without any analysis the listed members themselves are compared.
    """
    from analyzer import analysis as analysis_mod

    first, second = Path(first), Path(second)
    for p in (first, second):
        if not p.is_file():
            raise UsageError(f"{p}: no such file")
    doc = None
    if analysis is not None:
        doc = analysis_mod.load(Path(analysis))
    elif _is_analysis(first):
        doc = analysis_mod.load(first)
    elif _is_analysis(second):
        doc = analysis_mod.load(second)
    a, b = _labels(first, doc), _labels(second, doc)
    if not set(a) & set(b):
        raise PlanError(f"{first} and {second} have no member in common (compare with --analysis to "
                        "expand modules to their units)")
    result = compare(a, b)
    result["level"] = "units" if doc is not None else "members"
    return result


__all__ = ["adjusted_rand", "compare", "compare_files", "max_mojo", "mojo", "mojofm"]
