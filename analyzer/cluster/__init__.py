"""Cluster the unit graph into candidate services.

``decompose(analysis, options)`` is the whole stage: read the tree's layout (root package,
apps, layered folders; ``layout``), build the weighted unit graph with its priors
(``weights``), set the shared library aside (``shared``), apply the user's constraints
(pins, together, apart, shared; ``members``), run one algorithm (``louvain`` — multilevel on
large graphs, ``coarsen`` —, ``agglomerative`` or ``refine``), choose the number of services
from the modularity curve (``quality``), fold split-off package fragments back
(``fragments``), split oversized services along their seams (``balance``), polish with
Kernighan–Lin moves (``refine``), move writers to their data (``writers``), name the
services (``naming``), give every entity one owner and put each model class with it
(``ownership``). See
``docs/clustering.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analyzer.errors import ConfigError
from analyzer.model import CALL, SHARED, WRITE, Decomposition, Service

ALGORITHMS = ("louvain", "agglomerative", "refine")
DEFAULT_ALGORITHM = "louvain"
LARGE_GRAPH = 5000  # above this, agglomerative starts from Louvain's first level


@dataclass(frozen=True)
class ClusterOptions:
    """What the user can steer; members are module names, symbol ids or entity ids."""

    services: int | None = None
    algorithm: str | None = None
    seed: int = 0
    weights: Mapping[str, float] = field(default_factory=dict)
    pins: Mapping[str, str] = field(default_factory=dict)  # member -> service name
    together: Sequence[Sequence[str]] = ()
    apart: Sequence[Sequence[str]] = ()
    shared: Sequence[str] = ()
    resolution: float = 1.0
    refine: bool = True
    detect_shared: bool = True
    fold_fragments: bool = True
    balance: bool = True
    follow_writes: bool = True

    @classmethod
    def from_config(
        cls,
        config,
        *,
        services: int | None = None,
        algorithm: str | None = None,
        seed: int | None = None,
        resolution: float | None = None,
    ) -> ClusterOptions:
        """Options from an ``MsaConfig``; every argument that is not ``None`` (a flag) wins."""
        return cls(
            services=services if services is not None else config.services,
            algorithm=algorithm if algorithm is not None else config.algorithm,
            seed=seed if seed is not None else (config.seed if config.seed is not None else 0),
            weights=dict(config.weights),
            pins=config.pin_map(),
            together=tuple(config.together),
            apart=tuple(config.apart),
            shared=tuple(config.shared),
            resolution=resolution if resolution is not None else (config.resolution or 1.0),
        )


@dataclass(frozen=True)
class ClusterResult:
    decomposition: Decomposition
    info: dict[str, Any]
    partition_reused: bool = False  # the base partition came from the store (not in the document)
    replayed: bool = False  # a stored run's decisions held under the new sizes (cluster/replay.py)
    unit_of: Mapping[str, str] | None = None  # graph.unit_map of the symbols, for the scores
    unit_lines: Mapping[str, int] | None = None  # interfaces.unit_lines under it


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


def _call_pairs(analysis, unit_of: Mapping[str, str], rep: Mapping[str, str],
                touching: set[str]) -> set[tuple[str, str]]:
    """The pairs of contracted nodes a call edge joins, one of them in ``touching`` (the
    nodes of the services that may be quiet, for :func:`fragments.fold_quiet`)."""
    pairs = set()
    for e in analysis.edges:
        if e.kind == CALL:
            a, b = rep.get(unit_of.get(e.source, e.source)), rep.get(unit_of.get(e.target, e.target))
            if a != b and (a in touching or b in touching) and None not in (a, b):
                pairs.add((a, b))
    return pairs


def decompose(analysis, options: ClusterOptions | None = None, *, store=None,
              plain_graph: str = "") -> ClusterResult:
    """Cut ``analysis`` into services; deterministic for a given ``options.seed``.

    ``store`` (a :class:`~analyzer.stage_cache.StageCache`) keeps the Louvain base partition
    under :func:`~analyzer.cluster.digest.partition_key`: a run on the same graph with other
    sizes or another number of services starts from it instead of running Louvain again.
    With ``plain_graph``, the digest of the graph without sizes
    (:func:`~analyzer.cluster.digest.graph_digests`), it also keeps the shared library and
    the weighted unit graph, which read no size (but the package hubs, in the latter's key),
    and a record of the run (``cluster/replay.py``) that an edit changing only sizes replays."""
    # what a replayed run needs imports no networkx (a tenth of a second of a small warm run)
    from analyzer.cluster import agglomerative, quality, refine
    from analyzer.cluster.balance import split_oversized
    from analyzer.cluster.fragments import fold_quiet, merge_fragments
    from analyzer.cluster.layout import analysis_layout
    from analyzer.cluster.members import MemberIndex
    from analyzer.cluster.naming import name_services
    from analyzer.cluster.ownership import data_edges, place_models
    from analyzer.cluster.replay import Record, replay
    from analyzer.cluster.weights import app_anchors, resolve_weights
    from analyzer.graph import sorted_items, weighted_edges, weighted_graph
    from analyzer.interfaces import unit_lines

    options = options or ClusterOptions()
    algorithm = options.algorithm or DEFAULT_ALGORITHM
    weights = resolve_weights(options.weights)
    index = MemberIndex.build(analysis.symbols, (e.id for e in analysis.entities))
    _check_options(options, algorithm, index)

    symbols = analysis.symbols
    module_of = {s.id: s.module for s in symbols}
    for e in analysis.entities:
        module_of.setdefault(e.id, e.module or "")
    layout = analysis_layout(analysis)
    lines = unit_lines(analysis, dict(index.unit_of))
    nodes = sorted(index.units | index.entities)
    node_size = {n: float(lines.get(n, 0)) + 1.0 for n in nodes}

    # -- the user's placements: one table, most specific member wins ------------------------
    table: dict[str, str] = {}
    for member in options.shared:
        table[index.normalize(member)] = SHARED
    for member, service in options.pins.items():
        table[index.normalize(member)] = service
    placed = index.expand(table)
    user_shared = {n for n, s in placed.items() if s == SHARED}
    pinned = {n: s for n, s in placed.items() if s != SHARED}

    uf = _UnionFind()
    for group in options.together:
        covered = sorted({n for m in group for n in _covered(index, m)} - user_shared)
        for n in covered[1:]:
            uf.union(covered[0], n)
    by_pin: dict[str, list[str]] = defaultdict(list)
    for n, s in sorted(pinned.items()):
        by_pin[s].append(n)
    for members in by_pin.values():
        for n in members[1:]:
            uf.union(members[0], n)

    tokens: dict[str, dict[str, str]] = defaultdict(dict)
    for n, s in pinned.items():
        tokens[n]["pin"] = s
    for gi, group in enumerate(options.apart):
        for mi, member in enumerate(group):
            for n in _covered(index, member):
                tokens[n][f"apart-{gi}"] = str(mi)

    packages = {m.name for m in analysis.modules if m.is_package}

    def package_of(node: str) -> str:  # the package a fragment is folded by
        module = module_of.get(node, node)
        return module if module in packages else module.rsplit(".", 1)[0]

    def app_of(node: str) -> str:  # the app a satellite service is folded by
        return layout.app_of(module_of.get(node, node))

    def name(groups: list[list[str]], reserved: dict[int, str]) -> list[str]:
        return name_services(groups, module_of, {n: node_size.get(n, 1.0) for n in nodes}, reserved, layout)

    # -- a stored run on the same graph, sizes aside (cluster/replay.py) -------------------
    record_key, hubs = "", None
    if store is not None and plain_graph:
        from analyzer.stage_cache import digest, unpack_decomposition

        hubs = _hub_bytes(analysis, layout)
        record_key = digest(plain_graph, repr(options), hubs)
        stored = Record.unpack(store.get("replay", record_key))
        if stored is not None:
            for n in stored.zero:
                module_of[n] = _anchor_module(n, layout)
            replayed = replay(stored, node_size, package_of, name, app_of)
            if replayed is not None:
                rows, info = replayed
                return ClusterResult(decomposition=unpack_decomposition(rows), info=info, partition_reused=True,
                                     replayed=True, unit_of=index.unit_of, unit_lines=lines)

    from analyzer.cluster import louvain
    from analyzer.cluster.coarsen import COARSEN_ABOVE, multilevel
    from analyzer.cluster.writers import follow_writes

    # -- shared library --------------------------------------------------------------------
    protected = {module_of.get(n, "") for n in pinned} | {
        module_of.get(n, "") for g in options.together for m in g for n in _covered(index, m)
    }
    auto_shared = (
        _shared_library(analysis, layout, weights, protected, store, plain_graph) if options.detect_shared else []
    )
    shared_modules = {s.module for s in auto_shared}
    shared_nodes = set(user_shared) | {
        n for n in index.units if module_of.get(n) in shared_modules and n not in pinned
    }

    # -- contracted graph ------------------------------------------------------------------
    edges = _unit_edges(analysis, index.unit_of, weights, layout, store, plain_graph, hubs)
    # every anchor the edges may name: those no edge names are dropped below with the
    # anchors tying fewer than two units, which leaves the same graph in the same order
    anchors = app_anchors(layout, weights)
    for n in anchors:  # an app's anchor sits in the app's own package
        node_size[n] = 0.0
        module_of[n] = _anchor_module(n, layout)
    free = [n for n in nodes if n not in shared_nodes] + anchors
    rep = {n: uf.find(n) for n in free}
    rep_tokens: dict[str, dict[str, str]] = defaultdict(dict)
    for n in free:
        for key, value in tokens.get(n, {}).items():
            held = rep_tokens[rep[n]].get(key)
            if held is not None and held != value:
                raise ConfigError(f"constraints clash: {n!r} is kept together with members that must be "
                                  f"apart or pinned elsewhere ({key}: {held} vs {value})")
            rep_tokens[rep[n]][key] = value
    rep_size: dict[str, float] = {}  # in order of first appearance: the graph's node order
    for n in free:
        r = rep[n]
        rep_size[r] = rep_size.get(r, 0.0) + node_size[n]
    if all(r == n for n, r in rep.items()):  # no constraint merged nodes: edges are keyed already
        kept = [(pair, w) for pair, w in edges.items() if pair[0] in rep and pair[1] in rep]
    else:
        agg: dict[tuple[str, str], float] = defaultdict(float)
        for (a, b), w in edges.items():
            ra, rb = rep.get(a), rep.get(b)
            if ra is None or rb is None:
                continue
            agg[(ra, rb) if ra <= rb else (rb, ra)] += w
        kept = list(agg.items())
    edge_list = sorted_items(kept)
    graph = weighted_graph(rep_size, edge_list)
    # an anchor tying fewer than two units together (the rest of its app is shared) says nothing
    graph.remove_nodes_from([n for n in anchors if n in graph and len(graph[n]) < 2])
    isolated = sorted(n for n in graph if graph.degree(n) == 0 and n not in rep_tokens)
    graph.remove_nodes_from(isolated)
    core = graph

    # -- base partition, number of services, refinement ------------------------------------
    seed = options.seed
    known = None  # the base partition, when the store has it
    fixed = {r for r, t in rep_tokens.items() if "pin" in t}
    params: dict[str, Any] = {"seed": seed, "resolution": options.resolution}
    if core.number_of_nodes() == 0:
        base: list[set[str]] = []
    elif algorithm == "louvain":
        key = None
        if store is not None:
            from analyzer.cluster.digest import partition_key

            key = partition_key(core, edge_list, module_of, algorithm, seed, options.resolution)
            known = store.get("partition", key)
        if core.number_of_nodes() > COARSEN_ABOVE:
            # large graph: Louvain on a coarsened graph, units move in the refinement (coarsen.py)
            restarts = 1
            params["coarsened"] = "label-propagation"
        else:
            restarts = louvain.restarts_for(core.number_of_nodes())
        if isinstance(known, list):
            base = [set(p) for p in known]
        elif core.number_of_nodes() > COARSEN_ABOVE:
            base = multilevel(core, louvain.cluster, seed=seed, module_of=module_of,
                              resolution=options.resolution)
        else:
            base = louvain.cluster(core, seed=seed, resolution=options.resolution, restarts=restarts)
        if key is not None and not isinstance(known, list):
            store.put("partition", key, [sorted(p) for p in base])
        params["restarts"] = restarts
        if options.services and len(base) < options.services:
            base, params["resolution"] = _finer(core, seed, options.resolution, options.services)
    elif algorithm == "agglomerative":
        base = (
            louvain.levels(core, seed=seed, resolution=options.resolution)[0]
            if core.number_of_nodes() > LARGE_GRAPH
            else [{n} for n in sorted(core)]
        )
    else:  # refine: start from one service per package
        groups: dict[str, set[str]] = defaultdict(set)
        for n in core:
            groups[layout.app_of(module_of.get(n, n))].add(n)
        base = sorted(groups.values(), key=min)
        if options.services and len(base) < options.services:
            base, params["resolution"] = _finer(core, seed, options.resolution, options.services)
    base = _repair(core, base, rep_tokens)

    core_edges = weighted_edges(core)  # read once for the merge trace and the fragment folds
    trace = agglomerative.merge_trace(core, base, resolution=options.resolution, tokens=rep_tokens,
                                      edges=core_edges)
    core_size = {n: float(size) for n, size in core.nodes(data="size", default=1.0)}
    points = quality.score_curve(trace, core_size)
    minimum = len({t["pin"] for t in rep_tokens.values() if "pin" in t})
    # what makes a service of a community: an entry point or an entity. For the strays (tied
    # to nothing) a command line alone serves nobody: a service whose only entry points are
    # commands is a developer's script (a release tool's typer commands)
    serving = {rep.get(e) for e in index.entities}
    commands = set()
    for r in analysis.routes:
        if r.handler:
            (commands if r.kind == "command" else serving).add(rep.get(index.unit_of.get(r.handler, r.handler)))
    holders = serving | commands
    k = quality.pick_k(points, options.services, minimum)
    if options.services and points:  # that many services, not counting the strays set aside below
        k = quality.asked_k(trace, k, core, holders | set(rep_tokens))
    chosen_by = "requested" if options.services else "curve"
    partition = trace.partition(k) if points else []
    record = Record(tokens={n: dict(t) for n, t in rep_tokens.items()},
                    trace=(trace.nodes, trace.start, trace.merges, trace.curve), services=options.services,
                    minimum=minimum, k=k) if record_key else None
    folded: list[str] = []
    if options.fold_fragments and not options.services and partition:
        fold_log: list | None = [] if record is not None else None
        partition, folded = merge_fragments(core, partition, package_of, rep_tokens, core_edges, log=fold_log,
                                            app_of=app_of)
        if record is not None:
            record.fragments = fold_log
    splits: list[dict[str, float]] = []
    if options.balance and not options.services and partition:
        partition, splits = split_oversized(core, partition, seed=seed, fixed=fixed)
        if record is not None:
            record.balance = True
    if options.refine and partition:
        refine_log: list | None = [] if record is not None else None
        partition = refine.cluster(core, seed=seed, partition=partition, fixed=fixed, tokens=rep_tokens,
                                   log=refine_log)
        if record is not None:
            record.refine = refine_log
    moved: list[str] = []
    accesses, relations, inherits = data_edges(analysis.edges)  # reads and writes, for writers and owners
    if options.follow_writes and partition:
        partition, moved = follow_writes(core, partition, _writes(accesses, index.unit_of, rep), fixed=fixed,
                                         tokens=rep_tokens)
    # services tied to nothing are placed like isolated units when tiny (a setup.py, a template
    # folder) or idle, whatever their size (no entry point, no entity: a script, load tests)
    stray: list[int] = []
    if partition:
        tied = quality.tied(core, partition)
        idle = [i for i, p in enumerate(partition) if not p & serving]
        stray = quality.stray_indices(partition, core_size, tied, keep=rep_tokens, idle=idle)
        if record is not None:
            record.after = [sorted(p) for p in partition]
            record.tied = sorted(i for i in tied if i is not None)
            record.idle = idle
    isolated = sorted(set(isolated).union(*(partition[i] for i in stray)))
    partition = [p for i, p in enumerate(partition) if i not in set(stray)]
    quiet = 0
    maybe_quiet = {n for p in partition if not p & holders and not p & rep_tokens.keys() for n in p}
    if options.fold_fragments and not options.services and maybe_quiet:
        calls = _call_pairs(analysis, index.unit_of, rep, maybe_quiet)
        partition, quiet = fold_quiet(partition, core_edges, holders, calls, app_of, keep=rep_tokens.keys())
    partition, to_shared = _place_isolated(partition, isolated, module_of, shared_nodes)
    shared_nodes |= to_shared

    # -- back to units, names, owners ------------------------------------------------------
    members_of_rep: dict[str, list[str]] = defaultdict(list)
    for n in free:
        members_of_rep[rep[n]].append(n)
    groups_out = [sorted(n for r in part for n in members_of_rep[r]) for part in partition]
    # a community of entities alone (no code) is no service: its entities are owned by rule
    groups_out = [g for g in groups_out if any(n in index.units for n in g)]
    reserved = {}
    for i, g in enumerate(groups_out):
        pins_here = sorted({pinned[n] for n in g if n in pinned})
        if pins_here:
            reserved[i] = pins_here[0]
    names = name(groups_out, reserved)

    placement: dict[str, str] = {n: SHARED for n in shared_nodes}
    services_members: dict[str, list[str]] = {}
    for name, g in zip(names, groups_out, strict=True):
        services_members[name] = [n for n in g if n in index.units]
        for n in g:
            placement[n] = name
    for sid, unit in index.unit_of.items():
        if sid not in placement and unit in placement:
            placement[sid] = placement[unit]
    entity_pins = {n: s for n, s in pinned.items() if n in index.entities}
    # a model class goes to its entity's owner, unless the user placed it (a pin, a shared
    # listing, an apart or together group): then the rows follow the class
    held = {n: placement.get(n, SHARED) for n in index.units
            if n in user_shared or n in tokens or len(members_of_rep.get(rep.get(n, n), ())) > 1}
    owner, placement, model_moves = place_models(analysis, placement, names, index, held=held, pinned=entity_pins,
                                                 edges=(accesses, relations, inherits))
    for cls, here, there in model_moves:
        if here != SHARED:
            services_members[here].remove(cls)
        services_members[there].append(cls)
    shared_nodes -= {cls for cls, here, _ in model_moves if here == SHARED}
    owned: dict[str, list[str]] = defaultdict(list)
    for ent, svc in owner.items():
        owned[svc].append(ent)
    services = tuple(
        Service(
            name=name,
            members=tuple(sorted(members)),
            entities=tuple(sorted(owned.get(name, ()))),
            pinned=tuple(sorted(n for n in members if n in pinned)),
        )
        for name, members in sorted(services_members.items())
    )
    shared_units = tuple(sorted(n for n in shared_nodes if n in index.units))
    params["k"] = len(services)
    decomposition = Decomposition(services=services, shared=shared_units, algorithm=algorithm, params=params)
    info = {
        "algorithm": algorithm,
        "k": len(services),
        "chosen_by": chosen_by,
        "curve_k": k,
        "folded": folded,
        "split": splits,
        "writers_moved": len(moved),
        "models_moved": [list(m) for m in model_moves],
        "strays": len(stray),
        "quiet_folded": quiet,
        "root_package": layout.root,
        "layers": sorted(layout.layers),
        "features": sorted(layout.features) if layout.sliced else [],
        "sliced": sorted(layout.sliced),
        "curve": quality.trim_curve(points, k),
        "weights": weights,
        "seed": seed,
        "resolution": params["resolution"],
        "base_communities": len(base),
        "nodes": core.number_of_nodes() + len(isolated),
        "edges": core.number_of_edges(),
        "shared": [
            {"module": s.module, "rule": s.rule, "groups": list(s.groups), "fan_in": s.fan_in,
             "fan_out": s.fan_out}
            for s in auto_shared
        ],
        "rule": f"max score(k) = modularity - {quality.TINY_PENALTY} x share of code in services "
        f"under min({quality.TINY_SHARE:.0%} of the code, {quality.TINY_LINES} lines)",
    }
    if record is not None and not splits:  # a split reads sizes all through: no replay after one
        from analyzer.stage_cache import pack_decomposition

        record.members = {r: list(ms) for r, ms in members_of_rep.items() if r in core and ms != [r]}
        record.zero = [n for n in anchors if n in core]
        record.strays = list(stray)
        record.groups, record.reserved, record.names = groups_out, reserved, names
        record.result = (pack_decomposition(decomposition), {k: v for k, v in info.items() if k != "curve"})
        store.put("replay", record_key, record.pack())
    return ClusterResult(decomposition=decomposition, info=info, partition_reused=isinstance(known, list),
                         unit_of=index.unit_of, unit_lines=lines)


def _anchor_module(anchor: str, layout) -> str:
    """An app's anchor sits in the app's own package."""
    from analyzer.cluster.weights import ANCHOR_PREFIX

    app = anchor[len(ANCHOR_PREFIX):]
    return f"{layout.root}.{app}" if layout.root else app


def _shared_library(analysis, layout, weights: Mapping[str, float], protected: set[str], store, plain_graph: str):
    """``shared.detect_shared``, kept in ``store`` under the graph without sizes (it reads
    none), the weights and the modules the user's placements protect: an edit that only
    makes units longer, or another number of services, does not detect it again."""
    from analyzer.cluster.shared import SharedModule, detect_shared
    from analyzer.stage_cache import digest

    key = ""
    if store is not None and plain_graph:
        key = digest(plain_graph, repr(sorted(weights.items())), repr(sorted(protected)))
        known = store.get("shared", key)
        if isinstance(known, list):
            try:
                return [SharedModule(m, rule, tuple(groups), fan_in, fan_out)
                        for m, rule, groups, fan_in, fan_out in known]
            except (TypeError, ValueError):
                pass  # written by another layout: detect afresh
    found = detect_shared(analysis, layout, weights, protected=protected)
    if key:
        store.put("shared", key, [(s.module, s.rule, tuple(s.groups), s.fan_in, s.fan_out) for s in found])
    return found


def _unit_edges(analysis, unit_of: Mapping[str, str], weights: Mapping[str, float], layout, store,
                plain_graph: str, hubs: bytes | None = None) -> dict[tuple[str, str], float]:
    """``weights.clustering_edges``, kept in ``store`` under the graph without sizes, the
    weights and each package's hub (the one thing it reads sizes for; ``hubs`` as
    :func:`_hub_bytes` when the caller has them): an edit that makes a unit longer without
    changing a hub does not build them again."""
    from analyzer.cluster.weights import clustering_edges

    def build() -> dict[tuple[str, str], float]:
        return clustering_edges(analysis.symbols, analysis.edges, unit_of, weights, layout,
                                {e.id: e.model for e in analysis.entities if e.model})

    if store is None or not plain_graph:
        return build()
    from analyzer.stage_cache import digest

    if hubs is None:
        hubs = _hub_bytes(analysis, layout)
    key = digest(plain_graph, repr(sorted(weights.items())), hubs)
    known = store.get("unit_edges", key)
    if isinstance(known, tuple) and len(known) == 2 and len(known[0]) == len(known[1]):
        return dict(zip(known[0], known[1]))
    edges = build()
    store.put("unit_edges", key, (list(edges), list(edges.values())))
    return edges


def _hub_bytes(analysis, layout) -> bytes:
    """The package hubs, the one size the weighted unit graph reads (``_unit_edges``): part of
    the keys of what is stored under the graph without sizes."""
    from analyzer.cluster.digest import canonical_bytes
    from analyzer.cluster.weights import package_hubs

    return canonical_bytes([hub for hub, _ in package_hubs(analysis.symbols, layout.root)])


def _writes(accesses, unit_of: Mapping[str, str], rep: Mapping[str, str]) -> dict[str, dict[str, float]]:
    """node of the contracted graph -> {entity node: write sites}; ``accesses`` as from
    ``ownership.data_edges``."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for source, entity, kind, sites in accesses:
        if kind != WRITE:
            continue
        a, b = rep.get(unit_of.get(source, "")), rep.get(entity)
        if a is not None and b is not None and a != b:
            out[a][b] += sites
    return {n: dict(t) for n, t in out.items()}


