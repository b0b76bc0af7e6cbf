"""Scores of a decomposition, and of the trivial baselines it must beat.

Every structural metric works on the *static call graph at unit level* (module top level,
class, top-level function) restricted to units placed in a service: calls into the shared
library are dependencies every service may have, not coupling between services. Formulas and
sources are in ``docs/metrics.md``.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from analyzer.model import CALL, INHERIT, READ, RELATION, SHARED, WRITE, Decomposition, Service

NED_MIN, NED_MAX = 5, 60  # units per service counted as "non-extreme" (see docs/metrics.md)
_DIGITS = 4


def _r(x: float) -> float:
    return round(float(x), _DIGITS)


@dataclass
class ScoringBase:
    """What every score of one analysis shares, computed once: the pipeline scores the
    chosen decomposition and two baselines, and on a million lines each pass over the
    edges costs seconds. Only the placement differs between decompositions."""

    units: dict[str, str]  # symbol id -> unit id
    code_units: set[str]  # module top levels, classes, top-level functions
    unit_calls: dict[tuple[str, str], int]  # call weight between two different code units
    call_pairs: dict[tuple[str, str], int]  # call weight per (caller, callee) symbol pair
    data_edges: list[tuple[str, str, str, int]]  # (source, entity, read|write, weight)
    lines: dict[str, int]  # unit -> lines counted once
    relations: list[tuple[str, str]] = field(default_factory=list)  # (entity, entity): for ownership
    inherits: list[tuple[str, str]] = field(default_factory=list)  # (class, base): ownership's table families
    handlers: dict[str, str] = field(default_factory=dict)  # entry point -> handler: for placement
    abstract: frozenset[str] = frozenset()  # abstract models: no table, so no data scores

    @classmethod
    def of(cls, analysis, units: Mapping[str, str] | None = None,
           lines: Mapping[str, int] | None = None) -> ScoringBase:
        """``units`` and ``lines`` when the caller has them (``ClusterResult`` does): each is
        a pass over every symbol."""
        from analyzer.graph import UNIT_KINDS, unit_map
        from analyzer.interfaces import entry_handlers, unit_lines

        units = dict(units) if units is not None else unit_map(analysis.symbols)
        code_units = {s.id for s in analysis.symbols if s.kind in UNIT_KINDS and units.get(s.id) == s.id}
        unit_calls: dict[tuple[str, str], int] = defaultdict(int)
        call_pairs: dict[tuple[str, str], int] = defaultdict(int)
        data_edges = []
        relations = []
        inherits = []
        for e in analysis.edges:
            if e.kind == CALL:
                call_pairs[(e.source, e.target)] += e.weight
                a, b = units.get(e.source), units.get(e.target)
                if a is not None and b is not None and a != b and a in code_units and b in code_units:
                    unit_calls[(a, b)] += max(1, e.weight)
            elif e.kind in (READ, WRITE):
                data_edges.append((e.source, e.target, e.kind, max(1, e.weight)))
            elif e.kind == RELATION:
                relations.append((e.source, e.target))
            elif e.kind == INHERIT:
                inherits.append((e.source, e.target))
        lines = dict(lines) if lines is not None else unit_lines(analysis, units)
        return cls(units, code_units, dict(unit_calls), dict(call_pairs), data_edges, lines,
                   relations, inherits, entry_handlers(analysis),
                   frozenset(e.id for e in analysis.entities if e.abstract))


@dataclass
class SizeBase:
    """What the size scores (:data:`SIZE_KEYS`) read: the units and their lines. A fraction
    of :class:`ScoringBase`'s pass over the edges: enough when the other scores are known."""

    units: Mapping[str, str]  # symbol id -> unit id
    lines: Mapping[str, int]  # code unit -> lines counted once

    @classmethod
    def of(cls, analysis, units: Mapping[str, str] | None = None,
           lines: Mapping[str, int] | None = None) -> SizeBase:
        """``units`` and ``lines`` when the caller has them (``ClusterResult`` does)."""
        from analyzer.graph import unit_map
        from analyzer.interfaces import unit_lines

        units = units if units is not None else unit_map(analysis.symbols)
        return cls(units, lines if lines is not None else unit_lines(analysis, dict(units)))


