"""The golden target: the default decomposition of ``samples/shop`` recovers the intended
services (``samples/shop/intended.toml``) with MoJoFM >= 90, with no pins and for any seed."""

from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "samples" / "shop"

pytestmark = pytest.mark.skipif(not (SHOP / "intended.toml").is_file(), reason="the sample is not there")


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    from analyzer.pipeline import AnalyzeOptions, run_analysis

    return run_analysis(SHOP, AnalyzeOptions(use_cache=False, progress=False, jobs=1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_default_decomposition_recovers_the_intended_services(front, seed):
    from analyzer.cluster import ClusterOptions, decompose
    from analyzer.compare import mojofm
    from analyzer.plan import load_plan

    intended = load_plan(SHOP / "intended.toml", front).assignment()
    found = decompose(front, ClusterOptions(seed=seed)).decomposition.assignment()
    assert mojofm(found, intended) >= 90


def test_sample_helpers_are_the_shared_library(front):
    shared = set(front.decomposition.shared)
    assert {"shop.common.helpers", "shop.common.money", "shop.db", "shop.config"} <= shared


def test_admin_modules_go_to_their_capability(front):
    placed = front.decomposition.assignment()
    for area in ("catalog", "orders", "accounts"):
        assert placed[f"shop.admin.{area}_admin"] == placed[f"shop.{area}.services"]


def test_the_report_says_why_helpers_every_app_calls_stay_with_a_service(front):
    """``catalog/services.py`` is called from four other apps yet reads and writes only the
    catalog's tables; ``notifications/services.py`` serves entry points: neither is library,
    and the report says why (the terminal, HTML, Markdown and JSON alike read
    ``Report.kept_out``)."""
    import io
    import json

    from rich.console import Console

    from analyzer.report import build_report, render_report, render_text

    kept = {m: (n, why) for m, n, why in build_report(front).kept_out}
    assert kept["shop.catalog.services"] == (
        4, "its 10 data accesses touch the entities of catalog only: not generic data code")
    assert kept["shop.notifications.services"][1] == "handles 5 entry points: an API, not a library"
    assert not set(kept) & set(front.decomposition.shared)
    assert "| `shop.catalog.services` | 4 | its 10 data accesses" in render_text(front, fmt="md")
    console = Console(record=True, width=160, file=io.StringIO(), color_system=None)
    render_report(front, fmt="term", output=None, service=None, console=console)
    terminal = console.export_text()
    assert "Used by many apps, kept out of the shared library" in terminal
    assert "shop.catalog.services" in terminal and "handles 5 entry points" in terminal
    listed = json.loads(render_text(front, fmt="json"))["clustering"]["kept_out_of_library"]
    assert {"module": "shop.catalog.services", "apps": 4,
            "why": "its 10 data accesses touch the entities of catalog only: not generic data code"} in listed


@pytest.mark.parametrize("services", [None, 2, 6])
def test_every_model_class_lives_with_its_entity_owner(front, services):
    # so the report shows the cut that extraction builds: extraction moves none
    from analyzer.cluster import ClusterOptions, decompose
    from analyzer.cluster.ownership import model_classes
    from analyzer.extract.program import Program
    from analyzer.interfaces import service_of

    d = decompose(front, ClusterOptions(services=services)).decomposition
    placement, owner = service_of(front, d), d.owner()
    classes = model_classes(front.entities, [(e.source, e.target) for e in front.edges if e.kind == "inherit"])
    assert len(classes) >= 4
    assert {cls: placement[cls] for cls in classes} == {cls: owner[ent] for cls, ent in classes.items()}
    assert Program(replace(front, decomposition=d)).moved_models == []
