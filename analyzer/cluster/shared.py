"""Shared-library detection: helpers every capability uses are a library, not a service.

A module that defines a (non-abstract) entity never qualifies: it is some capability's data.
Among the others, a module joins the shared library by one of six rules, applied together
until nothing changes (the two library rules also require that the module handles no entry
point — an API is not a library; a wiring module may serve a few web endpoints, e.g. the
``/health`` route of an application factory, up to ``WIRING_MAX_PAGES``):

``library``   used (called, imported, inherited, referenced) from at least ``T`` apps other
              than its own (``analyzer.cluster.layout``: ``saleor.graphql.order`` counts as
              ``order``), with a small fan-out — the weight of its calls into code that is not
              shared is at most half the weight of its fan-in — and only *incidental* data
              access: none at all, or entities of at least ``GENERIC_DATA_APPS`` apps with
              none of them taking over ``GENERIC_DATA_SHARE`` of its accesses (a base
              mutation saving whatever model it is handed, a slug helper querying the table
              it is given), or at most ``DATA_SHARE`` read/write sites per unit of fan-in
              weight (an enum module with one permission lookup, used by every app);
``library package``  the same with only two apps, when most other modules of its package
              are already shared (the rest of a ``common/`` folder);
``wiring``    it touches no data, reaches at least ``T`` other apps and is used by nothing but
              entry scripts (modules nobody uses), settings that only entry scripts name, or
              the library: an application factory registering every capability, or the
              settings naming every app's middleware and backends, belongs to no single
              service;
``library client``  it touches no data, depends only on the shared library and is used by
              nothing outside it, and it sits where entry scripts do: at the top of the tree
              or under an entry script's name (``app.py``, ``wsgi.py``). A plugin deep in a
              feature package that only the framework loads stays with its feature;
``vendored``  it touches no data, serves no entry point and sits in a folder of third-party code
              copied into the tree (``VENDOR_NAMES``: OctoPrint's ``vendor/sockjs/``), a
              library whatever uses it;
``settings``  it touches no data, serves no entry point, sits among settings (a path segment
              in ``SETTINGS_NAMES``) and is used as a wiring module is: a deployment's
              settings variant (readthedocs' ``settings/docker_compose.py``) configures
              every service, whatever backends its strings name;
``tooling``   it sits in a top-level folder of operational code (``TOOL_FOLDERS``: polar's
              ``scripts/``, a ``tools/``, ``bin/`` or ``contrib/`` beside the application, the
              code of ``docs/``, ``examples/`` and ``benchmarks/``) that is not most of the
              tree, it serves no entry point but command lines, defines no data, and nothing
              uses it but other such modules and tests: a backfill, a seed or a linter runs
              against the services, it is none of them. It may touch data (a backfill writes
              rows), and as for every shared module its writes choose no owner.

``T = clamp(ceil(P / 3), 3, 6)`` where ``P`` is the number of apps (packages directly below
the root package). A capability's API used everywhere does not qualify: it reads and writes
its own entities far more than incidentally.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer.cluster.layout import Layout, as_layout, segments
from analyzer.discover import is_test_path
from analyzer.model import CALL, IMPORT, INHERIT, READ, REFERENCE, WRITE

MIN_GROUPS, MAX_GROUPS = 3, 6
GROUP_DIVISOR = 3
FAN_OUT_RATIO = 0.5
GENERIC_DATA_APPS = 3  # touching the entities of this many apps is generic data code ...
GENERIC_DATA_SHARE = 0.5  # ... when no app's entities take more than this share of its accesses ...
DATA_SHARE = 0.02  # ... and so is touching data at most this often per unit of fan-in
# the names entry scripts go by (``library client``, below the top of the tree)
ENTRY_NAMES = frozenset({"__main__", "main", "app", "application", "wsgi", "asgi", "manage", "cli", "run",
                         "server", "celery", "worker"})
SETTINGS_NAMES = frozenset({"settings", "config", "conf"})  # ... and where their settings live
# folders of third-party code copied into the tree (OctoPrint's vendor/flask_principal.py)
VENDOR_NAMES = frozenset({"vendor", "_vendor", "vendored", "third_party", "thirdparty", "3rdparty"})
# a wiring module may serve a few web endpoints itself (an application factory's ``/health``);
# one serving more is a capability's API, however thin (zou's ``blueprints/*/resources.py``,
# whose resources hand every request to the services of many apps)
WIRING_MAX_PAGES = 3
# top-level folders of operational code (``tooling``): what a developer or an operator runs,
# and the code of documentation, examples and benchmarks beside the application
TOOL_FOLDERS = frozenset({"scripts", "script", "tools", "tooling", "devtools", "dev_tools", "bin", "hack",
                          "maintenance", "dev", "contrib", "docs", "doc", "examples", "example", "benchmarks",
                          "benchmark", "loadtests", "loadtest", "locust"})
TOOL_FOLDER_SHARE = 0.5  # a folder holding more of the modules than this is the project itself
_USE_KINDS = (CALL, IMPORT, INHERIT, REFERENCE)
_OUT_KINDS = (CALL, INHERIT, REFERENCE)
_WEB_KINDS = frozenset({"http", "websocket"})  # the entry points that are pages


@dataclass(frozen=True)
class SharedModule:
    module: str
    rule: str  # library | library package | wiring | library client | vendored | settings | tooling
    groups: tuple[str, ...]  # package segments using it (library) or used by it (wiring)
    fan_in: float
    fan_out: float


@dataclass(frozen=True)
class KeptOut:
    """A module used by enough apps to be a library that a rule kept out of it, and why: what
    the report says of a helper everybody calls that still belongs to one service."""

    module: str
    groups: tuple[str, ...]  # the other apps using it
    fan_in: float
    why: str


def kept_out_of_library(analysis) -> list[KeptOut]:
    """The modules of a finished analysis used by enough apps to be a library that stayed
    out of it, most used first, with why; the shared-library detection run again over the
    document as the cluster stage ran it (its weights; not the user's pins, which the
    document does not hold, so a module the user placed is left out here)."""
    from analyzer.cluster.layout import analysis_layout
    from analyzer.cluster.weights import resolve_weights

    clustering = analysis.clustering or {}
    layout = analysis_layout(analysis)
    weights = clustering.get("weights")
    found: dict[str, KeptOut] = {}
    shared = detect_shared(analysis, layout, resolve_weights(weights if isinstance(weights, dict) else None),
                           kept_out=found)
    listed = {item.get("module") for item in clustering.get("shared") or [] if isinstance(item, dict)}
    placed = listed | {s.module for s in shared}
    return sorted((k for m, k in found.items() if m not in placed), key=lambda k: (-k.fan_in, k.module))


def tool_folders(analysis) -> dict[str, str]:
    """The modules whose file sits under a top-level folder of operational code
    (``TOOL_FOLDERS``) that their name does not show, with that folder: a folder without
    ``__init__.py`` is a root of its own, so mealie's ``dev/code-generation/gen_docs_api.py``
    is the module ``gen_docs_api``, and it was cut into a service with the API's routes."""
    out: dict[str, str] = {}
    for m in analysis.modules:
        folder, sep, _ = (m.path or "").partition("/")
        if sep and folder in TOOL_FOLDERS and m.name.partition(".")[0] != folder:
            out[m.name] = folder
    return out


