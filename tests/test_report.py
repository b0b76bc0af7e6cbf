"""The clustering report: content, scores, terminal, Markdown, JSON and the CLI.

Figures are derived by hand from tests/fixtures/report/shopdoc.py (four services plus a
shared library); HTML and the browser have their own test files.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from analyzer.analysis import save
from analyzer.cli import app
from analyzer.errors import UsageError
from analyzer.model import SHARED, Decomposition, Service
from analyzer.report import build_report, render_report, render_text
from analyzer.report.content import narrow
from analyzer.report.jsonout import REPORT_SCHEMA
from analyzer.report.markdown import mermaid_edges
from analyzer.report.scores import HIGHER, LOWER, build_scores
from analyzer.report.text import fmt_detail, fmt_number, md_code, md_escape, mermaid_label

_spec = importlib.util.spec_from_file_location(
    "report_shopdoc", Path(__file__).parent / "fixtures" / "report" / "shopdoc.py"
)
shopdoc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shopdoc)

PLACE = "shop.orders.services.OrderService.place"
GET = "shop.catalog.services.get_product"


def record(width: int = 160) -> Console:
    return Console(record=True, width=width, file=io.StringIO(), color_system=None)


# -- content -------------------------------------------------------------------------------------


def test_services_are_counted_from_the_views():
    report = build_report(shopdoc.shop())
    by_name = {s.name: s for s in report.services}
    assert list(by_name) == ["accounts", "catalog", "orders", "payments"]
    orders = by_name["orders"]
    # place: get_product 3 + reserve 2 + charge 2 + audit 1; cancel: release 1 + refund 1;
    # create_order: current_user 1
    assert orders.calls_out == 11
    assert orders.calls_in == 0
    assert by_name["catalog"].calls_in == 6 and by_name["catalog"].calls_out == 1
    assert by_name["accounts"].calls_in == 4
    assert [g.module for g in by_name["catalog"].groups] == [
        "shop.catalog.models", "shop.catalog.services", "shop.catalog.views"]
    # the catalog's units: 3 module top levels, Product, Stock, 3 functions and the view function
    assert by_name["catalog"].units == 9
    assert report.shared is not None and report.shared.units == 5
    assert {u.id for g in report.shared.groups for u in g.units} == {
        "shop", "shop.common", "shop.common.money", "shop.common.money.fmt", "shop.common.money.Money"}


def test_risks_matrix_and_heaviest_calls():
    report = build_report(shopdoc.shop())
    assert report.matrix_names == ("accounts", "catalog", "orders", "payments")
    assert report.matrix[2] == (2, 6, 0, 3)  # orders -> accounts, catalog, payments
    assert [w.entity for w in report.risks.shared_writes] == ["entity:shop.catalog.models.Stock"]
    assert [t.function for t in report.risks.transactions] == [PLACE]
    assert (report.risks.chatty[0].source, report.risks.chatty[0].target) == ("orders", "catalog")
    top = report.heaviest[0]
    assert (top.caller, top.callee, top.weight, top.mode) == (PLACE, GET, 3, "sync")
    weights = [c.weight for c in report.heaviest]
    assert weights == sorted(weights, reverse=True)


def test_writes_of_operational_scripts_are_a_risk_in_every_format():
    """A backfill set aside as tooling (shared rule ``tooling``) writes an entity a service
    owns: the report names the entity, its owner and the script's writer."""
    from analyzer.model import Edge

    doc = shopdoc.shop()
    doc.clustering["shared"][0]["rule"] = "tooling"  # shop.common.money, a unit of the shared library
    writer = "shop.common.money.fmt"
    doc.edges.append(Edge(writer, "entity:shop.catalog.models.Product", "write", 4))
    report = build_report(doc)
    assert [(w.entity, w.owner, w.functions) for w in report.risks.tool_writes] == [
        ("entity:shop.catalog.models.Product", "catalog", (writer,))]
    console = record()
    render_report(doc, fmt="term", output=None, service=None, console=console)
    assert "Entities operational scripts write" in console.export_text()
    assert "Entities operational scripts write" in render_text(doc, fmt="md")
    assert "Entities operational scripts write" in render_text(doc, fmt="html")
    data = json.loads(render_text(doc, fmt="json"))
    assert data["risks"]["tool_writes"] == [{"entity": "entity:shop.catalog.models.Product", "owner": "catalog",
                                              "functions": [writer]}]
    # one service's report keeps what its own data takes part in
    assert json.loads(render_text(doc, fmt="json", service="catalog"))["risks"]["tool_writes"]
    assert not json.loads(render_text(doc, fmt="json", service="orders"))["risks"]["tool_writes"]
    # the plain library writes nothing the report lists
    assert not build_report(shopdoc.shop()).risks.tool_writes


