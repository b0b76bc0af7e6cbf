"""The derived report as JSON (``msa-report/1``): for scripts, dashboards and CI checks.

Unlike the analysis document it carries no symbols or edges, only what the report derives:
services with their interface and calls, risks, the dependency matrix, scores beside the
baselines and the clustering curve.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from analyzer.interfaces import OutgoingCall
from analyzer.model import Route
from analyzer.report.content import Report, ServiceReport

REPORT_SCHEMA = "msa-report/1"


def _call(c: OutgoingCall) -> dict[str, Any]:
    return {
        "source_service": c.source_service,
        "target_service": c.target_service,
        "caller": c.caller,
        "callee": c.callee,
        "weight": c.weight,
        "used": c.used,
        "ignored": c.ignored,
        "mode": c.mode,
    }


def _route(r: Route) -> dict[str, Any]:
    return {**asdict(r), "methods": list(r.methods)}


def _service(s: ServiceReport) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": s.name,
        "color": s.color,
        "units": s.units,
        "lines": s.lines,
        "calls_in": s.calls_in,
        "calls_out": s.calls_out,
        "modules": {g.module: [u.id for u in g.units] for g in s.groups},
    }
    v = s.view
    if v is None:
        return out
    out.update(
        members=list(v.members),
        entities=list(v.entities),
        reads_foreign=list(v.reads_foreign),
        writes_foreign=list(v.writes_foreign),
        interface=[
            {
                "symbol": f.symbol,
                "kind": f.kind,
                "module": f.module,
                "name": f.name,
                "line": f.line,
                "signature": f.signature,
                "params": [dict(p) for p in f.params],
                "returns": f.returns,
                "is_async": f.is_async,
                "untyped": f.untyped,
                "callers": list(f.callers),
                "caller_services": list(f.caller_services),
                "weight": f.weight,
            }
            for f in v.interface
        ],
        outgoing=[_call(c) for c in sorted(v.outgoing, key=lambda c: (c.target_service, c.callee, c.caller))],
        incoming=[_call(c) for c in v.incoming],
        routes=[_route(r) for r in v.routes],
    )
    return out


def report_json(report: Report) -> dict[str, Any]:
    r = report.risks
    scores = report.scores
    return {
        "schema": REPORT_SCHEMA,
        "root": report.root,
        "tool": dict(report.tool),
        "algorithm": report.algorithm,
        "focus": report.focus,
        "counts": dict(report.counts),
        "services": [_service(s) for s in report.services],
        "shared": _service(report.shared) if report.shared is not None else None,
        "scores": [
            {
                "key": row.key,
                "label": row.label,
                "explanation": row.explanation,
                "better": row.better,
                "value": row.value,
                "baselines": dict(zip(scores.baseline_names, row.baselines)),
                "beats": dict(zip(scores.baseline_names, row.beats)),
            }
            for row in scores.rows
        ],
        "details": {d.key: d.value for d in scores.details},
        "metrics": {row.key: row.value for row in scores.rows if row.value is not None},
        "baselines": {
            name: {row.key: row.baselines[i] for row in scores.rows if row.baselines[i] is not None}
            for i, name in enumerate(scores.baseline_names)
        },
        "matrix": {"services": list(report.matrix_names), "weights": [list(row) for row in report.matrix]},
        "risks": {
            "shared_writes": [
                {"entity": w.entity, "services": list(w.services), "functions": list(w.functions)}
                for w in r.shared_writes
            ],
            "transactions": [
                {"function": t.function, "module": t.module, "line": t.line, "services": list(t.services),
                 "entities": list(t.entities)}
                for t in r.transactions
            ],
            "chatty": [
                {"source": c.source, "target": c.target, "weight": c.weight, "calls": c.calls} for c in r.chatty
            ],
            "tool_writes": [
                {"entity": w.entity, "owner": w.owner or None, "functions": list(w.functions)} for w in r.tool_writes
            ],
        },
        "heaviest_calls": [_call(c) for c in report.heaviest],
        "clustering": {
            "k": report.curve.chosen,
            "cut": report.curve.marked,
            "curve": [{"k": p.k, "score": p.score, **dict(p.extra)} for p in report.curve.points],
            "weights": dict(report.curve.weights),
            "params": dict(report.curve.params),
            "shared_rules": dict(report.curve.shared_rules),
            "kept_out_of_library": [{"module": m, "apps": n, "why": why} for m, n, why in report.kept_out],
            "layout_note": report.curve.layout_note,
        },
        "diagnostics": {
            "parse_errors": [dict(e) for e in report.parse_errors],
            "skipped": [dict(e) for e in report.skipped],
            "unresolved": {
                "count": report.unresolved_count,
                "top": [{"expr": e, "count": n} for e, n in report.unresolved_top],
            },
        },
    }


def render_json(report: Report) -> str:
    return json.dumps(report_json(report), indent=1, ensure_ascii=False) + "\n"


__all__ = ["REPORT_SCHEMA", "render_json", "report_json"]