def _covered(index, member: str) -> list[str]:
    """Every unit / entity a member covers (for together / apart, where any cover counts)."""
    key = index.normalize(member)
    if key is None:
        return []
    if key in index.entities:
        return [key]
    return sorted(n for n in index.units | index.entities if n == key or n.startswith(key + "."))


def _check_options(options: ClusterOptions, algorithm: str, index) -> None:
    problems = []
    if algorithm not in ALGORITHMS:
        problems.append(f"unknown algorithm {algorithm!r} (choose from {', '.join(ALGORITHMS)})")
    if options.services is not None and options.services < 1:
        problems.append(f"services must be at least 1 (got {options.services})")
    seen: dict[str, str] = {}
    for where, members in (
        [("pins", list(options.pins)), ("shared", list(options.shared))]
        + [(f"together[{i}]", list(g)) for i, g in enumerate(options.together)]
        + [(f"apart[{i}]", list(g)) for i, g in enumerate(options.apart)]
    ):
        for m in members:
            if index.normalize(m) is None:
                problems.append(f"{where}: {m!r} matches no module, symbol or entity")
    for m in options.shared:
        key = index.normalize(m)
        if key is not None:
            seen[key] = "shared"
    for m, s in options.pins.items():
        key = index.normalize(m)
        if key is not None and key in seen:
            problems.append(f"pins: {m!r} is also listed as shared")
        if not isinstance(s, str) or not s.strip():
            problems.append(f"pins: {m!r} needs a service name")
        elif s == SHARED:
            problems.append(f"pins: {SHARED!r} is the shared library; list {m!r} under shared instead")
    if problems:
        raise ConfigError("; ".join(problems))