def test_files_left_out_on_purpose_are_not_called_parse_failures():
    # jumpserver's apps/__init__.py (its folder is the import root), readthedocs' docs/: left
    # out, not broken; they had been listed under "Files that did not parse"
    doc = shopdoc.shop()
    doc = dataclasses.replace(doc, parse_errors=[*doc.parse_errors, {
        "path": "docs/", "line": None, "message": "documentation: a Sphinx folder", "kind": "skipped"}])
    report = build_report(doc)
    assert [e["path"] for e in report.parse_errors] == ["shop/legacy/broken.py", "shop/legacy/latin1.py"]
    assert [e["path"] for e in report.skipped] == ["docs/"]
    console = record()
    render_report(doc, fmt="term", output=None, service=None, console=console)
    out = console.export_text()
    assert "Files that did not parse (2)" in out and "Files left out (1)" in out
    assert "documentation: a Sphinx folder" in render_text(doc, fmt="md")
    assert json.loads(render_text(doc, fmt="json"))["diagnostics"]["skipped"][0]["path"] == "docs/"


def test_curve_and_diagnostics_are_read():
    report = build_report(shopdoc.shop())
    assert report.curve.chosen == 4
    assert [p.k for p in report.curve.points] == [2, 3, 4, 5, 6]
    assert dict(report.curve.points[0].extra) == {"modularity": 0.30}
    assert dict(report.curve.params) == {"algorithm": "louvain", "chosen_by": "curve", "seed": 0}
    assert dict(report.curve.shared_rules) == {"shop": "wiring", "shop.common.money": "library"}
    assert [e["path"] for e in report.parse_errors] == ["shop/legacy/broken.py", "shop/legacy/latin1.py"]
    assert report.unresolved_count == 17
    assert report.unresolved_top[0] == ("request.args.get", 9)


def test_the_curve_marks_the_k_it_was_cut_at_when_folds_left_fewer_services():
    """nautobot: the curve was cut at 30 and the folds and strays left 16 services; the
    chart marked k = 16, a point of the curve the clustering never picked (score 0.037)."""
    doc = shopdoc.shop()
    doc.clustering = {**doc.clustering, "k": 3, "curve_k": 5}
    report = build_report(doc)
    assert (report.curve.chosen, report.curve.marked) == (3, 5)
    md = render_text(doc, fmt="md")
    assert "| **5** (cut) | 0.400 |" in md and "(chosen)" not in md
    assert "cut at k = 5 communities" in md and "gave 3 services" in md
    html = render_text(doc, fmt="html")
    assert "cut at k = 5</text>" in html and '<tr class="chosen"><td class="num">5 ◀</td>' in html
    assert 'text-anchor="end">cut at k = 5</text>' in html  # past the middle: left of its line, inside
    console = record()
    render_report(doc, fmt="term", output=None, service=None, console=console)
    assert "cut at k = 5 on the curve" in console.export_text()


def test_unknown_service_names_the_known_ones():
    with pytest.raises(UsageError) as err:
        build_report(shopdoc.shop(), service="billing")
    message = str(err.value)
    assert "unknown service 'billing'" in message
    assert "accounts, catalog, orders, payments" in message
    assert "\n" not in message


def test_unknown_service_without_decomposition():
    doc = dataclasses.replace(shopdoc.shop(), decomposition=None)
    with pytest.raises(UsageError, match="no decomposition"):
        build_report(doc, service="orders")


def test_narrow_keeps_what_the_service_takes_part_in():
    report = narrow(build_report(shopdoc.shop()), "payments")
    assert [s.name for s in report.services] == ["payments"]
    assert report.shared is None
    assert report.risks.shared_writes == () and report.risks.transactions == ()
    assert {(c.source, c.target) for c in report.risks.chatty} == {("orders", "payments"), ("payments", "accounts")}
    assert all("payments" in (c.source_service, c.target_service) for c in report.heaviest)


# -- scores --------------------------------------------------------------------------------------


