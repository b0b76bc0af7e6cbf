"""The Markdown report: the same content as the HTML page, for a pull request or a wiki.

Tables throughout, the dependency matrix as a table, and a Mermaid graph of the services
(GitHub and GitLab draw it; elsewhere it stays a readable code block).
"""

from __future__ import annotations

from analyzer.report.content import Report
from analyzer.report.resources import environment
from analyzer.report.text import plural


def summary_line(report: Report) -> str:
    """"13 files · 412 lines · 4 services · algorithm louvain": the figures a reader wants first."""
    counts = dict(report.counts)
    bits = []
    for key, word in (("files", "file"), ("lines", "line"), ("symbols", "symbol")):
        if isinstance(counts.get(key), int):
            bits.append(plural(counts[key], word))
    bits.append(plural(len(report.services), "service"))
    if report.algorithm:
        bits.append(f"algorithm {report.algorithm}")
    return " · ".join(bits)


def mermaid_edges(report: Report) -> list[tuple[int, int, int]]:
    """(from index, to index, call sites) for every non-empty cell of the matrix."""
    return [
        (i, j, w)
        for i, row in enumerate(report.matrix)
        for j, w in enumerate(row)
        if w and i != j
    ]


def render_markdown(report: Report) -> str:
    template = environment().get_template("report.md.j2")
    text = template.render(report=report, summary=summary_line(report), mermaid_edges=mermaid_edges(report))
    # collapse the blank-line runs that optional sections leave behind
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() == "" and (not lines or lines[-1] == ""):
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).rstrip("\n") + "\n"


__all__ = ["mermaid_edges", "render_markdown", "summary_line"]
