"""The terminal report (rich): tables for the whole cut, a tree for one service.

Every name from the analyzed source goes into a ``rich.text.Text``, never into markup, so
``[bold]`` or ``[/]`` in a symbol name prints as itself.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from analyzer.interfaces import OutgoingCall
from analyzer.report.content import Report, ServiceReport
from analyzer.report.markdown import summary_line
from analyzer.report.scores import Scores
from analyzer.report.text import fmt_detail, fmt_number, plural

MAX_ROWS = 10  # rows per diagnostic list before "and N more"
MAX_CELL_LINES = 6  # names listed in one table cell before "and N more"
EXPLAIN_WIDTH = 140  # console width from which the scores table carries explanations


def _t(value, style: str = "") -> Text:
    return Text(str(value), style=style)


def _listed(items) -> Text:
    """One per line, at most ``MAX_CELL_LINES`` of them and a count of the rest: an entity of
    pretix's written from 25 functions took 50 lines of the terminal (the HTML and JSON
    reports list them all)."""
    items = list(items)
    shown = items if len(items) <= MAX_CELL_LINES else items[:MAX_CELL_LINES - 1]
    text = Text("\n".join(str(i) for i in shown))
    if len(shown) < len(items):
        text.append(f"\n… and {len(items) - len(shown)} more", style="dim")
    return text


def _num(value) -> Text:
    return Text(fmt_number(value), justify="right")


def _mode(call: OutgoingCall) -> Text:
    if call.mode == "sync":
        return Text("sync", style="bold cyan")
    return Text("event", style="bold magenta")


class _Name:
    """A service's name behind its coloured dot, wrapped at its hyphens when the column is
    narrow (``● volume-drivers-`` / ``  dell-emc-vnx``): cut anywhere, a long name left the dot
    alone on a line and split its words (``volume-drivers-data`` / ``core``)."""

    def __init__(self, name: str, color: str, style: str) -> None:
        self.name, self.color, self.style = name, color, style
        words = name.split("-")
        self.parts = [w + "-" for w in words[:-1]] + words[-1:]

    def __rich_measure__(self, console, options) -> Measurement:
        return Measurement(2 + max(len(p) for p in self.parts), 2 + len(self.name))

    def __rich_console__(self, console, options):
        width = max(options.max_width - 2, 1)
        lines: list[str] = [""]
        for part in self.parts:
            if lines[-1] and len(lines[-1]) + len(part) > width:
                lines.append("")
            lines[-1] += part
        for i, line in enumerate(lines):
            head = Text("● ", style=self.color) if i == 0 else Text("  ")
            text = head + _t(line, self.style)
            text.overflow = "fold"
            yield text


def _short(symbol: str, module: str | None = None) -> str:
    """A symbol id without its module prefix when the module is obvious from the context."""
    if module and symbol.startswith(module + "."):
        return symbol[len(module) + 1:]
    return symbol


# -- whole report ------------------------------------------------------------------------------


def header(report: Report) -> Text:
    text = Text()
    text.append("Decomposition of ", style="bold")
    text.append(report.title, style="bold")
    if report.root:
        text.append(f"  {report.root}", style="dim")
    text.append("\n" + summary_line(report), style="dim")
    return text


def services_table(report: Report) -> Table:
    table = Table(title="Services", title_justify="left", box=box.SIMPLE_HEAVY, show_footer=False,
                  padding=(0, 1), collapse_padding=True)
    # names tell the rows apart: they keep their width and wrap at their hyphens rather than
    # end in "…", and the numbers' headers wrap first (an 80-column pipe had "ckan-li…" three times)
    longest = max([len(s.name) for s in report.services] + [len("shared library")]) + 2
    table.add_column("service", min_width=min(longest, 20), overflow="fold")
    for col in ("units", "lines", "entities", "interface", "calls\nin", "calls\nout", "routes"):
        table.add_column(col, justify="right")
    for s in report.services:
        v = s.view
        assert v is not None
        table.add_row(
            _Name(s.name, s.color, "bold"),
            _num(s.units),
            _num(s.lines),
            _num(len(v.entities)),
            _num(len(v.interface)),
            _num(s.calls_in),
            _num(s.calls_out),
            _num(len(v.routes)),
        )
    if report.shared is not None:
        sh = report.shared
        table.add_row(
            Text("● ", style=sh.color) + _t("shared library", "dim"),
            _num(sh.units), _num(sh.lines), *(Text("–", justify="right", style="dim") for _ in range(5)),
            style="dim",
        )
    if not report.services:
        table.add_row(_t("no decomposition in this analysis", "yellow"), *("" for _ in range(7)))
    return table


def scores_table(scores: Scores, *, explain: bool) -> Table:
    table = Table(title="Scores", title_justify="left", box=box.SIMPLE_HEAVY)
    table.add_column("metric")
    table.add_column("this cut", justify="right", style="bold")
    for name in scores.baseline_names:
        table.add_column(scores.baseline_label(name), justify="right")
    table.add_column("better")
    if explain:
        table.add_column("meaning", style="dim", overflow="fold")
    for row in scores.rows:
        cells: list[Text] = [_t(row.label), _num(row.value)]
        for other, beats in zip(row.baselines, row.beats):
            mark = " ✓" if beats else (" ✗" if beats is False else "")
            style = "green" if beats else ("red" if beats is False else "")
            cells.append(Text(fmt_number(other), justify="right") + Text(mark, style=style))
        cells.append(_t({"higher": "↑ higher", "lower": "↓ lower"}.get(row.better or "", ""), "dim"))
        if explain:
            cells.append(_t(row.explanation))
        table.add_row(*cells)
    if not scores.rows:
        table.add_row(_t("no scores in this analysis", "yellow"))
    table.caption = "✓ this cut beats the baseline, ✗ it does not" if scores.baseline_names else None
    return table


def scores_group(scores: Scores, *, explain: bool) -> Group:
    """The scores table and, under it, the list- or mapping-valued figures."""
    parts: list = [scores_table(scores, explain=explain)]
    for d in scores.details:
        parts.append(Text.assemble((f"{d.label}: ", "bold"), (fmt_detail(d.value), "")))
    return Group(*parts)


def curve_line(report: Report) -> Text | None:
    """One line on how the number of services was chosen, with the score of every k."""
    curve = report.curve
    if curve.chosen is None and not curve.points:
        return None
    params = dict(curve.params)
    text = Text("Number of services: ", style="bold")
    text.append(str(curve.chosen if curve.chosen is not None else len(report.services)), style="bold")
    how = [f"{k.replace('_', ' ')} {v}" for k, v in (("algorithm", params.get("algorithm") or report.algorithm),
                                                  ("chosen_by", params.get("chosen_by"))) if v]
    if how:
        text.append(f"  ({', '.join(how)})", style="dim")
    if curve.marked is not None and curve.chosen is not None and curve.marked != curve.chosen:
        text.append(f"\ncut at k = {curve.marked} on the curve; folding fragments, balancing and setting "
                    f"aside what is tied to nothing gave {curve.chosen}", style="dim")
    if curve.layout_note:
        text.append(f"\n{curve.layout_note}", style="dim")
    if curve.points:
        text.append("\nscore by k: ", style="dim")
        for i, p in enumerate(curve.points):
            if i:
                text.append(" · ", style="dim")
            style = "bold green" if p.k == curve.marked else ""
            text.append(f"{p.k}: {fmt_number(p.score)}", style=style)
    return text


def calls_table(report: Report) -> Table:
    table = Table(title="Heaviest cross-service calls", title_justify="left", box=box.SIMPLE_HEAVY)
    table.add_column("from → to")
    table.add_column("caller → callee", overflow="fold")
    table.add_column("sites", justify="right")
    table.add_column("mode")
    for c in report.heaviest:
        table.add_row(
            _t(f"{c.source_service} → {c.target_service}"),
            _t(f"{c.caller} → {c.callee}"),
            _num(c.weight),
            _mode(c),
        )
    return table


def kept_out_table(report: Report) -> Table:
    """Modules many apps use that the shared library kept out, and why."""
    table = Table(title="Used by many apps, kept out of the shared library", title_justify="left", box=box.SIMPLE)
    table.add_column("module", overflow="fold")
    table.add_column("other apps", justify="right")
    table.add_column("why it stays with a service", overflow="fold")
    for module, apps, why in report.kept_out[:MAX_ROWS]:
        table.add_row(_t(module, "bold"), _num(apps), _t(why))
    return table


def risks_group(report: Report) -> Group:
    r = report.risks
    parts = []
    writes = Table(title="Entities written by several services", title_justify="left", box=box.SIMPLE)
    writes.add_column("entity", overflow="fold")  # the name is the point: wrapped, never cut
    writes.add_column("services", overflow="fold")
    writes.add_column("writers", overflow="fold")
    for w in r.shared_writes:
        writes.add_row(_t(w.entity, "bold"), _t(", ".join(w.services)), _listed(w.functions))
    parts.append(writes if r.shared_writes else _t("No entity is written by more than one service.", "green"))
    tx = Table(title="Transactions that would span services", title_justify="left", box=box.SIMPLE)
    tx.add_column("function", overflow="fold")
    tx.add_column("services")
    tx.add_column("entities", overflow="fold")
    for t in r.transactions:
        tx.add_row(_t(f"{t.function}  ({t.module}:{t.line})"), _t(", ".join(t.services)), _listed(t.entities))
    parts.append(tx if r.transactions else _t("No transaction writes entities of two services.", "green"))
    if r.tool_writes:
        tools = Table(title="Entities operational scripts write (set aside as tooling)", title_justify="left",
                      box=box.SIMPLE)
        tools.add_column("entity", overflow="fold")
        tools.add_column("owner")
        tools.add_column("scripts' writers", overflow="fold")
        for w in r.tool_writes[:MAX_ROWS]:
            tools.add_row(_t(w.entity, "bold"), _t(w.owner or "–"), _listed(w.functions))
        if len(r.tool_writes) > MAX_ROWS:
            tools.add_row(_t(f"… and {len(r.tool_writes) - MAX_ROWS} more", "dim"), "", "")
        parts.append(tools)
    chatty = Table(title="Chatty service pairs", title_justify="left", box=box.SIMPLE)
    chatty.add_column("from → to")
    chatty.add_column("call sites", justify="right")
    chatty.add_column("distinct calls", justify="right")
    for c in r.chatty[:MAX_ROWS]:
        chatty.add_row(_t(f"{c.source} → {c.target}"), _num(c.weight), _num(c.calls))
    if r.chatty:
        parts.append(chatty)
    return Group(*parts)


def _file_table(title: str, entries, columns: tuple[tuple[str, str], ...], cells) -> Table:
    """The first ``MAX_ROWS`` files of a diagnostic list, then a count of the rest."""
    table = Table(title=f"{title} ({len(entries)})", title_justify="left", box=box.SIMPLE)
    for name, justify in columns:
        table.add_column(name, justify=justify, overflow="fold")
    for e in entries[:MAX_ROWS]:
        table.add_row(*cells(e))
    if len(entries) > MAX_ROWS:
        table.add_row(_t(f"… and {len(entries) - MAX_ROWS} more", "dim"), *[""] * (len(columns) - 1))
    return table


def diagnostics(report: Report) -> Group:
    parts = []
    if report.parse_errors:
        parts.append(_file_table(
            "Files that did not parse", report.parse_errors, (("file", "left"), ("line", "right"), ("problem", "left")),
            lambda e: (_t(e.get("path", "?")), _num(e.get("line")), _t(e.get("message", "")))))
    else:
        parts.append(_t("Every file parsed.", "green"))
    if report.skipped:
        parts.append(_file_table("Files left out", report.skipped, (("file", "left"), ("why", "left")),
                                 lambda e: (_t(e.get("path", "?")), _t(e.get("message", "")))))
    line = Text(f"Unresolved calls: {report.unresolved_count:,}", style="bold" if report.unresolved_count else "")
    if report.unresolved_top:
        line.append("  most frequent: ", style="dim")
        line.append(", ".join(f"{expr} ×{n}" for expr, n in report.unresolved_top[:5]))
    parts.append(line)
    return Group(*parts)


def _print(console: Console, *renderables, **kwargs) -> None:
    # the CLI's console soft-wraps (good for plain lines); trees and long names must wrap
    # at the console width instead of being cut off
    console.print(*renderables, soft_wrap=False, **kwargs)


def render_terminal(report: Report, console: Console) -> None:
    _print(console, header(report))
    _print(console, services_table(report))
    _print(console, scores_group(report.scores, explain=console.width >= EXPLAIN_WIDTH))
    line = curve_line(report)
    if line is not None:
        _print(console, line)
    if report.heaviest:
        _print(console, calls_table(report))
    if report.kept_out:
        _print(console, kept_out_table(report))
    _print(console, risks_group(report))
    _print(console, diagnostics(report))


def render_scores(report: Report, console: Console) -> None:
    """Only the scores, for ``msa score``."""
    _print(console, scores_group(report.scores, explain=console.width >= EXPLAIN_WIDTH))


# -- one service --------------------------------------------------------------------------------


def service_tree(report: Report, service: ServiceReport) -> Tree:
    v = service.view
    assert v is not None
    label = Text("● ", style=service.color) + _t(service.name, "bold")
    label.append(
        f"  {plural(service.units, 'unit')} · {plural(service.lines, 'line')} · "
        f"{plural(len(v.entities), 'entity', 'entities')} · {plural(len(v.interface), 'interface function')}",
        style="dim",
    )
    tree = Tree(label)

    modules = tree.add(_t(f"Modules ({len(service.groups)})", "bold"))
    for g in service.groups:
        branch = modules.add(_t(g.module, "cyan"))
        for u in g.units:
            if u.kind == "module":
                branch.add(_t(f"top-level code · {plural(u.lines, 'line')}", "dim"))
            else:
                branch.add(Text.assemble((u.kind + " ", "dim"), (u.name, ""),
                                         (f"  line {u.line} · {plural(u.lines, 'line')}", "dim")))

    iface = tree.add(_t(f"Interface ({len(v.interface)})", "bold"))
    for f in v.interface:
        text = Text()
        if f.is_async:
            text.append("async ", style="dim")
        text.append(_short(f.symbol), style="bold")
        text.append(f.signature or "(…)")
        text.append(f"  ← {', '.join(f.caller_services)} · {plural(f.weight, 'site')}", style="dim")
        if f.untyped:
            text.append("  untyped: permissive model", style="yellow")
        iface.add(text)
    if not v.interface:
        iface.add(_t("nothing is called from other services", "dim"))

    data = tree.add(_t("Entities", "bold"))
    for e in v.entities:
        data.add(Text.assemble(("owns ", "dim"), (e, "")))
    for e in v.reads_foreign:
        data.add(Text.assemble(("reads foreign ", "yellow"), (e, "")))
    for e in v.writes_foreign:
        data.add(Text.assemble(("writes foreign ", "red"), (e, "")))
    if not (v.entities or v.reads_foreign or v.writes_foreign):
        data.add(_t("none", "dim"))

    routes = tree.add(_t(f"Entry points ({len(v.routes)})", "bold"))
    for r in v.routes:
        what = f"{' '.join(r.methods)} {r.path}".strip() if r.kind == "http" else f"{r.kind} {r.path if r.kind == 'websocket' else r.name or r.id}"
        routes.add(Text.assemble((what, ""), (f"  → {r.handler or '?'}", "dim")))
    if not v.routes:
        routes.add(_t("none", "dim"))

    out = tree.add(_t(f"Outgoing calls ({len(v.outgoing)})", "bold"))
    for c in sorted(v.outgoing, key=lambda c: (c.target_service, c.callee, c.caller)):
        out.add(_mode(c) + Text.assemble(
            (f"  {c.caller} → ", ""), (c.callee, "bold"), (f"  [{c.target_service}] ×{c.weight}", "dim")))
    if not v.outgoing:
        out.add(_t("none", "dim"))

    inc = tree.add(_t(f"Incoming calls ({len(v.incoming)})", "bold"))
    for c in v.incoming:
        inc.add(_mode(c) + Text.assemble(
            (f"  {c.caller}", ""), (f" [{c.source_service}]", "dim"), (" → ", ""), (c.callee, "bold"),
            (f" ×{c.weight}", "dim")))
    if not v.incoming:
        inc.add(_t("none", "dim"))
    return tree


def render_service(report: Report, name: str, console: Console) -> None:
    _print(console, service_tree(report, report.service(name)))
    legend = Text.assemble(("sync", "bold cyan"), " the caller uses the result: an HTTP call.  ",
                           ("event", "bold magenta"), " every call site ignores it: an event candidate.")
    _print(console, legend, style="dim")


__all__ = ["render_scores", "render_service", "render_terminal", "service_tree"]