def test_scores_known_first_then_generic():
    scores = build_scores(shopdoc.shop().metrics, shopdoc.shop().baselines)
    keys = [r.key for r in scores.rows]
    assert keys[:3] == ["modularity", "mq", "sm"]
    assert keys[-1] == "coupling_entropy"
    assert "lines.min" in keys and "lines.median" in keys and "lines.max" in keys
    assert "service_lines" not in keys and "multi_writer_entities" not in keys
    assert scores.baseline_names == ("one-per-package", "monolith")
    rows = {r.key: r for r in scores.rows}
    assert rows["modularity"].better == HIGHER and rows["modularity"].beats == (True, True)
    assert rows["icp"].better == LOWER and rows["icp"].beats == (True, False)
    assert rows["services"].beats == (None, None)
    assert rows["coupling_entropy"].explanation == "" and rows["coupling_entropy"].baselines == (None, None)
    assert all(r.explanation for r in scores.rows if r.key != "coupling_entropy")
    details = {d.key: d.value for d in scores.details}
    assert details["multi_writer_entities"] == ["entity:shop.catalog.models.Stock"]
    assert details["service_lines"]["orders"] == 130


def test_scores_without_baselines_or_metrics():
    assert build_scores({}, {}).rows == ()
    only = build_scores({"modularity": 0.5}, {})
    assert only.baseline_names == () and only.rows[0].beats == ()


# -- text helpers --------------------------------------------------------------------------------


def test_number_formatting():
    assert fmt_number(None) == "–"
    assert fmt_number(12345) == "12,345"
    assert fmt_number(0.41234) == "0.412"
    assert fmt_number(302.0) == "302"
    assert fmt_number(4502.5) == "4,502.5"  # the median of an even number of services' lines
    assert fmt_number(961.5) == "961.5"
    assert fmt_number(11.4372) == "11.437"
    assert fmt_number(True) == "yes"
    assert fmt_number({"b": 2, "a": 1.5}) == "a: 1.500, b: 2"
    assert fmt_detail([]) == "none"


def test_markdown_escaping():
    assert md_escape("a|b <script>&") == "a\\|b &lt;script&gt;&amp;"
    assert md_escape("two\nlines") == "two lines"
    assert md_escape("[link](x)") == "\\[link\\](x)"
    assert md_code("a`b") == "``a`b``"
    assert md_code("x|y") == "`x\\|y`"
    assert mermaid_label('a"b<c>') == '"a#quot;b#lt;c#gt;"'


# -- Markdown ------------------------------------------------------------------------------------


def _outside_code(md: str) -> str:
    """Markdown with inline code spans and fenced blocks removed."""
    md = re.sub(r"```.*?```", "", md, flags=re.DOTALL)
    return re.sub(r"(`+).*?\1", "", md)


def test_markdown_has_every_section():
    md = render_text(shopdoc.shop(), fmt="md")
    for heading in ("# Decomposition of shop", "## Services", "## Scores", "### How the number of services",
                    "## Dependencies between services", "## Heaviest cross-service calls",
                    "## Services in detail", "### catalog", "### Shared library", "## Risks",
                    "### Entities written by several services", "### Transactions that would span services",
                    "### Chatty service pairs", "## Diagnostics"):
        assert heading in md, heading
    assert "| **orders** | 6 | 130 | 1 | 0 | 0 | 11 | 1 |" in md
    assert "| **orders** | 2 | 6 | · | 3 |" in md  # the matrix row
    assert "```mermaid" in md and "s2 -->|6| s1" in md
    assert "| **4** (chosen) | 0.440 | 0.410 |" in md
    assert "`(pid, qty)` | orders | 2 | untyped: permissive model |" in md
    assert "| event | `shop.orders.services.OrderService.place` | `shop.catalog.services.reserve` |" in md
    assert "- GET `/search` → `shop.catalog.views.search`" in md
    assert "- **writes** `entity:shop.catalog.models.Stock`, owned by another service" in md
    assert "| `shop.common.money` | 3 | library |" in md
    assert "Unresolved calls: **17**" in md
    assert md.endswith("\n") and "\n\n\n" not in md


def test_markdown_tables_are_well_formed():
    md = render_text(shopdoc.hostile(), fmt="md")
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and i + 1 < len(lines) and set(lines[i + 1]) <= set("|-: "):
            width = _cells(line)
            j = i + 2
            while j < len(lines) and lines[j].startswith("|"):
                assert _cells(lines[j]) == width, lines[j]
                j += 1