def _tool_modules(modules: list[str], served: Mapping[str, int], pages: Mapping[str, int], domain: set[str],
                  users: Mapping[str, set[str]], folders: Mapping[str, str]) -> set[str]:
    """The modules of the ``tooling`` rule: in a top-level folder of operational code
    (``TOOL_FOLDERS``) that is not most of the tree and is no application (pages and data
    both: djangoproject.com's ``docs`` app), serving no entry point but command lines,
    defining no data, and used by nothing but other such modules and tests. The largest such
    set: polar's one backfill defining a table keeps only itself out, indico's one proxy
    script serving pages only itself and what it uses."""
    held: dict[str, list[str]] = defaultdict(list)  # top-level folder -> its modules
    for m in modules:
        held[folders.get(m) or m.partition(".")[0]].append(m)
    tools = {m for f in TOOL_FOLDERS if 0 < len(held.get(f, ())) <= TOOL_FOLDER_SHARE * len(modules)
             # a folder serving pages of its own data is an application
             and not (any(pages.get(m) for m in held[f]) and any(m in domain for m in held[f]))
             for m in held[f] if not served.get(m) and m not in domain}
    changed = True
    while changed:
        out = {m for m in tools if any(u not in tools and not is_test_path(tuple(u.split(".")))
                                       for u in users.get(m, ()))}
        tools -= out
        changed = bool(out)
    return tools


def group_threshold(modules: Iterable[str], layout: Layout | str) -> int:
    """``T``: how many other package segments must use a module for it to be a library."""
    layout = as_layout(layout)
    packages = {layout.app_of(m) for m in modules if len(segments(m, layout.root)) > 1}
    return min(MAX_GROUPS, max(MIN_GROUPS, math.ceil(len(packages) / GROUP_DIVISOR)))


