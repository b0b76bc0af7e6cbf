"""The self-contained HTML report: escaping, offline use, graph payload, large analyses."""

from __future__ import annotations

import importlib.util
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analyzer.interfaces import service_of
from analyzer.report import build_report, render_text, resources
from analyzer.report.graphdata import GRAPH_KINDS, MAX_LAYOUT_NODES, build_graph_payload
from analyzer.report.html import inline_code, script_json

_spec = importlib.util.spec_from_file_location(
    "report_shopdoc", Path(__file__).parent / "fixtures" / "report" / "shopdoc.py"
)
shopdoc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shopdoc)

OWN_SCRIPTS = 5  # error catcher, data, Cytoscape.js, layout, page script


class Scripts(HTMLParser):
    """Collects every element, and the text of each <script>, as a browser tokenizer would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.tags: list[tuple[str, dict]] = []
        self._in: dict | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in, self._buf = dict(attrs), []

    def handle_data(self, data):
        if self._in is not None:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in is not None:
            self.scripts.append((self._in, "".join(self._buf)))
            self._in = None


def parse(html: str) -> Scripts:
    p = Scripts()
    p.feed(html)
    p.close()
    return p


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_text(shopdoc.hostile(), fmt="html")


@pytest.fixture(scope="module")
def shop_html() -> str:
    return render_text(shopdoc.shop(), fmt="html")


# -- escaping ------------------------------------------------------------------------------------


def test_hostile_text_is_escaped(hostile_html):
    assert "<script>alert" not in hostile_html
    assert "<img src=x" not in hostile_html
    # the function name, the service name, the route path and the docstring, escaped
    assert "views.&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "accounts&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;route&#39;)&lt;/script&gt;" in hostile_html
    assert "Docstring &lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; more" in hostile_html


def test_hostile_text_cannot_leave_the_data_block(hostile_html):
    page = parse(hostile_html)
    assert len(page.scripts) == OWN_SCRIPTS
    assert [t for t, _ in page.tags if t in ("img", "iframe", "object", "embed")] == []
    data = [text for attrs, text in page.scripts if attrs.get("type") == "application/json"]
    assert len(data) == 1
    assert not re.search(r"[<>&]", data[0])
    payload = json.loads(data[0])
    ids = {u[5] for u in payload["units"]}
    assert f"shop.catalog.views.{shopdoc.XSS}" in ids
    assert f"accounts{shopdoc.XSS}" in {s["name"] for s in payload["services"]}
    assert shopdoc.DOC_XSS in {u[7] for u in payload["units"]}


def test_script_json_escapes_markup():
    text = str(script_json({"name": "</script><!-- & \u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "</script><!-- & \u2028"}


def test_inline_code_cannot_close_its_element():
    assert str(inline_code("a = '</script>'; b = '</STYLE>'")) == "a = '<\\/script>'; b = '<\\/STYLE>'"


# -- self-contained ------------------------------------------------------------------------------


def test_page_is_self_contained(shop_html):
    page = parse(shop_html)
    for tag, attrs in page.tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not re.match(r"(https?:)?//", value), (tag, attrs)
    assert "<link" not in shop_html
    assert "@import" not in shop_html
    assert not re.search(r"url\((['\"])?(https?:)?//", shop_html)
    assert all(not attrs.get("src") for attrs, _ in page.scripts)
    assert "cytoscape" in page.scripts[2][1][:400].lower()  # the vendored library, inlined


def test_vendored_library_and_licence():
    vendor = resources.report_templates() / "vendor"
    js = (vendor / "cytoscape.min.js").read_text(encoding="utf-8")
    assert "</script" not in js.lower() and "<!--" not in js
    licence = (vendor / "cytoscape.LICENSE").read_text(encoding="utf-8")
    assert "Permission is hereby granted" in licence and "Cytoscape Consortium" in licence
    assert "3.34.4" in (vendor / "README.md").read_text(encoding="utf-8")
    for own in ("report.js", "layout.js", "report.css"):
        assert "</script" not in resources.read_asset(own).lower()


def test_templates_root_prefers_the_packaged_copy(tmp_path, monkeypatch):
    from analyzer import templating

    assert resources.templates_root() == Path(__file__).resolve().parent.parent / "templates"
    packaged = tmp_path / "analyzer"
    (packaged / "templates" / "report").mkdir(parents=True)
    monkeypatch.setattr(templating.importlib.resources, "files", lambda name: packaged)
    assert resources.templates_root() == packaged / "templates"


# -- sections ------------------------------------------------------------------------------------


def test_every_section_is_present(shop_html):
    for anchor in ("overview", "graph", "scores", "matrix", "services", "risks", "diagnostics"):
        assert f'id="{anchor}"' in shop_html
    for i, name in enumerate(["accounts", "catalog", "orders", "payments"]):
        assert f'id="service-{i}"' in shop_html and f">{name}</h3>" in shop_html
    assert 'id="service-shared"' in shop_html
    assert 'id="graph-search"' in shop_html and 'id="service-filter"' in shop_html
    # scores with explanations and baselines
    assert "Newman&#39;s Q" in shop_html and "one per package" in shop_html
    assert '<td class="num strong">0.412</td>' in shop_html
    # the matrix: orders -> catalog, 6 call sites
    assert 'title="orders → catalog: 6 call sites">6</td>' in shop_html
    # the curve: chosen k marked in the chart and the table
    assert "chosen k = 4" in shop_html and '<tr class="chosen"><td class="num">4 ◀</td>' in shop_html
    # interface with signature, sync / event calls, owned entities, routes
    assert '<span class="fn">get_product</span>(pid: int) -&gt; Product' in shop_html
    assert 'class="badge sync"' in shop_html and 'class="badge event"' in shop_html
    assert ('<span class="badge own">owns</span> <code>entity:shop.<wbr>catalog.<wbr>models.<wbr>Stock</code>'
            in shop_html)
    assert '<span class="badge method">POST</span> <code>/orders</code>' in shop_html
    # risks and diagnostics
    assert "entity:shop.catalog.models.Stock" in shop_html
    assert "shop/legacy/broken.py" in shop_html and "request.args.get" in shop_html


def test_focus_marks_the_card():
    html = render_text(shopdoc.shop(), fmt="html", service="payments")
    assert '<article class="card focus" id="service-3"' in html
    payload = json.loads(parse(html).scripts[1][1])
    assert payload["focus"] == 3


def test_page_without_decomposition_renders():
    import dataclasses

    html = render_text(dataclasses.replace(shopdoc.shop(), decomposition=None), fmt="html")
    assert "The analysis has no decomposition." in html


# -- graph payload -------------------------------------------------------------------------------


def test_graph_payload_groups_units_by_service_and_module():
    doc = shopdoc.shop()
    report = build_report(doc)
    payload = build_graph_payload(doc, service_of(doc), report.colors).to_json()
    names = [s["name"] for s in payload["services"]]
    assert names == ["accounts", "catalog", "orders", "payments", "<shared>"]
    assert payload["services"][-1]["shared"] is True
    groups = [tuple(g) for g in payload["groups"]]
    assert groups == sorted(groups) and (1, "shop.catalog.services") in groups
    units = {u[5]: u for u in payload["units"]}
    # methods are folded into their class; entities are units of their owner
    assert "shop.orders.services.OrderService" in units and PLACE not in units
    assert units["entity:shop.catalog.models.Stock"][1] == "e"
    assert payload["groups"][units["entity:shop.catalog.models.Stock"][0]][0] == 1
    ids = [u[5] for u in payload["units"]]
    pos = {uid: i for i, uid in enumerate(ids)}
    edges = {(ids[e[0]], ids[e[1]], GRAPH_KINDS[e[2]]): e[3:] for e in payload["edges"]}
    # place (get_product ×3) seen from its class unit, with used/ignored
    assert edges[("shop.orders.services.OrderService", GET, "call")] == [3, 3, 0]
    assert edges[("shop.orders.services.OrderService", "shop.catalog.services.reserve", "call")] == [2, 0, 2]
    assert edges[("shop.orders.services.OrderService", "entity:shop.catalog.models.Stock", "write")] == [1, 0, 0]
    assert all(a != b for a, b, *_ in payload["edges"])
    assert pos and payload["focus"] == -1


PLACE = "shop.orders.services.OrderService.place"
GET = "shop.catalog.services.get_product"


def test_large_analysis_is_aggregated_and_fast():
    doc = shopdoc.large(modules=400, per_module=14)
    assert len(doc.symbols) == 6000
    started = time.perf_counter()
    html = render_text(doc, fmt="html")
    elapsed = time.perf_counter() - started
    assert elapsed < 5, elapsed
    payload = json.loads(parse(html).scripts[1][1])
    assert len(payload["groups"]) == 400 > MAX_LAYOUT_NODES  # the page opens at service level
    assert len(payload["units"]) == 6000
    assert len(html) < 4_000_000
    assert html == render_text(doc, fmt="html")  # deterministic