def _cells(row: str) -> int:
    return len(re.split(r"(?<!\\)\|", _outside_code_keep_pipes(row))) - 2


def _outside_code_keep_pipes(row: str) -> str:
    return re.sub(r"(`+).*?\1", "code", row)


def test_markdown_hostile_names_only_inside_code():
    md = render_text(shopdoc.hostile(), fmt="md")
    assert "<script" not in _outside_code(md)
    assert "<img" not in _outside_code(md)
    assert "accounts&lt;script&gt;alert(1)&lt;/script&gt;" in md  # the service name, escaped in prose
    assert "`shop.catalog.views.<script>alert(1)</script>`" in md  # a symbol, verbatim in code
    assert 's0["accounts#lt;script#gt;alert(1)#lt;/script#gt;"]' in md


def test_markdown_for_one_service():
    md = render_text(shopdoc.shop(), fmt="md", service="catalog")
    assert md.startswith("# Service catalog in the decomposition of shop")
    assert "### catalog" in md and "### orders" not in md
    assert "## Dependencies between services" not in md
    assert "## Scores" in md


def test_markdown_without_decomposition():
    md = render_text(dataclasses.replace(shopdoc.shop(), decomposition=None), fmt="md")
    assert "The analysis has no decomposition." in md


# -- JSON ----------------------------------------------------------------------------------------


def test_json_report_content():
    data = json.loads(render_text(shopdoc.shop(), fmt="json"))
    assert data["schema"] == REPORT_SCHEMA
    services = {s["name"]: s for s in data["services"]}
    assert list(services) == ["accounts", "catalog", "orders", "payments"]
    catalog = services["catalog"]
    iface = {f["symbol"]: f for f in catalog["interface"]}
    assert iface[GET]["signature"] == "(pid: int) -> Product"
    assert iface[GET]["caller_services"] == ["orders"] and iface[GET]["weight"] == 3
    assert iface["shop.catalog.services.reserve"]["untyped"] is True
    modes = {(c["caller"], c["callee"]): c["mode"] for c in services["orders"]["outgoing"]}
    assert modes[(PLACE, GET)] == "sync"
    assert modes[(PLACE, "shop.catalog.services.reserve")] == "event"
    assert [r["path"] for r in catalog["routes"]] == ["/search"]
    assert services["orders"]["writes_foreign"] == ["entity:shop.catalog.models.Stock"]
    assert data["shared"]["units"] == 5
    assert data["metrics"]["modularity"] == 0.412
    assert data["baselines"]["monolith"]["modularity"] == 0.0
    assert data["details"]["service_lines"]["orders"] == 130
    row = next(r for r in data["scores"] if r["key"] == "icp")
    assert row["beats"] == {"one-per-package": True, "monolith": False}
    assert data["matrix"]["weights"][2] == [2, 6, 0, 3]
    assert data["risks"]["transactions"][0]["services"] == ["catalog", "orders"]
    assert data["clustering"]["k"] == 4 and len(data["clustering"]["curve"]) == 5
    assert data["diagnostics"]["unresolved"]["count"] == 17


def test_json_is_deterministic_and_narrows():
    assert render_text(shopdoc.shop(), fmt="json") == render_text(shopdoc.shop(), fmt="json")
    one = json.loads(render_text(shopdoc.shop(), fmt="json", service="orders"))
    assert one["focus"] == "orders" and [s["name"] for s in one["services"]] == ["orders"]


# -- terminal ------------------------------------------------------------------------------------


def test_terminal_report_sections():
    console = record()
    render_report(shopdoc.shop(), fmt="term", output=None, service=None, console=console)
    out = console.export_text()
    for text in ("Decomposition of shop", "Services", "Scores", "one per package", "monolith",
                 "Heaviest cross-service calls", "Entities written by several services",
                 "Transactions that would span services", "Chatty service pairs", "Files that did not parse (2)",
                 "Unresolved calls: 17", "Number of services: 4", "shared library", "Lines per service"):
        assert text in out, text
    assert re.search(r"orders\s+6\s+130\s+1\s+0\s+0\s+11\s+1", out)
    assert re.search(r"Modularity Q\s+0\.412\s+0\.350 ✓\s+0\.000 ✓", out)
    assert re.search(r"Inter-call percentage\s+0\.340\s+0\.410 ✓\s+0\.000 ✗", out)
    assert "Newman's Q" in out  # wide console: explanations shown


