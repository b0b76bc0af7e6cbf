"""Where the report's templates live, and the strict Jinja environment that renders them.

An installed wheel carries ``templates/`` inside the package (pyproject's hatch
force-include); a source checkout has it next to the package. Both are tried, in that order.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from analyzer.errors import MsaError
from analyzer.templating import templates_root


def report_templates() -> Path:
    return templates_root() / "report"


def read_asset(relative: str) -> str:
    """Text of a static file under ``templates/report`` (CSS, JS, vendored libraries)."""
    path = report_templates() / relative
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MsaError(f"report asset missing: {path} ({exc.strerror})") from None


@cache
def _environment(root: str):
    import jinja2

    from analyzer.report import text

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        # HTML only: Markdown has its own escaping filter (see markdown.py)
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        wbr=_breakable,
        num=text.fmt_number,
        detail=text.fmt_detail,
        md=text.md_escape,
        code=text.md_code,
        mermaid=text.mermaid_label,
        plural=text.plural,
    )
    return env


def _breakable(value):
    """Escaped text with a line-break opportunity after every dot, for long dotted names."""
    from markupsafe import Markup, escape

    return Markup(str(escape(str(value))).replace(".", ".<wbr>"))


def environment():
    """The shared Jinja environment for ``templates/report`` (strict, autoescape for HTML)."""
    return _environment(str(report_templates()))


__all__ = ["environment", "read_asset", "report_templates", "templates_root"]
