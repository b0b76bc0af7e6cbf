"""The HTML report: one self-contained page that works offline.

Styles, the page script, the vendored Cytoscape.js and the data are all inlined. Text from
the analyzed source reaches the page in two ways only: through Jinja's autoescape, and as
JSON in a ``<script type="application/json">`` block where ``<``, ``>`` and ``&`` are
written as ``\\u003c``-style escapes, so no name can close the block or open a tag. The
page script puts that text into the DOM with ``textContent`` only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from analyzer.analysis import Analysis
from analyzer.interfaces import service_of
from analyzer.report.chart import curve_chart
from analyzer.report.content import Report
from analyzer.report.graphdata import build_graph_payload
from analyzer.report.markdown import summary_line
from analyzer.report.resources import environment, read_asset
from analyzer.report.text import fmt_number

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_CLOSING = re.compile(r"</(script|style)", re.IGNORECASE)


def script_json(data: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block that no string can break out of."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)
    return Markup("".join(_SCRIPT_ESCAPES.get(ch, ch) for ch in text))


def inline_code(text: str) -> Markup:
    """Our own CSS/JS (and vendored JS) made safe to inline: no ``</script`` or ``</style``."""
    return Markup(_CLOSING.sub(lambda m: "<\\/" + m.group(1), text))


@dataclass(frozen=True, slots=True)
class Kpi:
    label: str
    value: str
    hint: str


@dataclass(frozen=True, slots=True)
class MatrixCell:
    value: int
    alpha: float  # 0..1 shade of the cell, by share of the heaviest cell


@dataclass(frozen=True, slots=True)
class MatrixRow:
    name: str
    color: str
    cells: tuple[MatrixCell, ...]
    total: int


def matrix_rows(report: Report) -> tuple[MatrixRow, ...]:
    peak = max((w for row in report.matrix for w in row), default=0)
    colors = report.colors
    rows = []
    for name, row in zip(report.matrix_names, report.matrix):
        cells = tuple(MatrixCell(w, round(0.12 + 0.78 * w / peak, 3) if peak and w else 0.0) for w in row)
        rows.append(MatrixRow(name, colors.get(name, "#888"), cells, sum(row)))
    return tuple(rows)


def kpis(report: Report) -> tuple[Kpi, ...]:
    metrics = {row.key: row.value for row in report.scores.rows}
    counts = dict(report.counts)
    cross = sum(c.weight for s in report.services if s.view for c in s.view.outgoing)
    risk_count = len(report.risks.shared_writes) + len(report.risks.transactions)
    out = [
        Kpi("Services", fmt_number(len(report.services)), f"algorithm {report.algorithm or '–'}"),
        Kpi("Units placed", fmt_number(sum(s.units for s in report.services)
                                       + (report.shared.units if report.shared else 0)),
            f"{fmt_number(report.shared.units if report.shared else 0)} in the shared library"),
        Kpi("Lines", fmt_number(counts.get("lines", sum(s.lines for s in report.services))),
            f"{fmt_number(counts['files'])} files" if isinstance(counts.get("files"), int) else "in placed units"),
        Kpi("Cross-service call sites", fmt_number(cross), "each one a network hop"),
    ]
    if "modularity" in metrics:
        out.append(Kpi("Modularity Q", fmt_number(metrics["modularity"]), "higher is better"))
    out.append(Kpi("Data risks", fmt_number(risk_count), "shared writes and split transactions"))
    return tuple(out)


def first_docstrings(analysis: Analysis) -> dict[str, str]:
    out = {}
    for s in analysis.symbols:
        if s.docstring and s.docstring.strip():
            out[s.id] = s.docstring.strip().splitlines()[0].strip()
    return out


def render_html(report: Report, analysis: Analysis) -> str:
    payload = build_graph_payload(analysis, service_of(analysis), report.colors, focus=report.focus)
    template = environment().get_template("report.html.j2")
    return template.render(
        report=report,
        summary=summary_line(report),
        kpis=kpis(report),
        chart=curve_chart(report.curve),
        matrix_rows=matrix_rows(report),
        docs=first_docstrings(analysis),
        graph_json=script_json(payload.to_json()),
        graph_units=len(payload.units),
        css=inline_code(read_asset("report.css")),
        layout_script=inline_code(read_asset("layout.js")),
        script=inline_code(read_asset("report.js")),
        vendor_script=inline_code(read_asset("vendor/cytoscape.min.js")),
        tool=dict(report.tool),
    )


__all__ = ["inline_code", "render_html", "script_json"]
