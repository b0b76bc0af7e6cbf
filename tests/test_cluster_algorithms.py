"""The clustering algorithms alone, on tiny graphs: invariants plus exact expected results."""

import networkx as nx
import pytest

from analyzer.cluster import agglomerative, louvain, quality, refine
from analyzer.cluster.fragments import merge_fragments
from analyzer.cluster.naming import name_services, slug


def two_cliques(bridge=1.0):
    g = nx.Graph()
    for group in ("abcd", "wxyz"):
        for i, u in enumerate(group):
            for v in group[i + 1:]:
                g.add_edge(u, v, weight=3.0)
    g.add_edge("d", "w", weight=bridge)
    return g


def as_sorted(partition):
    return sorted(sorted(c) for c in partition)


def assert_partition(partition, nodes):
    seen = [n for c in partition for n in c]
    assert sorted(seen) == sorted(nodes) and len(seen) == len(set(seen))


def test_louvain_finds_the_two_cliques_and_is_seeded():
    g = two_cliques()
    first = louvain.cluster(g, seed=7)
    assert as_sorted(first) == [list("abcd"), list("wxyz")]
    assert louvain.cluster(g, seed=7) == first
    assert louvain.cluster(g, seed=3, restarts=4) == first


def test_louvain_edge_cases():
    assert louvain.cluster(nx.Graph()) == []
    g = nx.Graph()
    g.add_nodes_from(["b", "a"])
    assert louvain.cluster(g) == [{"a"}, {"b"}]
    assert louvain.restarts_for(100) > louvain.restarts_for(100_000) == 1


def test_agglomerative_merges_to_k_and_records_the_curve():
    g = two_cliques()
    assert as_sorted(agglomerative.cluster(g, k=2)) == [list("abcd"), list("wxyz")]
    trace = agglomerative.merge_trace(g)
    ks = [k for k, _ in trace.curve]
    assert ks == list(range(8, 0, -1))
    # the curve's own modularity agrees with a direct computation at every k
    for k, q in trace.curve:
        assert q == pytest.approx(quality.modularity(g, trace.partition(k)))
    best = max(trace.curve, key=lambda p: p[1])
    assert best[0] == 2


def test_agglomerative_respects_tokens_and_merges_disconnected_last():
    g = two_cliques(bridge=0.0)  # weight 0 bridge: still an edge, no pull
    g.add_node("lonely")
    tokens = {"a": {"pin": "one"}, "w": {"pin": "two"}}
    parts = agglomerative.cluster(g, k=1, tokens=tokens)
    # the two pinned communities can never merge, so k=1 is unreachable: 2 remain
    assert len(parts) == 2
    assert not any({"a", "w"} <= p for p in parts)
    assert_partition(parts, g.nodes)


def test_agglomerative_from_a_start_partition():
    g = two_cliques()
    start = [{"a", "b"}, {"c", "d"}, {"w", "x", "y", "z"}]
    assert as_sorted(agglomerative.cluster(g, k=2, start=start)) == [list("abcd"), list("wxyz")]


def test_refine_moves_a_misplaced_node_and_lowers_the_cut():
    g = two_cliques()
    bad = [{"a", "b", "c"}, {"d", "w", "x", "y", "z"}]
    better = refine.cluster(g, partition=bad)
    assert as_sorted(better) == [list("abcd"), list("wxyz")]
    assert refine.cut_weight(g, better) < refine.cut_weight(g, bad)
    assert refine.cluster(g, partition=bad) == better  # deterministic


def test_refine_honours_fixed_nodes_tokens_and_balance():
    g = two_cliques()
    bad = [{"a", "b", "c"}, {"d", "w", "x", "y", "z"}]
    assert as_sorted(refine.cluster(g, partition=bad, fixed={"d"})) == as_sorted(bad)
    tokens = {"d": {"apart-0": "0"}, "a": {"apart-0": "1"}}
    assert as_sorted(refine.cluster(g, partition=bad, tokens=tokens)) == as_sorted(bad)
    # no community may grow past max(balance * mean, largest start) = max(8.5, 12)
    for n in g:
        g.nodes[n]["size"] = 4 if n in "abc" else 1
    assert as_sorted(refine.cluster(g, partition=bad, balance=1.0)) == as_sorted(bad)