def resized(decomposition: Decomposition, known: Mapping[str, Any], base: SizeBase) -> dict[str, Any]:
    """The scores of ``decomposition``: ``known``, its scores on the same graph under other
    sizes, with the size scores counted again (the others read no size)."""
    from analyzer.interfaces import unit_placement

    names = sorted(s.name for s in decomposition.services)
    return {**known, **_size_scores(names, unit_placement(decomposition, base.lines), base.lines)}


Flows = Mapping[tuple[str, str], list]  # (service, service) -> [call weight, unit pairs]


def service_flows(
    calls: Mapping[tuple[str, str], float],
    unit_service: Mapping[str, str],
    interface: dict[str, set[str]] | None = None,
) -> dict[tuple[str, str], list]:
    """``(caller's service, callee's service) -> [call weight, unit pairs]`` over the calls
    between placed units, in order of first appearance; ``interface`` (when given) collects
    per service its units called from another service.

    The structural metrics need only these totals, and a decomposition has far fewer service
    pairs than unit calls: one pass over the calls serves them all. With the integer weights of
    the call graph the sums are exact, so the scores are those of one pass per metric.
    """
    flows: dict[tuple[str, str], list] = {}
    for (a, b), w in calls.items():
        sa, sb = unit_service.get(a), unit_service.get(b)
        if sa is None or sb is None:
            continue
        if interface is not None and sa != sb:
            interface[sb].add(b)
        flow = flows.get((sa, sb))
        if flow is None:
            flows[(sa, sb)] = [w, 1]
        else:
            flow[0] += w
            flow[1] += 1
    return flows


def modularity_q(calls: Mapping[tuple[str, str], float], unit_service: Mapping[str, str]) -> float:
    """Newman modularity of the services on the undirected weighted call graph."""
    return _modularity(service_flows(calls, unit_service))


def turbo_mq(calls: Mapping[tuple[str, str], float], unit_service: Mapping[str, str]) -> float:
    """Bunch TurboMQ: sum over services of 2μ / (2μ + Σ inter-edge weight in and out)."""
    return _turbo_mq(service_flows(calls, unit_service), unit_service)


def structural_modularity(calls: Mapping[tuple[str, str], float], unit_service: Mapping[str, str]) -> float:
    """SM = mean cohesion μᵢ/mᵢ² − mean coupling σᵢⱼ/(2mᵢmⱼ) over service pairs (distinct edges)."""
    return _structural_modularity(service_flows(calls, unit_service), unit_service)


def _modularity(flows: Flows) -> float:
    m = sum(w for w, _ in flows.values())
    if m == 0:
        return 0.0
    inner: dict[str, float] = defaultdict(float)
    tot: dict[str, float] = defaultdict(float)
    for (sa, sb), (w, _) in flows.items():
        tot[sa] += w
        tot[sb] += w
        if sa == sb:
            inner[sa] += w
    return sum(inner[s] / m - (tot[s] / (2 * m)) ** 2 for s in tot)


def _turbo_mq(flows: Flows, unit_service: Mapping[str, str]) -> float:
    mu: dict[str, float] = defaultdict(float)
    eps: dict[str, float] = defaultdict(float)
    for (sa, sb), (w, _) in flows.items():
        if sa == sb:
            mu[sa] += w
        else:
            eps[sa] += w
            eps[sb] += w
    return sum(2 * mu[s] / (2 * mu[s] + eps[s]) for s in set(unit_service.values()) if mu[s] > 0)


def _structural_modularity(flows: Flows, unit_service: Mapping[str, str]) -> float:
    sizes: dict[str, int] = defaultdict(int)
    for s in unit_service.values():
        sizes[s] += 1
    names = sorted(sizes)
    k = len(names)
    if k == 0:
        return 0.0
    mu: dict[str, int] = defaultdict(int)
    sigma: dict[tuple[str, str], int] = defaultdict(int)
    for (sa, sb), (_, pairs) in flows.items():
        if sa == sb:
            mu[sa] += pairs
        else:
            sigma[(sa, sb) if sa < sb else (sb, sa)] += pairs
    cohesion = sum(mu[s] / sizes[s] ** 2 for s in names) / k
    if k == 1:
        return cohesion
    coupling = sum(w / (2 * sizes[a] * sizes[b]) for (a, b), w in sigma.items())
    return cohesion - coupling / (k * (k - 1) / 2)