def test_terminal_names_are_not_markup():
    doc = shopdoc.shop()
    services = tuple(
        dataclasses.replace(s, name="[bold red]evil[/]") if s.name == "payments" else s
        for s in doc.decomposition.services
    )
    doc = dataclasses.replace(doc, decomposition=dataclasses.replace(doc.decomposition, services=services))
    console = record()
    render_report(doc, fmt="term", output=None, service=None, console=console)
    assert "[bold red]evil[/]" in console.export_text()


def test_a_long_service_name_wraps_at_its_hyphens_beside_its_dot_on_80_columns():
    """cinder's ``volume-drivers-dell-emc-powerflex`` in an 80-column terminal: the name wraps
    between its words, the first part stays beside the dot and the numbers stay whole."""
    doc = shopdoc.shop()
    long_name = "volume-drivers-dell-emc-powerflex"
    services = tuple(dataclasses.replace(s, name=long_name) if s.name == "orders" else s
                     for s in doc.decomposition.services)
    doc = dataclasses.replace(doc, decomposition=dataclasses.replace(doc.decomposition, services=services))
    console = record(width=80)
    render_report(doc, fmt="term", output=None, service=None, console=console)
    lines = console.export_text().splitlines()
    first = next(i for i, line in enumerate(lines) if "● volume-" in line)
    assert re.search(r"● volume-drivers-\s+6\s+130\s+1\s+0\s+0\s+11\s+1", lines[first])
    parts = [line.strip() for line in lines[first + 1:first + 3]]
    assert parts == ["dell-emc-", "powerflex"]  # cut between words, never inside one
    assert not any(line.strip() == "●" for line in lines)
    wide = record(width=160)
    render_report(doc, fmt="term", output=None, service=None, console=wide)
    assert re.search(r"● volume-drivers-dell-emc-powerflex\s+6\s+130", wide.export_text())


def test_terminal_service_tree():
    console = record()
    render_report(shopdoc.hostile(), fmt="term", output=None, service="catalog", console=console)
    out = console.export_text()
    assert out.splitlines()[0].startswith("● catalog")
    for text in ("Modules (3)", "shop.catalog.views", "function <script>alert(1)</script>",
                 "Interface (3)", "shop.catalog.services.get_product(pid: int) -> Product",
                 "async shop.catalog.services.release(pid: int, qty: int) -> None",
                 "untyped: permissive model", "owns entity:shop.catalog.models.Stock",
                 "GET </script><script>alert('route')</script>", "Outgoing calls (1)", "Incoming calls (3)"):
        assert text in out, text
    assert re.search(r"sync\s+shop\.catalog\.views\.<script>alert\(1\)</script> → shop\.accounts", out)
    assert re.search(r"event\s+shop\.orders\.services\.OrderService\.cancel \[orders\] → "
                     r"shop\.catalog\.services\.release", out)


def test_scores_only():
    console = record(width=100)
    render_report(shopdoc.shop(), fmt="term", output=None, service=None, console=console, scores_only=True)
    out = console.export_text()
    assert "Scores" in out and "Modularity Q" in out
    assert "Heaviest cross-service calls" not in out and "Chatty" not in out
    assert "Newman's Q" not in out  # narrow console: no explanation column


def test_terminal_without_decomposition():
    console = record()
    doc = dataclasses.replace(shopdoc.shop(), decomposition=None)
    render_report(doc, fmt="term", output=None, service=None, console=console)
    assert "no decomposition in this analysis" in console.export_text()


# -- render_report -------------------------------------------------------------------------------


def test_render_report_writes_files(tmp_path):
    for fmt, marker in (("html", "<!DOCTYPE html>"), ("md", "# Decomposition"), ("json", '"schema"'),
                        ("term", "Decomposition of shop")):
        out = tmp_path / "out" / f"report.{fmt}"
        render_report(shopdoc.shop(), fmt=fmt, output=out, service=None, console=record())
        text = out.read_text(encoding="utf-8")
        assert marker in text
        assert "\x1b[" not in text  # plain text, even for the terminal format
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "report.html", "report.json", "report.md", "report.term"]  # no temporary files left


def test_render_report_prints_to_stdout(capsys):
    render_report(shopdoc.shop(), fmt="md", output=None, service=None, console=record())
    assert capsys.readouterr().out.startswith("# Decomposition of shop")


def test_render_report_rejects_bad_format():
    with pytest.raises(UsageError, match="--format"):
        render_report(shopdoc.shop(), fmt="pdf", output=None, service=None, console=record())


