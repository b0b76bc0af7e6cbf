"""The one entry point the CLI calls: pick the format, render, write or print.

Terminal output goes to the given rich console; HTML, Markdown and JSON go to ``output``
(written atomically) or to stdout when no output is given.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rich.console import Console

from analyzer.analysis import Analysis
from analyzer.errors import UsageError

FORMATS = ("term", "html", "md", "json")


def render_text(doc: Analysis, *, fmt: str, service: str | None = None) -> str:
    """The HTML, Markdown or JSON report as a string."""
    from analyzer.report.content import build_report, narrow

    report = build_report(doc, service=service)
    if fmt == "html":
        from analyzer.report.html import render_html

        return render_html(report, doc)
    if service is not None:
        report = narrow(report, service)
    if fmt == "md":
        from analyzer.report.markdown import render_markdown

        return render_markdown(report)
    if fmt == "json":
        from analyzer.report.jsonout import render_json

        return render_json(report)
    raise UsageError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")


def render_report(
    doc: Analysis,
    *,
    fmt: str,
    output: Path | None,
    service: str | None,
    console: Console,
    scores_only: bool = False,
) -> None:
    """Render ``doc`` as ``fmt`` (term | html | md | json) to ``output`` or the screen.

    ``service`` narrows the report to one service (the terminal shows it as a tree; HTML
    opens focused on it); an unknown name is a :class:`UsageError` listing the known ones.
    ``scores_only`` prints just the scores table (``msa score``). The terminal format with
    an ``output`` writes the same tables as plain text.
    """
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    if fmt == "term":
        from analyzer.report import terminal
        from analyzer.report.content import build_report

        report = build_report(doc, service=service)
        target = console if output is None else Console(record=True, width=120, file=io.StringIO())
        if scores_only:
            terminal.render_scores(report, target)
        elif service is not None:
            terminal.render_service(report, service, target)
        else:
            terminal.render_terminal(report, target)
        if output is None:
            return
        text = target.export_text()  # plain text: a file gets no colour codes
    else:
        text = render_text(doc, fmt=fmt, service=service)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from analyzer.fsutil import write_text_atomic

        try:
            write_text_atomic(Path(output), text)
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


__all__ = ["FORMATS", "render_report", "render_text"]