def _finer(graph, seed: int, resolution: float, k: int) -> tuple[list[set[str]], float]:
    """Raise Louvain's resolution until it yields at least ``k`` communities (or give up)."""
    from analyzer.cluster import louvain

    restarts = louvain.restarts_for(graph.number_of_nodes())
    best = louvain.cluster(graph, seed=seed, resolution=resolution, restarts=restarts)
    r = resolution
    for _ in range(12):
        if len(best) >= k:
            break
        r *= 1.6
        best = louvain.cluster(graph, seed=seed, resolution=r, restarts=restarts)
    if len(best) < k:  # still too coarse: singletons always allow k
        best = [{n} for n in sorted(graph)]
    return best, round(r, 4)


def _repair(graph, partition: list[set[str]], tokens: Mapping[str, Mapping[str, str]]) -> list[set[str]]:
    """Split communities whose members' tokens clash (two pins, two ``apart`` members).

    The member with most weight inside the community keeps it; every clashing member starts a
    community of its own, and the free members follow whichever of those they are tied to
    most.
    """
    out: list[set[str]] = []
    for part in partition:
        anchors = sorted((n for n in part if tokens.get(n)), key=lambda n: (-_inside(graph, n, part), n))
        seeds: list[tuple[dict[str, str], set[str]]] = []
        for n in anchors:
            for held, members in seeds:
                if not any(k in held and held[k] != v for k, v in tokens[n].items()):
                    held.update(tokens[n])
                    members.add(n)
                    break
            else:
                seeds.append((dict(tokens[n]), {n}))
        if len(seeds) <= 1:
            out.append(set(part))
            continue
        groups = [members for _, members in seeds]
        for n in sorted(part - set(anchors)):
            ties = [sum(graph[n][m].get("weight", 1.0) for m in g if m in graph[n]) for g in groups]
            best = max(range(len(groups)), key=lambda i: (ties[i], -i))
            groups[best].add(n)
        out.extend(groups)
    return sorted(out, key=min)


