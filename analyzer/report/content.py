"""What a report says, independent of how it is shown.

:func:`build_report` turns an analysis document into one :class:`Report` value; the terminal,
HTML, Markdown and JSON renderers only lay it out, so the four formats cannot disagree.
Derived facts (interfaces, cross-service calls, risks, the matrix) come from
``analyzer.interfaces``; this module only groups, counts and orders them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from analyzer.analysis import Analysis
from analyzer.errors import UsageError
from analyzer.interfaces import (
    OutgoingCall,
    Risks,
    ServiceView,
    dependency_matrix,
    risks,
    service_of,
    service_views,
)
from analyzer.model import ENTITY, ENTRY, SHARED, Symbol
from analyzer.report.scores import Scores, build_scores

# Colour-blind-aware qualitative palette (Okabe-Ito and Tableau hues), cycled by service index.
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#0072b2", "#d55e00", "#009e73",
    "#cc79a7", "#56b4e9", "#8c6d31", "#6b6ecf",
)
SHARED_COLOR = "#9aa0a6"
TOP_CALLS = 15


@dataclass(frozen=True, slots=True)
class Unit:
    """A placed unit (module top level, class, top-level function) as the report lists it."""

    id: str
    kind: str
    name: str
    module: str
    line: int
    lines: int


@dataclass(frozen=True, slots=True)
class ModuleGroup:
    module: str
    units: tuple[Unit, ...]


@dataclass(frozen=True, slots=True)
class ServiceReport:
    name: str
    color: str
    view: ServiceView | None  # None for the shared library
    groups: tuple[ModuleGroup, ...]
    units: int
    lines: int
    calls_in: int  # call sites from other services into this one
    calls_out: int

    @property
    def is_shared(self) -> bool:
        return self.view is None


@dataclass(frozen=True, slots=True)
class CurvePoint:
    k: int
    score: float | None
    extra: tuple[tuple[str, Any], ...]  # any other figures of that point, sorted by key


@dataclass(frozen=True, slots=True)
class Curve:
    """How the clustering chose the number of services, as recorded in the analysis."""

    chosen: int | None  # the number of services
    points: tuple[CurvePoint, ...]
    weights: tuple[tuple[str, Any], ...]
    params: tuple[tuple[str, Any], ...] = ()  # other scalar settings (algorithm, chosen_by, seed...)
    shared_rules: tuple[tuple[str, str], ...] = ()  # (module, why it went to the shared library)
    layout_note: str | None = None  # what the layout told the clustering, when it matters to a reader
    # the k picked on the curve: folding fragments, balancing and setting strays aside may
    # give another number of services (nautobot: cut at 30, 16 services); the curve marks this
    cut: int | None = None

    @property
    def marked(self) -> int | None:
        """The point of the curve that was picked."""
        return self.cut if self.cut is not None else self.chosen


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    root: str
    tool: tuple[tuple[str, Any], ...]
    algorithm: str | None
    counts: tuple[tuple[str, Any], ...]
    services: tuple[ServiceReport, ...]  # sorted by name; the shared library is separate
    shared: ServiceReport | None
    scores: Scores
    matrix_names: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]
    risks: Risks
    heaviest: tuple[OutgoingCall, ...]  # heaviest cross-service caller→callee pairs
    curve: Curve
    parse_errors: tuple[dict[str, Any], ...]  # files that did not parse
    unresolved_count: int
    unresolved_top: tuple[tuple[str, int], ...]
    focus: str | None  # the service asked for with ``--service``
    # modules used by enough apps to be a library that a rule kept out: (module, how many
    # other apps use it, why), most used first (``shared.kept_out_of_library``)
    kept_out: tuple[tuple[str, int, str], ...] = ()
    skipped: tuple[dict[str, Any], ...] = ()  # files left out on purpose (generated, documentation, not importable)

    def service(self, name: str) -> ServiceReport:
        for s in self.services:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def colors(self) -> dict[str, str]:
        out = {s.name: s.color for s in self.services}
        out[SHARED] = SHARED_COLOR
        return out


def service_colors(names: list[str]) -> dict[str, str]:
    """Stable colours: by position in the sorted service names."""
    out = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(sorted(names))}
    out[SHARED] = SHARED_COLOR
    return out


def placed_units(analysis: Analysis, placement: dict[str, str]) -> dict[str, list[Unit]]:
    """service -> its units (entities and entry points excluded: they are listed apart)."""
    from analyzer.graph import unit_map
    from analyzer.interfaces import unit_lines

    units = unit_map(analysis.symbols)
    sizes = unit_lines(analysis, units)
    index = analysis.symbol_index()
    out: dict[str, list[Unit]] = defaultdict(list)
    for uid in sorted(set(units.values())):
        s: Symbol | None = index.get(uid)
        if s is None or s.kind in (ENTITY, ENTRY):
            continue
        out[placement.get(uid, SHARED)].append(
            Unit(id=uid, kind=s.kind, name=s.name, module=s.module, line=s.line, lines=sizes.get(uid, 0))
        )
    return out


def _groups(units: list[Unit]) -> tuple[ModuleGroup, ...]:
    by_module: dict[str, list[Unit]] = defaultdict(list)
    for u in units:
        by_module[u.module].append(u)
    return tuple(
        ModuleGroup(m, tuple(sorted(us, key=lambda u: (u.kind != "module", u.line, u.id))))
        for m, us in sorted(by_module.items())
    )


def _curve(clustering: dict[str, Any]) -> Curve:
    points = []
    for p in clustering.get("curve") or []:
        if not isinstance(p, dict) or "k" not in p:
            continue
        score = p.get("score")
        points.append(
            CurvePoint(
                k=int(p["k"]),
                score=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
                extra=tuple(sorted((k, v) for k, v in p.items() if k not in ("k", "score"))),
            )
        )
    chosen = clustering.get("k")
    cut = clustering.get("curve_k")
    weights = clustering.get("weights") or {}
    params = tuple(
        sorted(
            (k, v)
            for k, v in clustering.items()
            if k not in ("k", "curve", "weights", "shared") and isinstance(v, (str, int, float, bool))
        )
    )
    rules = []
    for item in clustering.get("shared") or []:
        if isinstance(item, dict) and item.get("module"):
            rules.append((str(item["module"]), str(item.get("rule") or "")))
    return Curve(
        chosen=int(chosen) if isinstance(chosen, (int, float)) and not isinstance(chosen, bool) else None,
        points=tuple(sorted(points, key=lambda p: p.k)),
        weights=tuple(sorted(weights.items())) if isinstance(weights, dict) else (),
        params=params,
        shared_rules=tuple(sorted(rules)),
        layout_note=_layout_note(clustering),
        cut=int(cut) if isinstance(cut, (int, float)) and not isinstance(cut, bool) else None,
    )


def _layout_note(clustering: dict[str, Any]) -> str | None:
    """One sentence when the tree is laid out by technical layer and the services follow the
    features found across the layers (``cluster/layout.py``)."""
    features = [str(f) for f in clustering.get("features") or []]
    sliced = [str(f) for f in clustering.get("sliced") or []]
    if not features or not sliced:
        return None
    shown = ", ".join(features[:12]) + (f" and {len(features) - 12} more" if len(features) > 12 else "")
    return (f"Laid out by technical layer ({', '.join(sliced)}): the services follow the {len(features)} "
            f"features named across those folders ({shown}).")


def check_service(analysis: Analysis, name: str | None) -> None:
    """Raise :class:`UsageError` naming the known services when ``name`` is not one of them."""
    if name is None:
        return
    known = sorted(s.name for s in analysis.decomposition.services) if analysis.decomposition else []
    if name not in known:
        listing = ", ".join(known) if known else "none (the analysis has no decomposition)"
        raise UsageError(f"unknown service {name!r}; known services: {listing}")


def build_report(analysis: Analysis, *, service: str | None = None) -> Report:
    """Everything the report shows, computed once, sorted, ready to lay out."""
    check_service(analysis, service)
    placement = service_of(analysis)
    views = service_views(analysis)
    colors = service_colors([v.name for v in views])
    units = placed_units(analysis, placement)
    services = []
    for v in views:
        services.append(
            ServiceReport(
                name=v.name,
                color=colors[v.name],
                view=v,
                groups=_groups(units.get(v.name, [])),
                units=len(units.get(v.name, [])),
                lines=v.lines,
                calls_in=sum(c.weight for c in v.incoming),
                calls_out=sum(c.weight for c in v.outgoing),
            )
        )
    shared_units = units.get(SHARED, [])
    shared = (
        ServiceReport(
            name=SHARED,
            color=SHARED_COLOR,
            view=None,
            groups=_groups(shared_units),
            units=len(shared_units),
            lines=sum(u.lines for u in shared_units),
            calls_in=0,
            calls_out=0,
        )
        if shared_units
        else None
    )
    names, matrix = dependency_matrix(analysis)
    all_calls = [c for v in views for c in v.outgoing]
    heaviest = sorted(all_calls, key=lambda c: (-c.weight, c.caller, c.callee))[:TOP_CALLS]
    unresolved = analysis.unresolved or {}
    top = []
    for item in unresolved.get("top") or []:
        if isinstance(item, dict) and "expr" in item:
            top.append((str(item["expr"]), int(item.get("count") or 0)))
    d = analysis.decomposition
    root = analysis.root or ""
    return Report(
        title=root.rstrip("/").rsplit("/", 1)[-1] or "analysis",
        root=root,
        tool=tuple(sorted((analysis.tool or {}).items())),
        algorithm=d.algorithm if d else None,
        counts=tuple(sorted((analysis.counts or {}).items())),
        services=tuple(services),
        shared=shared,
        scores=build_scores(analysis.metrics or {}, analysis.baselines or {}),
        matrix_names=tuple(names),
        matrix=tuple(tuple(r) for r in matrix),
        risks=risks(analysis),
        heaviest=tuple(heaviest),
        curve=_curve(analysis.clustering or {}),
        parse_errors=tuple(
            sorted((e for e in analysis.parse_errors if e.get("kind") != "skipped"),
                   key=lambda e: (str(e.get("path")), e.get("line") or 0))
        ),
        skipped=tuple(sorted((e for e in analysis.parse_errors if e.get("kind") == "skipped"),
                             key=lambda e: str(e.get("path")))),
        unresolved_count=int(unresolved.get("count") or 0),
        unresolved_top=tuple(sorted(top, key=lambda t: (-t[1], t[0]))),
        focus=service,
        kept_out=_kept_out(analysis),
    )


KEPT_OUT_SHOWN = 15  # how many modules kept out of the shared library the report lists


def _kept_out(analysis: Analysis) -> tuple[tuple[str, int, str], ...]:
    """Why the helpers every app calls are not in the shared library (a capability's API, or
    code that is mostly one app's data), for the modules used most."""
    if analysis.decomposition is None:
        return ()
    from analyzer.cluster.shared import kept_out_of_library

    return tuple((k.module, len(k.groups), k.why) for k in kept_out_of_library(analysis)[:KEPT_OUT_SHOWN])


def narrow(report: Report, name: str) -> Report:
    """The report of one service: its card, the risks and calls it takes part in.

    Scores, the matrix and the curve stay: they describe the cut the service is part of.
    """
    from dataclasses import replace

    r = report.risks
    s = report.service(name)
    assert s.view is not None
    calls = sorted(s.view.outgoing + s.view.incoming, key=lambda c: (-c.weight, c.caller, c.callee))
    return replace(
        report,
        services=(s,),
        shared=None,
        heaviest=tuple(calls[:TOP_CALLS]),
        risks=Risks(
            shared_writes=tuple(w for w in r.shared_writes if name in w.services),
            transactions=tuple(t for t in r.transactions if name in t.services),
            chatty=tuple(c for c in r.chatty if name in (c.source, c.target)),
            tool_writes=tuple(w for w in r.tool_writes if w.owner == name),
        ),
        focus=name,
    )


__all__ = [
    "PALETTE",
    "SHARED_COLOR",
    "Curve",
    "CurvePoint",
    "ModuleGroup",
    "Report",
    "ServiceReport",
    "Unit",
    "build_report",
    "check_service",
    "narrow",
    "placed_units",
    "service_colors",
]
