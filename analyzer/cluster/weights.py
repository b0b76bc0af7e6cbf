"""Edge-kind weights and the weak structural priors of the clustering graph.

Clustering sees one weighted undirected graph whose nodes are *units* (module top level,
class, top-level function) and entities. An edge's weight is the sum over the dependency
edges between two units of ``kind weight × number of sites``. Writes weigh more than reads
because a table written from two services is the costlier cut (a distributed transaction);
imports weigh little because an import alone says "uses something", not how much.

Edges into a unit or entity used from other modules of ``n > 1`` apps (``layout.app_of``:
``orders`` for ``shop.orders.views``, ``order`` for ``saleor.graphql.order.types``) are
divided by ``sqrt(n)``: a helper, an API or a table used from everywhere says little about
where each user belongs, and undamped it drags its users (a ``login_required`` used by every
view, an ``orders`` table whose status every capability updates) into its own service.

Four priors add edges that the call graph does not contain:

``contain``  a module's top-level code and each class/function defined in it — a module
             stays together unless calls pull its parts apart;
``model``    an entity and its ORM model class — data and its model live together;
``package``  a module and the largest module of its package (a star, so the cost is
             linear); modules directly under the root package are not linked, since
             top-level packages are usually capabilities of their own;
``app``      every unit and an *anchor* node of its app (``app:order``), an app being a
             package below the root or, for a module in a layered folder, the app its next
             segment names (``graphql/order/`` -> ``order``, ``admin/orders_admin.py`` ->
             ``orders``). The anchor is no unit: it only holds an app's weakly tied pieces
             (GraphQL types, forms, admin classes) together, and a unit whose calls clearly
             point elsewhere still follows them. The weight (0.5 per unit) was chosen on
             saleor and netbox, where it recovers most of the maintainers' app boundaries
             while modularity and inter-call share stay near the prior-free optimum
             (``docs/clustering.md``).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from analyzer.cluster.layout import Layout, as_layout, common_root, package_segment
from analyzer.errors import ConfigError
from analyzer.model import (
    CALL,
    ENTITY,
    ENTRY,
    IMPORT,
    INHERIT,
    MODULE,
    READ,
    REFERENCE,
    RELATION,
    ROUTE,
    WRITE,
)

CONTAIN, MODEL, PACKAGE, APP = "contain", "model", "package", "app"
ANCHOR_PREFIX = "app:"  # anchor nodes of the app prior: not units, dropped after clustering

DEFAULT_WEIGHTS: dict[str, float] = {
    CALL: 1.0,
    IMPORT: 0.25,
    INHERIT: 1.0,
    READ: 1.0,
    WRITE: 2.0,
    REFERENCE: 0.5,
    RELATION: 0.5,
    ROUTE: 0.0,  # entry points follow their handler; they are not clustered
    CONTAIN: 0.5,
    MODEL: 3.0,
    PACKAGE: 0.2,
    APP: 0.5,
}


SPREAD_KINDS = (CALL, IMPORT, INHERIT, REFERENCE, READ, WRITE)


def resolve_weights(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """The default weights with ``overrides`` applied; unknown kinds or negative values fail."""
    out = dict(DEFAULT_WEIGHTS)
    problems = []
    for kind, value in sorted((overrides or {}).items()):
        if kind not in DEFAULT_WEIGHTS:
            problems.append(f"unknown edge kind {kind!r} (known: {', '.join(sorted(DEFAULT_WEIGHTS))})")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(f"weight of {kind!r} must be a number >= 0 (got {value!r})")
        else:
            out[kind] = float(value)
    if problems:
        raise ConfigError("weights: " + "; ".join(problems))
    return out


def clustering_edges(
    symbols: Iterable,
    edges: Iterable,
    units: Mapping[str, str],
    weights: Mapping[str, float],
    layout: Layout | str,
    models: Mapping[str, str] | None = None,
) -> dict[tuple[str, str], float]:
    """``{(a, b): weight}`` with ``a < b`` between units / entities, priors included.

    ``models`` maps entity ids to their model class ids (from the analysis' entities).
    """
    agg: dict[tuple[str, str], float] = defaultdict(float)
    symbols = list(symbols)
    layout = as_layout(layout)
    root = layout.root
    app_of = functools.cache(layout.app_of)

    def add(a: str, b: str, w: float) -> None:
        if a == b or w <= 0:
            return
        agg[(a, b) if a < b else (b, a)] += w

    module_of = {s.id: s.module for s in symbols}
    spread_kinds = frozenset(SPREAD_KINDS)
    edges = list(edges)
    # from how many package segments each unit is used: edges into a unit used from everywhere
    # say little about where its users belong (an "omnipresent supplier" in Bunch's words)
    users: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.kind in spread_kinds:
            b = units.get(e.target)
            src = module_of.get(e.source)
            if b is not None and src is not None and src != module_of.get(b):
                users[b].add(app_of(src))
    damping = {b: math.sqrt(len(apps)) for b, apps in users.items() if len(apps) > 1}
    # the hot loop (one visit per dependency edge): ``add`` inlined, sums in edge order
    for e in edges:
        w = weights.get(e.kind, 0.0)
        if w <= 0:
            continue
        a, b = units.get(e.source), units.get(e.target)
        if a is None or b is None or a == b:
            continue  # an external (unresolved or third-party) end, or inside one unit
        if b in damping and e.kind in spread_kinds:
            w /= damping[b]
        w *= max(1, e.weight)
        if w > 0:
            agg[(a, b) if a < b else (b, a)] += w

    modules = sorted({s.module for s in symbols if s.kind == MODULE})
    module_set = set(modules)
    contain = weights.get(CONTAIN, 0.0)
    model = weights.get(MODEL, 0.0)
    defined: dict[str, list[str]] = defaultdict(list)  # module -> its units (entry points are none)
    for s in symbols:
        if s.kind in (ENTITY, ENTRY):
            continue
        if units.get(s.id) == s.id and s.kind != MODULE and s.module in module_set:
            defined[s.module].append(s.id)
    for module, ids in defined.items():
        w = contain / math.sqrt(len(ids))
        for uid in ids:
            add(module, uid, w)
    for entity, cls in sorted((models or {}).items()):
        if entity in units and cls in units:
            add(entity, units[cls], model)

    package_w = weights.get(PACKAGE, 0.0)
    if package_w > 0:
        for hub, members in package_hubs(symbols, root):
            for m in members:
                add(hub, m, package_w)
    app_w = weights.get(APP, 0.0)
    if app_w > 0 and layout.apps:  # the anchors are app_anchors(layout, weights)
        for s in symbols:
            if s.kind == ENTITY or units.get(s.id) != s.id or s.module not in module_set:
                continue
            app = app_of(s.module)
            if app in layout.apps:
                add(ANCHOR_PREFIX + app, s.id, app_w)
    return dict(agg)


def app_anchors(layout: Layout | str, weights: Mapping[str, float]) -> list[str]:
    """Every anchor node :func:`clustering_edges` may tie units to, sorted: one per app when
    the ``app`` prior weighs anything. Naming them from the layout spares a pass over every
    edge to find the ones that came up (700 k edges at 1.2 M lines)."""
    if weights.get(APP, 0.0) <= 0:
        return []
    return sorted(ANCHOR_PREFIX + app for app in as_layout(layout).apps)


def package_hubs(symbols: Iterable, root: str) -> list[tuple[str, list[str]]]:
    """``(hub, modules)`` of every package below the root package, in order of its first
    module: the hub of the ``package`` prior's star is the package's largest module. This is
    the only thing :func:`clustering_edges` reads sizes for."""
    symbols = list(symbols)
    module_lines = {s.id: s.lines for s in symbols if s.kind == MODULE}
    by_package: dict[str, list[str]] = defaultdict(list)
    for m in sorted({s.module for s in symbols if s.kind == MODULE}):
        parent = m.rsplit(".", 1)[0] if "." in m else ""
        by_package[parent].append(m)
    return [
        (min(members, key=lambda m: (-module_lines.get(m, 0), m)), members)
        for parent, members in by_package.items()
        if parent and parent != root and len(parent) >= len(root)
    ]


__all__ = [
    "CONTAIN",
    "DEFAULT_WEIGHTS",
    "MODEL",
    "PACKAGE",
    "app_anchors",
    "clustering_edges",
    "common_root",
    "package_hubs",
    "package_segment",
    "resolve_weights",
]
