"""The HTML report in a real browser: headless Chromium, from disk, with no network.

``--dump-dom`` returns the page after its scripts ran: the page marks the graph as drawn
(``data-graph-ready``, node and edge counts) and writes any script error into
``#script-errors``. A screenshot is kept in tests/artifacts/report.png. When the CI
environment variable is set, a missing Chromium fails the tests instead of skipping them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analyzer.report import render_text

pytestmark = pytest.mark.e2e

_spec = importlib.util.spec_from_file_location(
    "report_shopdoc", Path(__file__).parent / "fixtures" / "report" / "shopdoc.py"
)
shopdoc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shopdoc)

ARTIFACTS = Path(__file__).parent / "artifacts"
DRIVER = Path(__file__).parent / "fixtures" / "report" / "driver.js"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if found is None:
        message = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def run_chromium(binary: str, page: Path, profile: Path, *extra: str) -> str:
    args = [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        "--hide-scrollbars", f"--user-data-dir={profile}", "--virtual-time-budget=5000", *extra,
        page.resolve().as_uri(),
    ]
    done = subprocess.run(args, check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Dom(HTMLParser):
    """The body's attributes, the text of elements by id, and the <script> count."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.body: dict[str, str] = {}
        self.text: dict[str, str] = {}
        self.scripts = 0
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body = {k: v or "" for k, v in attrs.items()}
        if tag == "script":
            self.scripts += 1
        if attrs.get("id") in ("script-errors", "driver-results"):
            self._open.append(attrs["id"])
            self.text[attrs["id"]] = ""

    def handle_data(self, data):
        if self._open:
            self.text[self._open[-1]] += data

    def handle_endtag(self, tag):
        if tag == "pre" and self._open:
            self._open.pop()


def dom_of(html: str) -> Dom:
    d = Dom()
    d.feed(html)
    return d


def test_report_draws_its_graph_without_errors(chromium, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_text(shopdoc.hostile(), fmt="html"), encoding="utf-8")
    dom = dom_of(run_chromium(chromium, page, tmp_path / "profile", "--dump-dom"))
    assert dom.body.get("data-graph-ready") == "true"
    assert int(dom.body["data-node-count"]) >= 20  # 5 services, 15 modules, entities
    assert int(dom.body["data-edge-count"]) > 0
    assert dom.text.get("script-errors", "") == ""
    assert dom.scripts == 5  # nothing from the analyzed source became a script


def test_screenshot_artifact(chromium, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_text(shopdoc.shop(), fmt="html"), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    if shot.exists():
        shot.unlink()
    run_chromium(chromium, page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1400,1000")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 1000)
    assert len(data) > 50_000  # a drawn page, not a blank one


def test_large_analysis_settles_quickly(chromium, tmp_path):
    doc = shopdoc.large(modules=280, per_module=18)  # 5,320 symbols, 280 modules: module level
    assert len(doc.symbols) > 5000
    page = tmp_path / "large.html"
    page.write_text(render_text(doc, fmt="html"), encoding="utf-8")
    dom = dom_of(run_chromium(chromium, page, tmp_path / "profile", "--dump-dom"))
    assert dom.body.get("data-graph-ready") == "true"
    assert dom.text.get("script-errors", "") == ""
    assert 250 <= int(dom.body["data-node-count"]) <= 400
    assert int(dom.body["data-layout-ms"]) < 3000


def test_very_large_analysis_opens_at_service_level(chromium, tmp_path):
    doc = shopdoc.large(modules=600, per_module=10)  # 6,600 symbols, 600 modules
    page = tmp_path / "huge.html"
    page.write_text(render_text(doc, fmt="html"), encoding="utf-8")
    dom = dom_of(run_chromium(chromium, page, tmp_path / "profile", "--dump-dom"))
    assert dom.body.get("data-graph-ready") == "true"
    assert dom.text.get("script-errors", "") == ""
    assert int(dom.body["data-node-count"]) == 12  # one node per service


def test_interactions(chromium, tmp_path):
    """Search, reveal, filter, expand and collapse, through the page's own handlers."""
    html = render_text(shopdoc.shop(), fmt="html")
    driver = DRIVER.read_text(encoding="utf-8")
    page = tmp_path / "driven.html"
    page.write_text(html.replace("</body>", f"<script>\n{driver}\n</script>\n</body>"), encoding="utf-8")
    dom = dom_of(run_chromium(chromium, page, tmp_path / "profile", "--dump-dom"))
    assert dom.text.get("script-errors", "") == ""
    out = json.loads(dom.text["driver-results"])
    assert "error" not in out, out.get("error")
    assert out["initial"] == 24
    assert out["results"] >= 1 and out["firstResult"].startswith("get_product")
    # revealing a function expands its module into classes and functions and selects it
    assert out["afterReveal"] > out["initial"]
    assert len(out["selected"]) == 1 and out["selected"][0].startswith("u")
    assert "shop.catalog.services.get_product" in out["details"]
    assert out["hiddenGone"] is True and out["afterHide"] < out["afterReveal"]
    assert out["servicesLevel"] == 5
    assert out["expandedIsBox"] is True and out["afterExpand"] > out["servicesLevel"]
    assert out["afterCollapse"] == out["servicesLevel"]
    assert out["importEdges"] > 0
    assert re.search(r"\d+ sites?", out["edgeDetails"]) and "→" in out["edgeDetails"]