def score(analysis, decomposition: Decomposition, base: ScoringBase | None = None) -> dict[str, Any]:
    """All metrics of one decomposition (keys are stable; floats rounded to 4 digits)."""
    from analyzer.interfaces import service_of

    base = base or ScoringBase.of(analysis)
    placement = service_of(analysis, decomposition, base.handlers)
    unit_service = {u: placement[u] for u in base.code_units if placement.get(u, SHARED) != SHARED}
    names = sorted(s.name for s in decomposition.services)
    k = len(names)

    interface_units: dict[str, set[str]] = defaultdict(set)
    flows = service_flows(base.unit_calls, unit_service, interface_units)
    total = sum(w for w, _ in flows.values())
    inter = sum(w for (sa, sb), (w, _) in flows.items() if sa != sb)
    ifn = sum(len(v) for v in interface_units.values()) / k if k else 0.0

    unit_count: dict[str, int] = defaultdict(int)
    for s in unit_service.values():
        unit_count[s] += 1
    n_units = sum(unit_count.values())
    non_extreme = sum(c for c in unit_count.values() if NED_MIN <= c <= NED_MAX)
    ned = 1 - non_extreme / n_units if n_units else 0.0

    # calls between two different services (the shared library is not a service)
    cross_pairs = cross_weight = 0
    for (caller, callee), w in base.call_pairs.items():
        a, b = placement.get(caller), placement.get(callee)
        if a is not None and b is not None and a != b and a != SHARED and b != SHARED:
            cross_pairs += 1
            cross_weight += w

    # transactional purity: per entity, 1 - normalized entropy of the services touching it
    touch: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    writers: dict[str, set[str]] = defaultdict(set)
    for source, entity, kind, weight in base.data_edges:
        svc = placement.get(source, SHARED)
        if svc == SHARED or entity in base.abstract:
            continue  # an abstract model's "writes" are its concrete models', whose rows they are
        touch[entity][svc] += weight
        if kind == WRITE:
            writers[entity].add(svc)
    purities = []
    for ent in sorted(touch):
        tally = touch[ent]
        if k <= 1 or len(tally) <= 1:
            purities.append(1.0)
            continue
        tw = sum(tally.values())
        h = -sum((w / tw) * math.log(w / tw) for w in tally.values() if w > 0)
        purities.append(1 - h / math.log(k))
    multi_writes = sorted(e for e, s in writers.items() if len(s) > 1)

    units, lines = base.units, base.lines
    return {
        "services": k,
        "modularity": _r(_modularity(flows)),
        "mq": _r(_turbo_mq(flows, unit_service)),
        "sm": _r(_structural_modularity(flows, unit_service)),
        "icp": _r(inter / total if total else 0.0),
        "ifn": _r(ifn),
        "ned": _r(ned),
        "cross_calls": cross_pairs,
        "cross_call_weight": cross_weight,
        "transactional_purity": _r(sum(purities) / len(purities) if purities else 1.0),
        "entities_multi_writer": len(multi_writes),
        "multi_writer_entities": multi_writes,
        "units": n_units,
        "shared_units": sum(1 for u in set(units.values()) if placement.get(u) == SHARED and u in lines),
        **_size_scores(names, placement, lines),
    }


SIZE_KEYS = ("shared_lines", "lines", "service_lines")  # the only scores that read unit sizes


def _size_scores(names: Iterable[str], placement: Mapping[str, str], lines: Mapping[str, int]) -> dict[str, Any]:
    """The scores that read sizes (:data:`SIZE_KEYS`): lines per service and shared."""
    per_service: dict[str, int] = {n: 0 for n in names}
    shared_lines = 0
    for u, n in lines.items():
        svc = placement.get(u, SHARED)
        if svc in per_service:
            per_service[svc] += n
        elif svc == SHARED:
            shared_lines += n
    sizes = sorted(per_service.values())
    return {
        "shared_lines": shared_lines,
        "lines": {
            "min": sizes[0] if sizes else 0,
            "median": _r(statistics.median(sizes)) if sizes else 0,
            "max": sizes[-1] if sizes else 0,
        },
        "service_lines": dict(sorted(per_service.items())),
    }


