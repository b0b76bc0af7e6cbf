"""Every metric on a tiny graph computed by hand (see the figures in each test)."""

import math

import pytest

from analyzer.analysis import Analysis
from analyzer.metrics import NED_MAX, NED_MIN, baselines, score
from analyzer.model import Decomposition, Edge, Entity, Service, Symbol

# Two services of three units each: A = p.a (module), p.a.f1, p.a.f2; B = p.b, p.b.g1, p.b.g2.
# Calls: f1->f2 (2 sites), g1->g2 (1), f1->g1 (1).  Entity E written by f2 and g2, F by f1.


def tiny(extra_edges=()):
    symbols = [
        Symbol("p", "module", "p", "p", 1, 1),
        Symbol("p.a", "module", "p.a", "a", 1, 30),
        Symbol("p.a.f1", "function", "p.a", "f1", 2, 11),
        Symbol("p.a.f2", "function", "p.a", "f2", 12, 21),
        Symbol("p.b", "module", "p.b", "b", 1, 20),
        Symbol("p.b.g1", "function", "p.b", "g1", 2, 6),
        Symbol("p.b.g2", "function", "p.b", "g2", 7, 11),
        Symbol("entity:p.a.E", "entity", "p.a", "E"),
        Symbol("entity:p.a.F", "entity", "p.a", "F"),
    ]
    edges = [
        Edge("p.a.f1", "p.a.f2", "call", 2, used=2),
        Edge("p.b.g1", "p.b.g2", "call", 1, used=1),
        Edge("p.a.f1", "p.b.g1", "call", 1, used=1),
        Edge("p.a.f2", "entity:p.a.E", "write", 1),
        Edge("p.b.g2", "entity:p.a.E", "write", 1),
        Edge("p.a.f1", "entity:p.a.F", "write", 1),
        *extra_edges,
    ]
    entities = [Entity("entity:p.a.E", "E", "e", None, "p.a", "sqlalchemy"),
                Entity("entity:p.a.F", "F", "f", None, "p.a", "sqlalchemy")]
    return Analysis(root="/tiny", modules=[], symbols=symbols, edges=edges, entities=entities)


SPLIT = Decomposition(
    services=(Service("a", ("p.a", "p.a.f1", "p.a.f2"), entities=("entity:p.a.E", "entity:p.a.F")),
              Service("b", ("p.b", "p.b.g1", "p.b.g2"))),
    shared=("p",),
)


def test_newman_modularity():
    # m = 4; A: inner 2, degree 5; B: inner 1, degree 3
    expected = (2 / 4 - (5 / 8) ** 2) + (1 / 4 - (3 / 8) ** 2)
    assert score(tiny(), SPLIT)["modularity"] == pytest.approx(expected, abs=1e-4)


def test_turbo_mq():
    # A: 2μ/(2μ+ε) = 4/5; B: 2/3
    assert score(tiny(), SPLIT)["mq"] == pytest.approx(4 / 5 + 2 / 3, abs=1e-4)


def test_structural_modularity():
    # distinct edges: one inside A, one inside B, one between; 3 units each
    expected = (1 / 9 + 1 / 9) / 2 - (1 / (2 * 3 * 3)) / 1
    assert score(tiny(), SPLIT)["sm"] == pytest.approx(expected, abs=1e-4)


def test_icp_ifn_ned_and_cross_calls():
    s = score(tiny(), SPLIT)
    assert s["icp"] == 0.25  # 1 of 4 call sites crosses
    assert s["ifn"] == 0.5  # g1 is B's only interface unit; A has none; mean over 2 services
    assert (NED_MIN, NED_MAX) == (5, 60)
    assert s["ned"] == 1.0  # both services have 3 units: extreme
    assert (s["cross_calls"], s["cross_call_weight"]) == (1, 1)


def test_transactional_purity_and_shared_writes():
    s = score(tiny(), SPLIT)
    # E: touched half by a, half by b -> 1 - ln2/ln2 = 0; F: only a -> 1; mean 0.5
    assert s["transactional_purity"] == 0.5
    assert s["entities_multi_writer"] == 1 and s["multi_writer_entities"] == ["entity:p.a.E"]
    skewed = score(tiny([Edge("p.a.f1", "entity:p.a.E", "read", 2)]), SPLIT)
    h = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / math.log(2)
    assert skewed["transactional_purity"] == pytest.approx(((1 - h) + 1) / 2, abs=1e-4)