def detect_shared(
    analysis,
    layout: Layout | str,
    weights: Mapping[str, float],
    *,
    protected: Iterable[str] = (),
    kept_out: dict[str, KeptOut] | None = None,
) -> list[SharedModule]:
    """Modules of the shared library, sorted by name. ``protected`` modules never qualify.
    ``kept_out``, when given, gets the modules used by enough apps to be a library that a
    rule kept out, with why (:class:`KeptOut`)."""
    module_of = {s.id: s.module for s in analysis.symbols}
    modules = sorted({m for m in module_of.values() if m})
    layout = as_layout(layout)
    app_of = {m: layout.app_of(m) for m in modules}
    threshold = group_threshold(modules, layout)

    domain: set[str] = set(protected)  # modules defining data (or placed by the user)
    for ent in analysis.entities:
        if ent.module and not ent.abstract:
            domain.add(ent.module)
    entity_app = {ent.id: layout.app_of(ent.module) for ent in analysis.entities if ent.module}
    data_apps: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))  # sites per owning app
    handlers: dict[str, int] = defaultdict(int)  # entry points each module handles
    pages: dict[str, int] = defaultdict(int)  # ... of which HTTP and WebSocket endpoints
    served: dict[str, int] = defaultdict(int)  # ... of which not command lines
    for r in analysis.routes:
        if r.handler and r.handler in module_of:
            handlers[module_of[r.handler]] += 1
            if r.kind in _WEB_KINDS:
                pages[module_of[r.handler]] += 1
            if r.kind != "command":
                served[module_of[r.handler]] += 1
    users: dict[str, set[str]] = defaultdict(set)
    targets: dict[str, set[str]] = defaultdict(set)
    fan_in: dict[str, float] = defaultdict(float)
    out_edges: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    data_kinds, use_kinds, out_kinds = frozenset((READ, WRITE)), frozenset(_USE_KINDS), frozenset(_OUT_KINDS)
    for e in analysis.edges:  # one visit per dependency edge: kept lean
        kind = e.kind
        if kind in data_kinds:
            if e.source in module_of:
                data_apps[module_of[e.source]][entity_app.get(e.target, e.target)] += max(1, e.weight)
            continue
        if kind not in use_kinds:
            continue
        src, dst = module_of.get(e.source), module_of.get(e.target)
        if not src or not dst or src == dst:
            continue
        w = weights.get(kind, 1.0) * max(1, e.weight)
        users[dst].add(src)
        targets[src].add(dst)
        fan_in[dst] += w
        if kind in out_kinds:
            out_edges[src][dst] += w
    data_sites = {m: sum(by_app.values()) for m, by_app in data_apps.items()}  # read / write sites

    siblings: dict[str, list[str]] = defaultdict(list)
    for m in modules:
        siblings[m.rsplit(".", 1)[0] if "." in m else ""].append(m)

    def fan_out(m: str, shared: Mapping[str, object]) -> float:
        return sum(w for dst, w in out_edges.get(m, {}).items() if dst not in shared)

    def in_groups(m: str) -> tuple[str, ...]:
        return tuple(sorted({app_of[u] for u in users.get(m, ())} - {app_of[m]}))

    shared: dict[str, SharedModule] = {}

    def add(m: str, rule: str, groups: tuple[str, ...]) -> None:
        shared[m] = SharedModule(m, rule, groups, round(fan_in[m], 3), round(fan_out(m, shared), 3))

    def incidental_data(m: str) -> bool:
        """Its entity accesses are generic (spread over the entities of many apps: a base
        class saving whatever model it is handed) or negligible next to how much it is used.
        Accesses mostly to one app's entities are that app's business (zou's
        ``tasks_service``, which reads projects and people too, but tasks above all)."""
        apps = data_apps.get(m, {})
        spread = len(apps) >= GENERIC_DATA_APPS and max(apps.values()) <= GENERIC_DATA_SHARE * data_sites[m]
        return spread or data_sites.get(m, 0.0) <= DATA_SHARE * fan_in[m]

    def entry_like(m: str) -> bool:
        """Where an entry script sits: at the top (``manage``, ``mall.wsgi``), under an
        entry script's name, or among settings (``project.settings.production``). A plugin
        deep in a feature package, which only the framework loads, is that feature's code."""
        segs = segments(m, layout.root)
        return len(segs) <= 1 or segs[-1] in ENTRY_NAMES or any(p in SETTINGS_NAMES for p in segs)

    def vendored(m: str) -> bool:
        return any(p in VENDOR_NAMES for p in segments(m, layout.root)[:-1])

    def in_settings(m: str) -> bool:
        return any(p in SETTINGS_NAMES for p in segments(m, layout.root))

    def started_only(m: str, seen: frozenset[str] = frozenset()) -> bool:
        """Used by nothing but entry scripts (modules nobody uses), or by settings that only
        entry scripts name: readthedocs' ``settings/base.py`` is imported by
        ``settings/docker_compose.py``, which ``wsgi.py`` and ``manage.py`` name."""
        return all(not users.get(u) or (u not in seen and in_settings(u) and started_only(u, seen | {m}))
                   for u in users.get(m, ()) if u not in shared)

    tool_modules = _tool_modules(modules, served, pages, domain, users, tool_folders(analysis))
    candidates = [m for m in modules if m not in domain]
    settled = False  # the settings rule waits until the others are done: they name a module better
    changed = True
    while changed:
        changed = False
        for m in candidates:
            if m in shared:
                continue
            groups = in_groups(m)
            light = fan_in[m] > 0 and fan_out(m, shared) <= FAN_OUT_RATIO * fan_in[m]
            parent = m.rsplit(".", 1)[0] if "." in m else ""
            others = [s for s in siblings[parent] if s != m]
            library_package = bool(others) and 2 * sum(1 for s in others if s in shared) > len(others)
            reached = tuple(sorted({app_of[t] for t in targets.get(m, ()) if t not in shared} - {app_of[m]}))
            outside_users = [u for u in users.get(m, ()) if u not in shared]
            serves = m in handlers  # an entry point makes it API, not library (but may be wiring)
            library = light and not serves and incidental_data(m)
            pure = m not in data_sites  # wiring and entry scripts must not touch data at all
            if m in tool_modules:
                add(m, "tooling", reached)
            elif library and len(groups) >= threshold:
                add(m, "library", groups)
            elif library and library_package and len(groups) >= 2:
                add(m, "library package", groups)
            elif pure and len(reached) >= threshold and started_only(m) and pages[m] <= WIRING_MAX_PAGES:
                add(m, "wiring", reached)
            elif (pure and not serves and targets.get(m) and not reached and all(t in shared for t in targets[m])
                  and not outside_users and entry_like(m)):
                add(m, "library client", ())
            elif settled and pure and not serves and in_settings(m) and started_only(m):
                add(m, "settings", reached)
            elif pure and not serves and vendored(m):
                add(m, "vendored", ())
            else:
                continue
            changed = True
        if not changed and not settled:
            settled = changed = True
    if kept_out is not None:
        for m in candidates:
            groups = in_groups(m)
            if m in shared or len(groups) < threshold:
                continue
            if m in handlers:
                served = handlers[m]
                why = f"handles {served} entry point{'s' if served != 1 else ''}: an API, not a library"
            elif not incidental_data(m):
                apps = data_apps[m]
                if len(apps) < GENERIC_DATA_APPS:
                    why = (f"its {data_sites[m]:g} data accesses touch the entities of "
                           f"{', '.join(sorted(apps))} only: not generic data code")
                else:
                    top = min(apps, key=lambda a: (-apps[a], a))
                    why = (f"{apps[top] / data_sites[m]:.0%} of its {data_sites[m]:g} data accesses are to "
                           f"entities of {top}: that app's business")
            elif fan_in[m] > 0:
                why = (f"calls into the services' code (weight {fan_out(m, shared):g}) more than half as much "
                       f"as they use it ({fan_in[m]:g})")
            else:
                continue
            kept_out[m] = KeptOut(m, groups, round(fan_in[m], 3), why)
    return [shared[m] for m in sorted(shared)]


__all__ = [
    "DATA_SHARE",
    "ENTRY_NAMES",
    "FAN_OUT_RATIO",
    "GENERIC_DATA_APPS",
    "GENERIC_DATA_SHARE",
    "GROUP_DIVISOR",
    "MAX_GROUPS",
    "MIN_GROUPS",
    "SETTINGS_NAMES",
    "TOOL_FOLDERS",
    "VENDOR_NAMES",
    "WIRING_MAX_PAGES",
    "KeptOut",
    "SharedModule",
    "detect_shared",
    "group_threshold",
    "kept_out_of_library",
]
