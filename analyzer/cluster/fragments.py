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

**Tiny services.** A service under the curve's tiny size (``quality.tiny_limit``: 2 % of the
code, at most 300 lines) is folded into its strongest tie, when that one is no tiny service
itself and no constraint separates them, whatever its package and however weak the tie: Tandoor's two serializer classes of 29 lines, split off
``cookbook/serializer.py``, were a service (its package, ``cookbook``, spreads over every
service, so the fragment rule could not fold it). One tied to nothing is a stray (below).

**Satellites of an app.** An app made of many independent parts (DefectDojo's ``dojo.tools``:
two hundred scanner parsers that never call each other) comes out as one large service and
a dozen small ones, each a parser or two tied only to the large one. No package dominates
those, and the app is spread over too many services for the rule above. Service ``A`` is also
folded into ``B`` when both are dominated (two thirds of their code) by the same app, ``B``
holds at least ``1 / SATELLITE`` times what ``A`` holds of it, ``B`` is ``A``'s strongest tie
at no less than half of chance, nothing separates them, and the fold does not take ``B``
over the balance bound (``balance.MAX_SHARE`` of all code), which would only have it split
again. ``B`` need not hold the most of the app: an app cut into two halves keeps the pieces
tied to either half with it (netbox's ``dcim``). A second service of an app that stands on
its own (its own strongest ties elsewhere, or a sizable share of the app) stays.

**Quiet services.** A service that serves no entry point, owns no entity and is called by
no other service does nothing a deployment could route to, whatever it calls itself:
freqtrade's ``commands/cli_options.py``, a table of argument definitions that ``commands``
imports, or a parser plugin that DefectDojo's ``tools/`` loads by name and that calls the
parsers' shared helpers. It is a piece of its app that the cut left
apart, and is folded into the service it is most tied to when that service is mostly the same app
and has at least as many units (:func:`fold_quiet`, after the refinement, when the user did not ask for a number of
services; "mostly" counts units, not lines, so a replayed run folds the same). A quiet
service of another app (freqtrade's separate REST client package, importing one schema
module), or tied to no service at all, stays, or is set aside as a stray.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx is imported where a graph is built: a replayed run needs none
    import networkx as nx

from analyzer.cluster.balance import MAX_SHARE
from analyzer.cluster.quality import tiny_limit
from analyzer.graph import weighted_edges

DOMINANCE = 2 / 3
CONCENTRATION = 0.9
MIN_TIE = 0.5
SATELLITE = 0.25


def merge_fragments(
    graph: nx.Graph,
    partition: list[set[str]],
    package_of: Callable[[str], str],
    tokens: Mapping[str, Mapping[str, str]] | None = None,
    edges: list[tuple[str, str, float]] | None = None,
    log: list | None = None,
    app_of: Callable[[str], str] | None = None,
) -> tuple[list[set[str]], list[str]]:
    """The partition with fragments folded in, and the package of each fold (in order).

    ``edges`` is ``weighted_edges(graph)`` when the caller has it already. ``log`` (a list)
    receives each round's ties (:func:`round_ties`) and folds, all :func:`replay_sizes`
    needs to fold again under other sizes without the graph. ``app_of`` (a node's app)
    turns on the satellite folds."""
    parts = [set(p) for p in partition]
    tokens = tokens or {}
    merged: list[str] = []
    # what does not change between rounds is read once: node sizes and packages, the edges
    size_of = {n: float(graph.nodes[n].get("size", 1.0)) if n in graph else 1.0 for p in parts for n in p}
    package_at = {n: package_of(n) for n in size_of}
    app_at = {n: app_of(n) for n in size_of} if app_of is not None else None
    edges = weighted_edges(graph) if edges is None else edges
    while True:
        ties = round_ties(edges, parts)
        steps = folds(parts, size_of, package_at, tokens, ties, app_at)
        if log is not None:
            log.append((ties, steps))
        if not steps:
            return sorted(parts, key=min), merged
        parts, packages = _apply(parts, steps)
        merged.extend(packages)


def replay_sizes(partition: list[set[str]], size_of: Mapping[str, float], package_of: Callable[[str], str],
                 tokens: Mapping[str, Mapping[str, str]] | None, log: list,
                 app_of: Callable[[str], str] | None = None) -> tuple[list[set[str]], list[str]] | None:
    """:func:`merge_fragments` again under the sizes ``size_of``, from the rounds it logged:
    the folded partition, or ``None`` when a round folds otherwise (the ties of the rounds
    after it were never seen). The ties of a round follow from its parts alone."""
    parts = [set(p) for p in partition]
    tokens = tokens or {}
    merged: list[str] = []
    package_at = {n: package_of(n) for p in parts for n in p}
    app_at = {n: app_of(n) for p in parts for n in p} if app_of is not None else None
    for ties, logged in log:
        steps = folds(parts, size_of, package_at, tokens, ties, app_at)
        if steps != logged:
            return None
        if not steps:
            return sorted(parts, key=min), merged
        parts, packages = _apply(parts, steps)
        merged.extend(packages)
    return None


def _apply(parts: list[set[str]], steps: list[tuple[int, int, str]]) -> tuple[list[set[str]], list[str]]:
    gone = set()
    for a, b, _ in steps:
        parts[b] |= parts[a]
        gone.add(a)
    return [p for i, p in enumerate(parts) if i not in gone], [package for _, _, package in steps]


def round_ties(edges, parts) -> tuple[dict[int, float], dict[int, tuple[float, int]], float]:
    """What a round reads of the graph, sizes aside: each part's weighted degree, the part
    it is most tied to ``(weight, part)``, and the total weight ``m``."""
    comm = {n: i for i, p in enumerate(parts) for n in p}
    degree: dict[int, float] = defaultdict(float)
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
    strongest: dict[int, tuple[float, int]] = {}
    for (x, j), w in ties.items():
        if x not in strongest or (w, -j) > (strongest[x][0], -strongest[x][1]):
            strongest[x] = (w, j)
    return dict(degree), strongest, m


def folds(parts, size_of, package_of, tokens, ties, app_of=None) -> list[tuple[int, int, str]]:
    """One round of folds given the round's :func:`round_ties`; each service takes part in at
    most one, so a round costs one pass over the edges however many fragments there are.
    ``package_of`` and ``app_of`` map nodes (``app_of`` may be ``None``: no satellite folds)."""
    degree, strongest, m = ties
    if m == 0:
        return []
    size = defaultdict(float)
    by_package = _shares(parts, size_of, package_of, size)
    by_app = _shares(parts, size_of, app_of, None) if app_of is not None else {}
    package_total: dict[str, float] = defaultdict(float)
    for held in by_package.values():
        for pkg, s in held.items():
            package_total[pkg] += s
    total = sum(size.values())
    dominant = _dominant(by_package, size)
    dominant_app = _dominant(by_app, size)
    limit = tiny_limit(total)
    tiny = {i for i in range(len(parts)) if size[i] < limit}
    steps: list[tuple[int, int, str]] = []
    busy: set[int] = set()
    # smallest fragments first, so a chain of pieces folds into the main part
    for a in sorted(set(dominant) | set(dominant_app) | tiny, key=lambda i: (size[i], min(parts[i]))):
        if a not in strongest or a in busy:
            continue
        w_ab, b = strongest[a]
        if b in busy:
            continue
        seam = w_ab < MIN_TIE * degree.get(a, 0.0) * degree.get(b, 0.0) / (2 * m)  # a real cut
        p, x, label = dominant.get(a), dominant_app.get(a), None
        if (not seam and p is not None and dominant.get(b) == p
                and by_package[a][p] + by_package[b][p] >= CONCENTRATION * package_total[p]):
            label = p
        elif (not seam and x is not None and dominant_app.get(b) == x
                and by_app[a][x] <= SATELLITE * by_app[b][x]
                and not size[b] <= MAX_SHARE * total < size[a] + size[b]):
            label = x  # (never over the balance bound: the next step would split it again)
        elif a in tiny and b not in tiny:  # too small to be a service, seam or not
            label = p or x or min(parts[a])
        if label is None or _clash(parts[a], parts[b], tokens):
            continue
        steps.append((a, b, label))
        busy.update((a, b))
    return steps


def fold_quiet(partition: list[set[str]], edges, holders: set[str], calls: Iterable[tuple[str, str]],
               app_of: Callable[[str], str], keep: Collection[str] = ()) -> tuple[list[set[str]], int]:
    """The partition with every quiet service (see the module docstring) folded into the
    service it is most tied to, when both are mostly one app, and how many were folded.
    ``edges`` are ``(a, b, weight)``, ``holders`` the nodes that make a service (entry points,
    entities), ``calls`` the (caller, callee) pairs between nodes, ``app_of`` a node's app,
    ``keep`` the nodes of services that stay as they are (pins). Reads no size."""
    comm = {n: i for i, p in enumerate(partition) for n in p}
    called = set()
    for a, b in calls:
        ca, cb = comm.get(a), comm.get(b)
        if ca is not None and cb is not None and ca != cb:
            called.add(cb)
    kept = set(keep)
    quiet = {i for i, p in enumerate(partition)
             if i not in called and not p & holders and not p & kept}
    if not quiet or len(quiet) == len(partition):
        return partition, 0
    ties: dict[tuple[int, int], float] = defaultdict(float)
    for a, b, w in edges:
        ca, cb = comm.get(a), comm.get(b)
        if ca is not None and cb is not None and ca != cb and (ca in quiet or cb in quiet):
            ties[(ca, cb)] += float(w)
            ties[(cb, ca)] += float(w)
    into: dict[int, int] = {}
    for (a, b), w in sorted(ties.items()):
        if a in quiet and (a not in into or (w, -b) > (ties[(a, into[a])], -into[a])):
            into[a] = b
    app = {i: _main_app(partition[i], app_of) for i in set(into) | set(into.values())}
    # a piece, not a part: one with more units than its strongest tie is no scrap of it (a
    # balance split's second half, quiet as it may be, stays apart)
    into = {a: b for a, b in into.items() if app[a] == app[b] and len(partition[a]) <= len(partition[b])}
    # a quiet service folded into another quiet one lands where that one lands (no cycle: a
    # pair of quiet services tied most to each other becomes one, kept apart from the rest)
    def home(i: int) -> int:
        path: list[int] = []
        at: dict[int, int] = {}
        while i in into and i not in at:
            at[i] = len(path)
            path.append(i)
            i = into[i]
        return min(path[at[i]:]) if i in at else i  # a cycle: its smallest member stands for it

    groups: dict[int, set[str]] = defaultdict(set)
    for i, p in enumerate(partition):
        groups[home(i)] |= p
    folded = len(partition) - len(groups)
    return sorted(groups.values(), key=min), folded


def _main_app(part: set[str], app_of: Callable[[str], str]) -> str:
    """The app most of a service's units belong to (ties: the first name)."""
    count: dict[str, int] = defaultdict(int)
    for n in part:
        count[app_of(n)] += 1
    return min(count.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _shares(parts, size_of, group_of, size) -> dict[int, dict[str, float]]:
    """Per service, its code by group (package or app); ``size`` (if given) gets each total."""
    out: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for i, p in enumerate(parts):
        for n in p:
            s = size_of[n]
            if size is not None:
                size[i] += s
            out[i][group_of[n]] += s
    return out


def _dominant(by_group: dict[int, dict[str, float]], size) -> dict[int, str]:
    """Services whose largest group holds at least ``DOMINANCE`` of their code -> that group."""
    out = {}
    for i, held in by_group.items():
        if not held:
            continue
        g, s = min(held.items(), key=lambda kv: (-kv[1], kv[0]))
        if s >= DOMINANCE * size[i]:
            out[i] = g
    return out


def _clash(first: set[str], second: set[str], tokens) -> bool:
    held: dict[str, set[str]] = defaultdict(set)
    for n in first | second:
        for key, value in tokens.get(n, {}).items():
            held[key].add(value)
    return any(len(values) > 1 for values in held.values())


__all__ = ["fold_quiet", "folds", "merge_fragments", "replay_sizes", "round_ties"]