def test_refine_never_empties_a_community():
    g = nx.Graph()
    g.add_edge("a", "b", weight=5)
    parts = refine.cluster(g, partition=[{"a"}, {"b"}])
    assert len(parts) == 2


def test_modularity_matches_networkx():
    g = two_cliques()
    parts = [{"a", "b", "c"}, {"d", "w", "x", "y", "z"}]
    assert quality.modularity(g, parts) == pytest.approx(nx.community.modularity(g, parts))


def test_choose_k_prefers_the_best_score_then_fewer_services():
    points = [{"k": 1, "score": 0.0}, {"k": 2, "score": 0.5}, {"k": 3, "score": 0.5}, {"k": 4, "score": 0.4}]
    assert quality.choose_k(points) == 2
    assert quality.choose_k(points, minimum=3) == 3


def test_score_curve_penalises_tiny_services():
    g = two_cliques()
    g.add_edge("d", "t", weight=0.5)
    for n in g:
        g.nodes[n]["size"] = 100.0
    g.nodes["t"]["size"] = 1.0  # far below 2% of the code
    trace = agglomerative.merge_trace(g, [set("abcd"), set("wxyz"), {"t"}])
    points = {p["k"]: p for p in quality.score_curve(trace, dict(g.nodes(data="size")))}
    assert points[3]["tiny_share"] > 0 and points[2]["tiny_share"] == 0
    assert points[3]["score"] < points[3]["modularity"]
    assert quality.choose_k(list(points.values())) == 2


def test_names_come_from_the_dominant_package_and_are_unique():
    module_of = {
        "shop.orders.a": "shop.orders.a", "shop.orders.b": "shop.orders.b",
        "shop.orders.admin.x": "shop.orders.admin", "shop.admin.orders_admin": "shop.admin.orders_admin",
        "shop.catalog.m": "shop.catalog.m",
    }
    size = dict.fromkeys(module_of, 10.0)
    groups = [{"shop.orders.a", "shop.orders.b"}, {"shop.orders.admin.x"}, {"shop.catalog.m"},
              {"shop.admin.orders_admin"}]
    names = name_services(groups, module_of, size, root="shop")
    assert names == ["orders", "orders-admin", "catalog", "admin"]
    assert name_services(groups, module_of, size, reserved={2: "Checkout"}, root="shop")[2] == "Checkout"
    assert slug("Catalog_Admin!") == "catalog-admin" and slug("__") == "service"


def test_the_projects_glue_names_a_service_only_when_over_four_times_its_largest_app():
    """A settings module beside two small apps (healthchecks' ``hc.settings`` with ``logs`` and
    ``payments``) names no capability: the service is named after its largest app. A
    service of glue alone keeps its name."""
    module_of = {
        "hc.settings": "hc.settings", "hc.logs.models.Record": "hc.logs.models",
        "hc.payments.views.pay": "hc.payments.views", "hc.urls": "hc.urls", "hc.wsgi": "hc.wsgi",
        "hc.api.models.Check": "hc.api.models",
    }
    size = {"hc.settings": 300.0, "hc.logs.models.Record": 120.0, "hc.payments.views.pay": 80.0,
            "hc.urls": 40.0, "hc.wsgi": 10.0, "hc.api.models.Check": 2000.0}
    groups = [{"hc.settings", "hc.logs.models.Record", "hc.payments.views.pay"}, {"hc.urls", "hc.wsgi"},
              {"hc.api.models.Check"}]
    assert name_services(groups, module_of, size, root="hc") == ["logs", "urls", "api"]
    size["hc.settings"] = 1000.0  # over four times its largest app: it is the service
    assert name_services(groups, module_of, size, root="hc")[0] == "settings"