def _package_decomposition(analysis, units: Iterable[str]) -> Decomposition:
    from analyzer.cluster.layout import build_layout

    module_of = {s.id: s.module for s in analysis.symbols}
    layout = build_layout({s.module for s in analysis.symbols if s.module},
                          package_modules=(m.name for m in analysis.modules if m.is_package))
    groups: dict[str, list[str]] = defaultdict(list)
    for u in sorted(units):
        groups[layout.app_of(module_of.get(u, u))].append(u)
    return Decomposition(
        services=tuple(Service(name=name, members=tuple(m)) for name, m in sorted(groups.items())),
        algorithm="one-per-package",
    )


def _monolith(units: Iterable[str]) -> Decomposition:
    return Decomposition(services=(Service(name="monolith", members=tuple(sorted(units))),), algorithm="monolith")


def baseline_decompositions(analysis, unit_of: Mapping[str, str] | None = None) -> dict[str, Decomposition]:
    """The trivial cuts: one service per package below the root, and everything in one.
    ``unit_of`` is ``unit_map(analysis.symbols)`` when the caller has it."""
    from analyzer.cluster.members import MemberIndex, unit_ids

    units = MemberIndex.build(analysis.symbols).units if unit_of is None else unit_ids(analysis.symbols, unit_of)
    return {"one-per-package": _package_decomposition(analysis, units), "monolith": _monolith(units)}


def baselines(analysis, base: ScoringBase | None = None,
              known: Mapping[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Scores of the trivial cuts (no shared library, entities owned by the usual rule).

    The cuts themselves never read a size, so ``known``, the baselines of the same graph
    with other sizes (keyed by the second of ``cluster.digest.graph_digests``), keeps every score
    but the few that count lines (:data:`SIZE_KEYS`), which are counted again
    (:func:`resized_baselines`, which needs only a :class:`SizeBase`)."""
    from analyzer.cluster.ownership import own_entities
    from analyzer.interfaces import service_of

    base = base or ScoringBase.of(analysis)
    cuts = baseline_decompositions(analysis, base.units)
    if known is not None and set(known) == set(cuts):
        return _resized_cuts(cuts, known, SizeBase(base.units, base.lines))
    out = {}
    for name, d in cuts.items():
        owner = own_entities(analysis, service_of(analysis, d, base.handlers), [s.name for s in d.services],
                             edges=(base.data_edges, base.relations, base.inherits))
        by_svc: dict[str, list[str]] = defaultdict(list)
        for ent, svc in owner.items():
            by_svc[svc].append(ent)
        d = Decomposition(
            services=tuple(
                Service(s.name, s.members, entities=tuple(sorted(by_svc.get(s.name, ())))) for s in d.services
            ),
            algorithm=d.algorithm,
        )
        out[name] = score(analysis, d, base)
    return out


def resized_baselines(analysis, known: Mapping[str, dict[str, Any]], base: SizeBase) -> dict[str, dict[str, Any]]:
    """:func:`baselines` from ``known``, the baselines of the same graph under other sizes."""
    cuts = baseline_decompositions(analysis, base.units)
    if set(known) != set(cuts):
        return baselines(analysis)
    return _resized_cuts(cuts, known, base)


def _resized_cuts(cuts: Mapping[str, Decomposition], known: Mapping[str, dict[str, Any]],
                  base: SizeBase) -> dict[str, dict[str, Any]]:
    return {name: resized(d, known[name], base) for name, d in cuts.items()}


__all__ = [
    "NED_MAX",
    "NED_MIN",
    "ScoringBase",
    "SizeBase",
    "baseline_decompositions",
    "baselines",
    "modularity_q",
    "resized",
    "resized_baselines",
    "score",
    "service_flows",
    "structural_modularity",
    "turbo_mq",
]
