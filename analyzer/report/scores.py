"""The scores table: each metric beside the trivial baselines, with what it means.

Any metric key the analysis carries is shown; the ones we know get a label, a one-line
explanation and the direction that is better, so the report can say whether the proposed
cut beats "one service per package" and "keep the monolith".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True, slots=True)
class MetricInfo:
    label: str
    explanation: str
    better: str | None  # HIGHER, LOWER or None when neither is better in itself


# Order here is the order of the table; unknown keys follow, sorted. Definitions: docs/metrics.md.
METRICS: dict[str, MetricInfo] = {
    "modularity": MetricInfo(
        "Modularity Q",
        "Newman's Q on the weighted call graph: weight inside services beyond what chance gives.",
        HIGHER,
    ),
    "mq": MetricInfo(
        "MQ (Bunch TurboMQ)",
        "Sum over services of 2·intra / (2·intra + inter) call weight (Mancoridis et al.).",
        HIGHER,
    ),
    "sm": MetricInfo(
        "Structural modularity",
        "Cohesion inside services minus coupling between them (FoME; Mono2Micro, CoGCN).",
        HIGHER,
    ),
    "icp": MetricInfo(
        "Inter-call percentage",
        "Share of call sites that cross a service boundary.",
        LOWER,
    ),
    "ifn": MetricInfo(
        "Interface number",
        "Average number of units per service that other services call.",
        LOWER,
    ),
    "ned": MetricInfo(
        "Non-extreme distribution",
        "Share of units in services that are too small or too large (Mono2Micro).",
        LOWER,
    ),
    "cross_calls": MetricInfo(
        "Cross-service calls",
        "Caller→callee pairs that cross a boundary: each one becomes a remote call.",
        LOWER,
    ),
    "cross_call_weight": MetricInfo(
        "Cross-service call sites",
        "Call sites on those pairs: how often the code would cross the network.",
        LOWER,
    ),
    "cross_weight": MetricInfo(
        "Cross-service call sites",
        "Call sites on those pairs: how often the code would cross the network.",
        LOWER,
    ),
    "transactional_purity": MetricInfo(
        "Transactional purity",
        "Per entity, 1 − normalised entropy of the services touching it, averaged (after CARGO).",
        HIGHER,
    ),
    "entities_multi_writer": MetricInfo(
        "Entities written by several services",
        "Tables more than one service writes: candidates for a saga or a single owner.",
        LOWER,
    ),
    "shared_write_entities": MetricInfo(
        "Entities written by several services",
        "Tables more than one service writes: candidates for a saga or a single owner.",
        LOWER,
    ),
    "services": MetricInfo("Services", "Number of services, not counting the shared library.", None),
    "units": MetricInfo("Units in services", "Module top levels, classes and functions placed in services.", None),
    "shared_units": MetricInfo("Units in the shared library", "Units every service may use, not cut.", None),
    "shared_lines": MetricInfo("Lines in the shared library", "Lines of code of the shared library.", None),
    "lines.min": MetricInfo("Smallest service", "Lines of code of the smallest service.", None),
    "lines.median": MetricInfo("Median service", "Lines of code of the median service.", None),
    "lines.max": MetricInfo("Largest service", "Lines of code of the largest service.", None),
    "size_min": MetricInfo("Smallest service", "Size of the smallest service.", None),
    "size_median": MetricInfo("Median service", "Size of the median service.", None),
    "size_max": MetricInfo("Largest service", "Size of the largest service.", None),
    "mojofm": MetricInfo(
        "MoJoFM",
        "Agreement with a reference decomposition, 100 = identical (Wen & Tzerpos).",
        HIGHER,
    ),
    "ari": MetricInfo(
        "Adjusted Rand index",
        "Agreement with a reference decomposition corrected for chance, 1 = identical.",
        HIGHER,
    ),
}

# Non-scalar values shown under the table rather than as rows.
DETAILS: dict[str, str] = {
    "multi_writer_entities": "Entities written by several services",
    "service_lines": "Lines per service",
}

BASELINE_LABELS = {
    "one-per-package": "one per package",
    "monolith": "monolith",
}


@dataclass(frozen=True, slots=True)
class ScoreRow:
    key: str
    label: str
    explanation: str
    better: str | None
    value: Any
    baselines: tuple[Any, ...]  # in the order of ``Scores.baseline_names``
    beats: tuple[bool | None, ...]  # per baseline: better, not better, or not comparable


@dataclass(frozen=True, slots=True)
class ScoreDetail:
    """A non-scalar figure of the decomposition (a list or a mapping), shown as one line."""

    key: str
    label: str
    value: Any


@dataclass(frozen=True, slots=True)
class Scores:
    baseline_names: tuple[str, ...]
    rows: tuple[ScoreRow, ...]
    details: tuple[ScoreDetail, ...] = ()

    def baseline_label(self, name: str) -> str:
        return BASELINE_LABELS.get(name, name)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _beats(value: Any, other: Any, better: str | None) -> bool | None:
    a, b = _number(value), _number(other)
    if better is None or a is None or b is None:
        return None
    return a > b if better == HIGHER else a < b


def metric_info(key: str) -> MetricInfo:
    return METRICS.get(key) or MetricInfo(key.replace("_", " ").capitalize(), "", None)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (int, float, str, bool))


def _flatten(values: dict[str, Any]) -> dict[str, Any]:
    """Mappings of scalars become ``key.sub`` rows (``lines.min``); other values stay."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict) and key not in DETAILS and value and all(_is_scalar(v) for v in value.values()):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = v
        else:
            out[key] = value
    return out


def build_scores(metrics: dict[str, Any], baselines: dict[str, dict[str, Any]]) -> Scores:
    """Rows for every scalar metric of the cut or of a baseline, known ones first, and
    one detail line for each list- or mapping-valued figure of the cut."""
    names = tuple(
        sorted(baselines, key=lambda n: (list(BASELINE_LABELS).index(n) if n in BASELINE_LABELS else 99, n))
    )
    flat = _flatten(metrics or {})
    flat_baselines = {n: _flatten(baselines.get(n) or {}) for n in names}
    keys = {k for k, v in flat.items() if _is_scalar(v)}
    for name in names:
        keys.update(k for k, v in flat_baselines[name].items() if _is_scalar(v))
    ordered = [k for k in METRICS if k in keys] + sorted(k for k in keys if k not in METRICS)
    rows = []
    for key in ordered:
        info = metric_info(key)
        value = flat.get(key)
        others = tuple(flat_baselines[n].get(key) for n in names)
        rows.append(
            ScoreRow(
                key=key,
                label=info.label,
                explanation=info.explanation,
                better=info.better,
                value=value if _is_scalar(value) else None,
                baselines=tuple(o if _is_scalar(o) else None for o in others),
                beats=tuple(_beats(value, o, info.better) for o in others),
            )
        )
    details = tuple(
        ScoreDetail(key, DETAILS.get(key) or metric_info(key).label, value)
        for key, value in sorted(flat.items(), key=lambda kv: (kv[0] not in DETAILS, kv[0]))
        if not _is_scalar(value)
    )
    return Scores(baseline_names=names, rows=tuple(rows), details=details)


__all__ = [
    "DETAILS",
    "HIGHER",
    "LOWER",
    "METRICS",
    "MetricInfo",
    "ScoreDetail",
    "ScoreRow",
    "Scores",
    "build_scores",
    "metric_info",
]