# -- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def analysis_file(tmp_path) -> Path:
    path = tmp_path / "msa-analysis.json"
    save(shopdoc.shop(), path)
    return path


def test_cli_report_formats(analysis_file, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(analysis_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema"] == REPORT_SCHEMA
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(analysis_file), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = runner.invoke(app, ["report", str(analysis_file)])
    assert result.exit_code == 0, result.output
    assert "Decomposition of shop" in result.stdout
    result = runner.invoke(app, ["report", str(analysis_file), "--service", "orders"])
    assert result.exit_code == 0, result.output
    assert "Outgoing calls (7)" in result.stdout


def test_cli_report_format_follows_the_output_suffix(analysis_file, tmp_path):
    runner = CliRunner()
    for name, start in (("r.html", "<!DOCTYPE html>"), ("r.md", "#"), ("r.json", "{")):
        out = tmp_path / name
        result = runner.invoke(app, ["report", str(analysis_file), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_text(encoding="utf-8").lstrip().startswith(start), name
    out = tmp_path / "forced.html"
    result = runner.invoke(app, ["report", str(analysis_file), "--format", "md", "-o", str(out)])
    assert result.exit_code == 0 and not out.read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_cli_report_html_shorthand(analysis_file, tmp_path):
    runner = CliRunner()
    out = tmp_path / "page"  # no suffix needed
    result = runner.invoke(app, ["report", str(analysis_file), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = runner.invoke(app, ["report", str(analysis_file), "--html", str(out), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 2 and "--html" in result.output


def test_cli_unknown_service_is_a_usage_error(analysis_file):
    result = CliRunner().invoke(app, ["report", str(analysis_file), "--service", "billing"])
    assert result.exit_code == 2
    assert "unknown service 'billing'; known services: accounts, catalog, orders, payments" in result.output
    assert "Traceback" not in result.output


def test_cli_score_prints_only_scores(analysis_file, tmp_path):
    from analyzer.plan import write_plan

    doc = shopdoc.shop()
    # move the payments members to orders and score that plan
    services = [s for s in doc.decomposition.services if s.name not in ("orders", "payments")]
    orders = doc.decomposition.service("orders")
    payments = doc.decomposition.service("payments")
    services.append(Service("orders", orders.members + payments.members, orders.entities + payments.entities))
    plan = tmp_path / "plan.toml"
    write_plan(Decomposition(tuple(services), shared=doc.decomposition.shared), plan)
    result = CliRunner().invoke(app, ["score", str(plan), "--analysis", str(analysis_file)])
    assert result.exit_code == 0, result.output
    assert "Modularity Q" in result.stdout and "Heaviest" not in result.stdout
    assert re.search(r"Services\s+3\s", result.stdout)


def test_shared_is_not_a_service_name():
    with pytest.raises(UsageError):
        build_report(shopdoc.shop(), service=SHARED)


def test_mermaid_edges_follow_the_matrix():
    report = build_report(shopdoc.shop())
    assert mermaid_edges(report) == [(1, 0, 1), (2, 0, 2), (2, 1, 6), (2, 3, 3), (3, 0, 1)]


def test_a_tree_laid_out_by_layer_is_said_with_its_features():
    doc = shopdoc.shop()
    doc = dataclasses.replace(doc, clustering={**doc.clustering, "sliced": ["app", "db"],
                                               "features": [f"f{i:02d}" for i in range(14)]})
    note = ("Laid out by technical layer (app, db): the services follow the 14 features named across those "
            "folders (f00, f01, f02, f03, f04, f05, f06, f07, f08, f09, f10, f11 and 2 more).")
    assert build_report(doc).curve.layout_note == note
    assert note in render_text(doc, fmt="md")
    assert "Laid out by technical layer" in render_text(doc, fmt="html")
    assert json.loads(render_text(doc, fmt="json"))["clustering"]["layout_note"] == note
    console = record()
    render_report(doc, fmt="term", output=None, service=None, console=console)
    assert "Laid out by technical layer (app, db)" in console.export_text()
    assert build_report(shopdoc.shop()).curve.layout_note is None  # laid out by app: nothing to say


def test_numbers_never_show_a_negative_zero():
    from analyzer.report.text import fmt_number

    assert [fmt_number(v) for v in (-0.0, -0.0001, -0.5, 1234.0)] == ["0.000", "0.000", "-0.500", "1,234"]