def test_sizes_and_counts():
    s = score(tiny(), SPLIT)
    assert s["services"] == 2 and s["units"] == 6
    # p.a: 30 lines = 10 own + f1 10 + f2 10; p.b: 20 = 10 + 5 + 5
    assert s["service_lines"] == {"a": 30, "b": 20}
    assert s["lines"] == {"min": 20, "median": 25, "max": 30}
    assert s["shared_units"] == 1 and s["shared_lines"] == 1


def test_shared_library_calls_are_not_coupling():
    d = Decomposition(services=(Service("a", ("p.a", "p.a.f1", "p.a.f2")),), shared=("p.b",))
    s = score(tiny(), d)
    assert s["icp"] == 0.0 and s["cross_calls"] == 0 and s["services"] == 1
    assert s["modularity"] == 0.0  # one service: Q = 1 - 1 = 0


def test_baselines():
    b = baselines(tiny())
    assert set(b) == {"one-per-package", "monolith"}
    # one service per package below the root: a, b (and the root module itself)
    assert b["one-per-package"]["icp"] == 0.25
    assert b["monolith"]["services"] == 1 and b["monolith"]["icp"] == 0.0
    assert b["monolith"]["modularity"] == 0.0 and b["monolith"]["transactional_purity"] == 1.0



def test_baselines_of_other_sizes_count_only_the_lines_again():
    import dataclasses

    before = baselines(tiny())
    grown = tiny()
    grown.symbols = [dataclasses.replace(s, end_line=s.end_line + 40) if s.id == "p.b.g2" else s
                     for s in grown.symbols]
    computed = baselines(grown)
    assert computed != before  # p.b grew: its lines differ
    assert baselines(grown, known=before) == computed
    for name in computed:
        assert {k for k in computed[name] if computed[name][k] != before[name][k]} <= {
            "shared_lines", "lines", "service_lines"}

def test_a_decomposition_scored_before_counts_only_its_lines_again():
    import dataclasses

    from analyzer.interfaces import service_of, unit_lines, unit_placement
    from analyzer.metrics import SizeBase, resized

    # a plan naming a module covers its functions too: placement walks up the dotted names
    plan = Decomposition(services=(Service("a", ("p.a",)), Service("b", ("p.b", "p.b.g1", "p.b.g2"))),
                         shared=("p",))
    grown = tiny()
    grown.symbols = [dataclasses.replace(s, end_line=s.end_line + 40) if s.id == "p.a.f1" else s
                     for s in grown.symbols]
    base = SizeBase.of(grown)
    assert set(base.lines) == set(unit_lines(grown, base.units))
    placed = service_of(grown, plan)
    assert unit_placement(plan, base.lines) == {u: placed[u] for u in base.lines}
    assert resized(plan, score(tiny(), plan), base) == score(grown, plan)


def test_score_is_deterministic_and_json_friendly():
    import json

    first = json.dumps(score(tiny(), SPLIT), sort_keys=True)
    assert first == json.dumps(score(tiny(), SPLIT), sort_keys=True)


def test_the_code_counted_in_services_adds_up_to_the_tree(tmp_path):
    """Units count each line once, an empty ``__init__.py`` none (its module spans line 1)."""
    from helpers import build_tree

    from analyzer.pipeline import AnalyzeOptions, run_analysis

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/orders/__init__.py": "",
        "shop/orders/api.py": "from shop.catalog.api import price\n\n\ndef total(ids):\n    return sum(price(i) for i in ids)\n",
        "shop/catalog/__init__.py": "",
        "shop/catalog/api.py": "PRICES = {}\n\n\ndef price(i):\n    return PRICES[i]\n",
    })
    doc = run_analysis(tmp_path, AnalyzeOptions(use_cache=False, progress=False, jobs=1))
    assert doc.baselines["monolith"]["lines"]["max"] == doc.counts["lines"] == 10


def test_the_scoring_base_from_the_clustering_units_and_lines_is_the_one_computed_again():
    from pathlib import Path

    from analyzer.cluster import decompose
    from analyzer.metrics import ScoringBase
    from analyzer.pipeline import AnalyzeOptions, run_analysis

    shop = Path(__file__).parent.parent / "samples" / "shop"
    doc = run_analysis(shop, AnalyzeOptions(use_cache=False, progress=False, jobs=1))
    result = decompose(doc)
    given = ScoringBase.of(doc, result.unit_of, result.unit_lines)
    assert given == ScoringBase.of(doc)
    assert given.lines and given.units is not result.unit_of  # a copy: scoring cannot change the result's