def _inside(graph, n: str, part: set[str]) -> float:
    return sum(d.get("weight", 1.0) for m, d in graph[n].items() if m in part)


def _place_isolated(
    partition: list[set[str]], isolated: list[str], module_of: Mapping[str, str], shared: set[str]
) -> tuple[list[set[str]], set[str]]:
    """Units with no edge at all go where most of their module is, else their closest
    package (the shared library counts as a place; a package no place holds a majority of
    goes to the shared library); a module outside every package held by a place (a lone
    script) joins the shared library too. With no service at all they form one. Returns the
    partition and the units that joined the shared library."""
    if not isolated:
        return partition, set()
    if not partition:
        return [set(isolated)], set()
    holder: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for i, part in [*enumerate(partition), (-1, shared)]:
        for n in part:
            parts = module_of.get(n, "").split(".")
            for depth in range(1, len(parts) + 1):
                holder[".".join(parts[:depth])][i] += 1
    out = [set(p) for p in partition]
    to_shared: set[str] = set()
    for n in isolated:
        parts = module_of.get(n, "").split(".")
        target = -1
        for depth in range(len(parts), 0, -1):
            tally = holder.get(".".join(parts[:depth]))
            if tally:
                target, count = min(tally.items(), key=lambda kv: (-kv[1], kv[0]))
                if 2 * count <= sum(tally.values()):
                    target = -1  # a package split between services: its empty init is library
                break
        if target == -1:
            to_shared.add(n)
        else:
            out[target].add(n)
    return out, to_shared


__all__ = ["ALGORITHMS", "DEFAULT_ALGORITHM", "ClusterOptions", "ClusterResult", "decompose"]
