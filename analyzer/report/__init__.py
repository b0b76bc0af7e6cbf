"""The clustering report: terminal (rich), self-contained HTML, Markdown and JSON.

``render_report`` is what the CLI calls; ``build_report`` gives the format-independent
content, which the four renderers only lay out.
"""

from analyzer.report.content import Report, build_report
from analyzer.report.render import FORMATS, render_report, render_text

__all__ = ["FORMATS", "Report", "build_report", "render_report", "render_text"]