def fragment_graph(tie):
    """Package p split into a big part (a, b, c) and a fragment (f1, f2); package q apart."""
    g = nx.Graph()
    g.add_weighted_edges_from([("p.a", "p.b", 4), ("p.b", "p.c", 4), ("p.a", "p.c", 4), ("p.f1", "p.f2", 4),
                               ("q.x", "q.y", 4), ("q.y", "q.z", 4), ("p.c", "q.x", 1)])
    g.add_edge("p.a", "p.f1", weight=tie)
    for n in g:
        g.nodes[n]["size"] = 10
    return g


def package_of(node):
    return node.split(".")[0]


def test_a_tied_package_fragment_is_folded_back():
    g = fragment_graph(tie=3.0)  # 3 >= 0.5 x (28 x 11) / 56: no real seam
    parts = [{"p.a", "p.b", "p.c"}, {"p.f1", "p.f2"}, {"q.x", "q.y", "q.z"}]
    merged, folded = merge_fragments(g, parts, package_of)
    assert as_sorted(merged) == [["p.a", "p.b", "p.c", "p.f1", "p.f2"], ["q.x", "q.y", "q.z"]]
    assert folded == ["p"]


def test_fragments_stay_apart_when_weakly_tied_pinned_or_of_another_package():
    parts = [{"p.a", "p.b", "p.c"}, {"p.f1", "p.f2"}, {"q.x", "q.y", "q.z"}]
    weak = fragment_graph(tie=0.1)
    assert merge_fragments(weak, parts, package_of)[1] == []
    tied = fragment_graph(tie=3.0)
    tokens = {"p.a": {"pin": "one"}, "p.f1": {"pin": "two"}}
    assert merge_fragments(tied, parts, package_of, tokens)[1] == []
    # the package is spread over a third service too: calls draw the line, not the folder
    spread = [{"p.a", "p.b"}, {"p.c"}, {"p.f1", "p.f2"}, {"q.x", "q.y", "q.z"}]
    assert merge_fragments(tied, spread, package_of)[1] == []
    assert merge_fragments(tied, [{"p.a", "p.b", "p.c", "q.x", "q.y", "q.z"}, {"p.f1", "p.f2"}],
                           package_of)[1] == []


def test_a_tiny_service_folds_into_its_strongest_tie_whatever_its_package():
    """Tandoor: two serializer classes (29 lines) split off ``cookbook/serializer.py`` were a
    service; their package spreads over every service, so no package rule folds them."""
    g = nx.Graph()
    g.add_weighted_edges_from([("app.y.a", "app.y.b", 5), ("app.y.b", "app.x.c", 5), ("app.y.a", "app.x.c", 5),
                               ("app.x.d", "app.y.a", 3), ("app.z.e", "app.z.f", 5), ("app.z.e", "app.y.b", 0.5)])
    for n in g:
        g.nodes[n]["size"] = 20.0 if n == "app.x.d" else 200.0
    parts = [{"app.y.a", "app.y.b", "app.x.c"}, {"app.x.d"}, {"app.z.e", "app.z.f"}]
    merged, folded = merge_fragments(g, parts, parent_package)
    assert as_sorted(merged) == [["app.x.c", "app.x.d", "app.y.a", "app.y.b"], ["app.z.e", "app.z.f"]]
    assert folded == ["app.x"]
    # pinned apart, it stays
    tokens = {"app.x.d": {"pin": "one"}, "app.y.a": {"pin": "two"}}
    assert merge_fragments(g, parts, parent_package, tokens)[1] == []


def plugin_graph(satellite_size=2, other_size=10):
    """App ``tools``: a core service and two plugin packages tied only to it; app ``q`` apart."""
    g = nx.Graph()
    g.add_weighted_edges_from([("tools.core.a", "tools.core.b", 5), ("tools.core.b", "tools.core.c", 5),
                               ("tools.core.a", "tools.core.c", 5), ("tools.x.p1", "tools.x.p2", 3),
                               ("tools.y.p1", "tools.y.p2", 3), ("tools.x.p1", "tools.core.a", 3),
                               ("tools.y.p1", "tools.core.b", 3), ("q.a", "q.b", 5), ("q.b", "q.c", 5),
                               ("tools.core.c", "q.a", 0.5)])
    for n in g:
        g.nodes[n]["size"] = (satellite_size if n.startswith(("tools.x", "tools.y")) else
                              other_size if n.startswith("q.") else 10)
    return g


PLUGIN_PARTS = [{"tools.core.a", "tools.core.b", "tools.core.c"}, {"tools.x.p1", "tools.x.p2"},
                {"tools.y.p1", "tools.y.p2"}, {"q.a", "q.b", "q.c"}]


def parent_package(node):
    return node.rsplit(".", 1)[0]


def test_small_satellites_of_an_app_fold_into_the_service_holding_most_of_it():
    # no package dominates both sides (tools.x vs tools.core): only the app ties them
    assert merge_fragments(plugin_graph(), PLUGIN_PARTS, parent_package)[1] == []
    merged, folded = merge_fragments(plugin_graph(), PLUGIN_PARTS, parent_package, app_of=package_of)
    assert as_sorted(merged) == [["q.a", "q.b", "q.c"], sorted(set().union(*PLUGIN_PARTS[:3]))]
    assert folded == ["tools", "tools"]  # one fold per service and round


def test_a_sizable_or_separated_second_service_of_an_app_stays():
    # each plugin holds 16 of the app's 62 lines, more than a quarter of the core's 30
    assert merge_fragments(plugin_graph(satellite_size=8), PLUGIN_PARTS, parent_package, app_of=package_of)[1] == []
    tokens = {"tools.core.a": {"apart-0": "0"}, "tools.x.p1": {"apart-0": "1"}, "tools.y.p1": {"apart-0": "2"}}
    assert merge_fragments(plugin_graph(), PLUGIN_PARTS, parent_package, tokens, app_of=package_of)[1] == []
    # the core holds 30 of 128 lines; a satellite would take it over the balance bound (32)
    assert merge_fragments(plugin_graph(other_size=30), PLUGIN_PARTS, parent_package, app_of=package_of)[1] == []


def test_the_weighted_graph_is_the_one_networkx_builds_adjacency_order_included():
    from analyzer.graph import weighted_graph

    sizes = {"m.b": 3.0, "m.a": 1.0, "m.c": 0.0, "lonely": 2.0}
    edges = [(("m.a", "m.b"), 1.5), (("m.a", "m.c"), 0.25), (("m.b", "m.c"), 2.0), (("m.c", "m.c"), 1.0),
             (("m.a", "stray"), 0.5)]  # an end that is no node becomes one, as with add_edges_from
    expected = nx.Graph()
    expected.add_nodes_from((n, {"size": s}) for n, s in sizes.items())
    expected.add_edges_from([(a, b, {"weight": w}) for (a, b), w in edges])
    built = weighted_graph(sizes, edges)
    assert list(built.nodes(data=True)) == list(expected.nodes(data=True))
    assert [(n, list(nbrs.items())) for n, nbrs in built.adjacency()] == [
        (n, list(nbrs.items())) for n, nbrs in expected.adjacency()]
    assert built["m.a"]["m.b"] is built["m.b"]["m.a"]  # one data dict per edge, as networkx keeps it
    built["m.a"]["m.b"]["weight"] = 9.0  # and the graph stays a working networkx graph
    assert built.size(weight="weight") == pytest.approx(9.0 + 0.25 + 2.0 + 1.0 + 0.5)


def test_an_idle_service_tied_to_nothing_is_a_stray_whatever_its_size():
    from analyzer.cluster.quality import stray_indices

    parts = [{"app.a", "app.b"}, {"scripts.x", "scripts.y"}, {"app.c"}]
    size = {"app.a": 400.0, "app.b": 400.0, "scripts.x": 400.0, "scripts.y": 300.0, "app.c": 500.0}
    assert stray_indices(parts, size, tied_to={0, 2}) == []  # 700 lines: not tiny
    assert stray_indices(parts, size, tied_to={0, 2}, idle=[1]) == [1]  # no entry point, no entity
    assert stray_indices(parts, size, tied_to={0, 1, 2}, idle=[1]) == []  # tied: a real dependency
    assert stray_indices(parts, size, tied_to={0, 2}, idle=[1], keep={"scripts.x"}) == []  # pinned
