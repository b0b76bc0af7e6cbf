"""``decompose`` end to end on synthetic monoliths with planted services."""

from pathlib import Path

import pytest
from helpers import load_module

from analyzer.analysis import Analysis
from analyzer.cluster import ClusterOptions, decompose
from analyzer.cluster.members import MemberIndex
from analyzer.cluster.ownership import model_classes, own_entities, place_models
from analyzer.cluster.weights import (
    DEFAULT_WEIGHTS,
    clustering_edges,
    common_root,
    package_segment,
    resolve_weights,
)
from analyzer.compare import mojofm
from analyzer.config import MsaConfig
from analyzer.errors import ConfigError
from analyzer.model import SHARED

FIXTURES = Path(__file__).parent / "fixtures" / "cluster"


def _load(name):
    return load_module(FIXTURES / f"{name}.py")


synth = _load("synth")
minishop = _load("minishop")


@pytest.fixture(scope="module")
def planted():
    return synth.generate(services=6, modules=3, units=5, cross=0.05, seed=3)


def units_of(analysis):
    return MemberIndex.build(analysis.symbols).units


def test_recovers_planted_services_without_pins(planted):
    analysis, truth = planted
    result = decompose(analysis, ClusterOptions(seed=0))
    found = result.decomposition.assignment()
    assert mojofm(found, truth) >= 95
    assert result.info["k"] == 6 and result.info["chosen_by"] == "curve"
    # names follow the dominant package, not set order
    assert sorted(s.name for s in result.decomposition.services) == sorted(synth.cap_name(i) for i in range(6))


def test_layered_admin_modules_follow_their_capability(planted):
    analysis, _ = planted
    placed = decompose(analysis).decomposition.assignment()
    for i in range(6):
        cap = synth.cap_name(i)
        assert placed[f"mono.admin.{cap}_admin.admin0"] == cap
        assert placed[f"mono.admin.{cap}_admin"] == cap


def test_helpers_db_and_config_become_the_shared_library(planted):
    analysis, _ = planted
    result = decompose(analysis)
    shared = set(result.decomposition.shared)
    assert {"mono.common.utils", "mono.common.utils.util0", "mono.db", "mono.db.Base", "mono.config"} <= shared
    rules = {s["module"]: s["rule"] for s in result.info["shared"]}
    assert rules["mono.common.utils"] == "library"
    assert "mono.alpha.models" not in rules  # defines entities: domain, never library


def test_result_is_a_partition_with_one_owner_per_entity(planted):
    analysis, _ = planted
    d = decompose(analysis).decomposition
    placed = [m for s in d.services for m in s.members] + list(d.shared)
    assert sorted(placed) == sorted(units_of(analysis))
    owned = [e for s in d.services for e in s.entities]
    assert sorted(owned) == sorted(e.id for e in analysis.entities)
    # each capability owns its own models
    for s in d.services:
        assert all(e.startswith(f"entity:mono.{s.name}.models.") for e in s.entities)


def test_deterministic_for_a_seed(planted):
    analysis, _ = planted
    assert decompose(analysis, ClusterOptions(seed=5)) == decompose(analysis, ClusterOptions(seed=5))


def test_info_explains_the_number_of_services(planted):
    analysis, _ = planted
    info = decompose(analysis).info
    assert set(info) >= {"algorithm", "k", "curve", "weights", "shared", "rule"}
    best = max(info["curve"], key=lambda p: (p["score"], -p["k"]))
    assert best["k"] == info["curve_k"] == info["k"] and info["folded"] == []
    assert info["weights"] == DEFAULT_WEIGHTS


@pytest.mark.parametrize("algorithm", ["louvain", "agglomerative", "refine"])
def test_every_algorithm_honours_a_requested_k(planted, algorithm):
    analysis, _ = planted
    result = decompose(analysis, ClusterOptions(services=4, algorithm=algorithm))
    assert len(result.decomposition.services) == 4
    assert result.info["chosen_by"] == "requested"
    assert result.decomposition.algorithm == algorithm


@pytest.mark.parametrize("algorithm", ["agglomerative", "refine"])
def test_other_algorithms_also_recover_the_planted_services(planted, algorithm):
    analysis, truth = planted
    found = decompose(analysis, ClusterOptions(algorithm=algorithm)).decomposition.assignment()
    assert mojofm(found, truth) >= 90


def test_more_services_than_louvain_finds(planted):
    analysis, _ = planted
    result = decompose(analysis, ClusterOptions(services=9))
    assert len(result.decomposition.services) == 9


def test_pins_place_members_and_name_services(planted):
    analysis, _ = planted
    opts = ClusterOptions(pins={"mono.alpha.m0": "checkout", "mono.bravo.m1.f0": "checkout",
                                "entity:mono.charlie.models.Model0": "checkout"})
    d = decompose(analysis, opts).decomposition
    placed = d.assignment()
    assert placed["mono.alpha.m0"] == placed["mono.alpha.m0.f3"] == "checkout"
    assert placed["mono.bravo.m1.f0"] == "checkout"
    assert d.owner()["entity:mono.charlie.models.Model0"] == "checkout"
    assert "mono.alpha.m0" in d.service("checkout").pinned


def test_pins_to_different_services_stay_apart(planted):
    analysis, _ = planted
    opts = ClusterOptions(pins={"mono.alpha.m0": "one", "mono.alpha.m1": "two"})
    placed = decompose(analysis, opts).decomposition.assignment()
    assert placed["mono.alpha.m0"] == "one" and placed["mono.alpha.m1"] == "two"


def test_together_apart_and_shared_constraints(planted):
    analysis, _ = planted
    opts = ClusterOptions(
        together=[["mono.alpha.m0", "mono.delta.m0"]],
        apart=[["mono.bravo.m0", "mono.bravo.m1"]],
        shared=["mono.echo.m2"],
    )
    d = decompose(analysis, opts).decomposition
    placed = d.assignment()
    assert placed["mono.alpha.m0"] == placed["mono.delta.m0"]
    assert placed["mono.bravo.m0"] != placed["mono.bravo.m1"]
    assert placed["mono.echo.m2"] == SHARED and placed["mono.echo.m2.f1"] == SHARED


def test_bad_options_report_every_problem_at_once(planted):
    analysis, _ = planted
    with pytest.raises(ConfigError) as err:
        decompose(analysis, ClusterOptions(algorithm="kmeans", services=0, pins={"nowhere.x": "a"},
                                           apart=[["mono.alpha", "ghost"]]))
    message = str(err.value)
    for part in ("kmeans", "services must be at least 1", "'nowhere.x'", "'ghost'"):
        assert part in message
    with pytest.raises(ConfigError, match="weights"):
        decompose(analysis, ClusterOptions(weights={"telepathy": 1.0}))


def test_pinned_and_shared_at_once_is_an_error(planted):
    analysis, _ = planted
    with pytest.raises(ConfigError, match="also listed as shared"):
        decompose(analysis, ClusterOptions(pins={"mono.alpha.m0": "x"}, shared=["mono.alpha.m0"]))


def test_options_from_config_with_flags_overriding():
    config = MsaConfig(services=3, algorithm="refine", seed=9, pins={"orders": ("shop.orders",)},
                       weights={"call": 2.0}, shared=("shop.common",))
    opts = ClusterOptions.from_config(config, services=5)
    assert (opts.services, opts.algorithm, opts.seed) == (5, "refine", 9)
    assert opts.pins == {"shop.orders": "orders"} and opts.weights == {"call": 2.0}
    assert ClusterOptions.from_config(MsaConfig()).seed == 0


def test_empty_and_tiny_analyses():
    a = minishop.analysis(with_decomposition=False)
    d = decompose(a).decomposition
    placed = [m for s in d.services for m in s.members] + list(d.shared)
    assert sorted(placed) == sorted(units_of(a))
    empty = decompose(Analysis(root="/empty", modules=[], symbols=[], edges=[]))
    assert empty.decomposition.services == () and empty.info["k"] == 0
    # helpers alone, no capability: still a decomposition covering every unit
    helpers = synth.generate(services=0)[0]
    d = decompose(helpers).decomposition
    assert sorted([m for s in d.services for m in s.members] + list(d.shared)) == sorted(units_of(helpers))


def test_member_index_most_specific_wins():
    a = minishop.analysis()
    index = MemberIndex.build(a.symbols, [e.id for e in a.entities])
    assert index.normalize("shop.orders.services.OrderService.place") == "shop.orders.services.OrderService"
    assert index.normalize("shop.catalog.models.Product") == "shop.catalog.models.Product"
    assert index.normalize("shop.catalog") == "shop.catalog"  # a package prefix
    assert index.normalize("entity:shop.orders.models.Order") == "entity:shop.orders.models.Order"
    assert index.normalize("nope.nothing") is None
    table = {"shop.catalog": "catalog", "shop.catalog.services.reserve": "orders"}
    placed = index.expand(table)
    assert placed["shop.catalog.services.get_product"] == "catalog"
    assert placed["shop.catalog.services.reserve"] == "orders"
    assert "shop.orders.services" not in placed


def test_weights_and_priors():
    assert resolve_weights({"write": 3})["write"] == 3.0
    assert DEFAULT_WEIGHTS["write"] > DEFAULT_WEIGHTS["read"]
    with pytest.raises(ConfigError, match="must be a number >= 0"):
        resolve_weights({"call": -1})
    assert common_root(["shop.a", "shop.b.c"]) == "shop"
    assert common_root(["a.x", "b.y"]) == ""
    assert package_segment("shop.orders.models", "shop") == "orders"
    a = minishop.analysis()
    index = MemberIndex.build(a.symbols)
    edges = clustering_edges(a.symbols, a.edges, index.unit_of, DEFAULT_WEIGHTS, "shop",
                             {e.id: e.model for e in a.entities})
    # get_product is used from three package segments (orders, notify, admin): damped by sqrt(3)
    key = ("shop.catalog.services.get_product", "shop.orders.services.OrderService")
    assert edges[key] == pytest.approx(2 / 3 ** 0.5)
    # writes weigh double (2 sites x 2), damped as Order is touched from two segments; the model
    # prior ties an entity to its class; contain ties a module to its definitions
    assert edges[("entity:shop.orders.models.Order", "shop.orders.services.OrderService")] == pytest.approx(
        4 / 2 ** 0.5)
    assert edges[("entity:shop.catalog.models.Product", "shop.catalog.models.Product")] == DEFAULT_WEIGHTS["model"]
    assert edges[("shop.catalog.models", "shop.catalog.models.Product")] == DEFAULT_WEIGHTS["contain"]
    # a module's definitions share the prior out: with two, each gets contain / sqrt(2), so a
    # module of a hundred serializers is no star holding them together whatever they call
    assert edges[("shop.catalog.services", "shop.catalog.services.reserve")] == pytest.approx(
        DEFAULT_WEIGHTS["contain"] / 2 ** 0.5)


def test_entity_ownership_rule():
    a = minishop.analysis()
    placement = {"shop.catalog.services.reserve": "catalog", "shop.orders.services.OrderService.place": "orders",
                 "shop.notify.email.send": "notify", "shop.catalog.services.get_product": "catalog",
                 "shop.catalog.models.Product": "catalog", "shop.orders.models.Order": "orders"}
    owner = own_entities(a, placement, ["catalog", "notify", "orders"])
    # Order: written by orders twice; Product: written once by catalog and once by orders, read by
    # catalog: writes tie, reads decide
    assert owner == {"entity:shop.orders.models.Order": "orders", "entity:shop.catalog.models.Product": "catalog"}
    pinned = own_entities(a, placement, ["catalog", "notify", "orders"],
                          {"entity:shop.orders.models.Order": "notify"})
    assert pinned["entity:shop.orders.models.Order"] == "notify"
    # nobody touches it: the service of its model class
    untouched = own_entities(a, {"shop.catalog.models.Product": "catalog", "shop.orders.models.Order": "x"},
                             ["catalog", "x"])
    assert untouched == {"entity:shop.orders.models.Order": "x", "entity:shop.catalog.models.Product": "catalog"}


def test_a_table_family_has_one_owner():
    # multi-table inheritance (zds-site's forum Post(Comment)): the child's rows live in its
    # parent's table too, so the family is owned whole, by the rule over its reads and writes
    from dataclasses import replace

    from analyzer.model import Edge, Entity

    a = minishop.analysis()
    special = Entity("entity:shop.orders.models.RushOrder", "RushOrder", "rush_order", "shop.orders.models.RushOrder",
                     "shop.orders.models", "django", 9)
    writes = [Edge("shop.notify.email.send", special.id, "write", 5),
              Edge("shop.orders.models.RushOrder", "shop.orders.models.Order", "inherit", 1)]
    a = replace(a, entities=[*a.entities, special], edges=[*a.edges, *writes])
    placement = {"shop.catalog.services.reserve": "catalog", "shop.orders.services.OrderService.place": "orders",
                 "shop.notify.email.send": "notify", "shop.catalog.services.get_product": "catalog",
                 "shop.catalog.models.Product": "catalog", "shop.orders.models.Order": "orders"}
    owner = own_entities(a, placement, ["catalog", "notify", "orders"])
    # notify writes the child five times, orders the parent twice: the family goes to notify
    assert owner["entity:shop.orders.models.Order"] == owner[special.id] == "notify"
    assert owner["entity:shop.catalog.models.Product"] == "catalog"


def _shop_with_subclasses():
    """minishop with a proxy of Order (no entity of its own), a class below an abstract model,
    and ``place`` placed in notify beside ``send``."""
    from dataclasses import replace

    from analyzer.model import Edge, Entity, Symbol

    a = minishop.analysis(with_decomposition=False)
    extra = [Symbol("shop.notify.email.UrgentOrder", "class", "shop.notify.email", "UrgentOrder", 12, 14),
             Symbol("shop.notify.email.UrgentOrder.bump", "method", "shop.notify.email", "bump", 13, 14),
             Symbol("shop.common.money.Base", "class", "shop.common.money", "Base", 6, 8),
             Symbol("shop.common.money.Priced", "class", "shop.common.money", "Priced", 9, 10)]
    base = Entity("entity:shop.common.money.Base", "Base", None, "shop.common.money.Base", "shop.common.money",
                  "django", 6, abstract=True)
    inherits = [Edge("shop.notify.email.UrgentOrder", "shop.orders.models.Order", "inherit", 1),
                Edge("shop.common.money.Priced", "shop.common.money.Base", "inherit", 1)]
    return replace(a, symbols=[*a.symbols, *extra], entities=[*a.entities, base], edges=[*a.edges, *inherits])


def _placed(a, where):
    """Every symbol's service: units from ``where`` (else shared), nested symbols with their unit."""
    index = MemberIndex.build(a.symbols, (e.id for e in a.entities))
    return index, {sid: where.get(unit, SHARED) for sid, unit in index.unit_of.items()}


SHOP_UNITS = {"shop.catalog.models": "catalog", "shop.catalog.models.Product": "catalog",
              "shop.catalog.services": "catalog", "shop.catalog.services.get_product": "catalog",
              "shop.catalog.services.reserve": "catalog", "shop.orders.models": "orders",
              "shop.orders.services": "orders", "shop.orders.services.OrderService": "orders",
              "shop.notify.email": "notify", "shop.notify.email.send": "notify",
              "shop.notify.email.UrgentOrder": "notify"}


def test_model_classes_are_concrete_models_and_their_aliases():
    a = _shop_with_subclasses()
    inherits = [(e.source, e.target) for e in a.edges if e.kind == "inherit"]
    assert model_classes(a.entities, inherits) == {
        "shop.catalog.models.Product": "entity:shop.catalog.models.Product",
        "shop.orders.models.Order": "entity:shop.orders.models.Order",
        "shop.notify.email.UrgentOrder": "entity:shop.orders.models.Order",  # a proxy: Order's rows
    }  # Priced derives from an abstract model, which has no rows; Base itself is abstract


def _order_class_in_notify(**options):
    """``place_models`` on the shop with Order's class (and its proxy) in notify, though
    orders writes Order: ``(placement before, owner, placement after, moves)``."""
    a = _shop_with_subclasses()
    index, placement = _placed(a, {**SHOP_UNITS, "shop.orders.models.Order": "notify"})
    return (placement, *place_models(a, placement, ["catalog", "notify", "orders"], index, **options))


def test_a_model_class_goes_to_its_entity_owner_with_its_methods():
    _, owner, placed, moves = _order_class_in_notify()
    assert owner["entity:shop.orders.models.Order"] == "orders"
    assert moves == [("shop.notify.email.UrgentOrder", "notify", "orders"),
                     ("shop.orders.models.Order", "notify", "orders")]
    assert placed["shop.orders.models.Order"] == placed["shop.notify.email.UrgentOrder.bump"] == "orders"
    assert placed["shop.notify.email.send"] == "notify"
    assert placed["shop.common.money.Priced"] == SHARED  # below an abstract model: no rows to follow


def test_a_model_class_the_user_placed_stays_and_its_rows_follow_it():
    placement, owner, placed, moves = _order_class_in_notify(held={"shop.orders.models.Order": "notify"})
    assert owner["entity:shop.orders.models.Order"] == "notify"
    assert moves == [] and placed == placement
    # the user's pin of the entity wins over the class's place: then the class is not moved either
    _, owner, _, moves = _order_class_in_notify(held={"shop.orders.models.Order": "notify"},
                                                pinned={"entity:shop.orders.models.Order": "catalog"})
    assert owner["entity:shop.orders.models.Order"] == "catalog"
    assert moves == [("shop.notify.email.UrgentOrder", "notify", "catalog")]


def test_a_model_class_stays_when_its_entity_is_pinned_to_no_service():
    # an entity pinned to a name no unit has (a community of entities alone is no service):
    # there is nowhere to move its class to
    placement, owner, placed, moves = _order_class_in_notify(pinned={"entity:shop.orders.models.Order": "billing"})
    assert owner["entity:shop.orders.models.Order"] == "billing"
    assert moves == [] and placed == placement


def test_a_model_class_alone_in_its_service_keeps_it_and_owns_its_rows():
    a = _shop_with_subclasses()
    units = {**SHOP_UNITS, "shop.orders.models.Order": "ledger"}
    del units["shop.notify.email.UrgentOrder"]
    index, placement = _placed(a, units)
    owner, _, moves = place_models(a, placement, ["catalog", "ledger", "notify", "orders"], index)
    assert owner["entity:shop.orders.models.Order"] == "ledger"
    assert moves == [("shop.notify.email.UrgentOrder", SHARED, "ledger")]  # the proxy follows


def test_refine_algorithm_with_more_services_than_packages(planted):
    analysis, _ = planted
    result = decompose(analysis, ClusterOptions(algorithm="refine", services=10))
    assert len(result.decomposition.services) == 10


def test_functions_written_in_the_wrong_module_follow_their_calls():
    analysis, truth = synth.generate(services=6, modules=3, units=6, misplaced=0.1, seed=4)
    moved = [u for u in truth if ".moved_" in u]
    assert moved
    found = decompose(analysis).decomposition.assignment()
    assert mojofm(found, truth) >= 95
    assert sum(found[u] == truth[u] for u in moved) >= 0.8 * len(moved)


def test_large_graphs_are_coarsened_first(monkeypatch):
    from analyzer.cluster import coarsen

    monkeypatch.setattr(coarsen, "COARSEN_ABOVE", 10)
    analysis, truth = synth.generate(services=8, modules=3, units=6, misplaced=0.1, seed=2)
    result = decompose(analysis, ClusterOptions(seed=1))
    assert result.decomposition.params["coarsened"] == "label-propagation"
    assert mojofm(result.decomposition.assignment(), truth) >= 95


def test_coarsening_never_makes_a_giant_group():
    import networkx as nx

    from analyzer.cluster.coarsen import contract, groups

    g = nx.complete_graph([f"m{i // 10}.u{i}" for i in range(200)])
    nx.set_edge_attributes(g, 1.0, "weight")
    group_of = groups(g, seed=0, module_of={n: n.split(".")[0] for n in g})
    assert max(list(group_of.values()).count(x) for x in set(group_of.values())) <= 10
    coarse = contract(g, group_of)
    # degrees are kept: total weight of the coarse graph equals the fine one's
    assert coarse.size(weight="weight") == g.size(weight="weight")


def test_label_propagation_makes_networkx_fast_label_propagation_communities():
    """Our coarsening's label propagation (integer-indexed) draws what networkx's does: the
    same communities in the same order, on weighted graphs with ties, self-loops and
    isolated nodes."""
    import random

    import networkx as nx

    from analyzer.cluster.coarsen import label_propagation

    for trial in range(12):
        rnd = random.Random(trial)
        g = nx.Graph()
        g.add_nodes_from(f"m{rnd.randrange(9)}.u{i}" for i in range(60 + 20 * trial))
        nodes = list(g)
        for _ in range(3 * len(nodes)):
            a, b = rnd.choice(nodes), rnd.choice(nodes)  # a == b: a self-loop
            g.add_edge(a, b, weight=float(rnd.choice([1, 1, 2, 0.5])))
        for seed in (0, 7):
            ours = label_propagation(g, seed=seed)
            theirs = list(nx.community.fast_label_propagation_communities(g, weight="weight", seed=seed))
            assert ours == theirs


def test_sorted_items_is_the_order_of_the_tuples():
    import random

    from analyzer.graph import sorted_items

    names = ["a", "a.b", "a.b.c", "a b", "ab", "a_b", "A", "app:a", "é.x", "z", "a.", ".a", "a.bc", "a\t"]
    rnd = random.Random(3)
    items = list({(a, b): rnd.random() for a in names for b in names if a != b}.items())
    rnd.shuffle(items)
    assert sorted_items(items) == sorted(items)
    triples = list({(a, b, k): rnd.random() for a in names for b in names for k in ("call", "import")}.items())
    rnd.shuffle(triples)
    assert sorted_items(triples) == sorted(triples)


def test_a_quiet_piece_of_an_app_is_folded_into_the_service_reading_it():
    """freqtrade's ``commands/cli_options.py``: a table of argument definitions that the
    ``commands`` service imports, serving nothing, owning nothing, calling nothing and called
    by nothing, came out a service of its own. It is folded into the service it is most tied
    to when that one is mostly the same app; a quiet service of another app (the separate REST
    client package importing one schema module), one a call crosses into, one holding an
    entry point and a pinned one stay."""
    from analyzer.cluster.fragments import fold_quiet

    app = {"cmd.main": "commands", "cmd.run": "commands", "cmd.options": "commands",
           "conf.schema": "configuration", "conf.load": "configuration",
           "client.rest": "client", "client.cli": "client",
           "api.views": "api", "api.helpers": "api", "api.tables": "api"}
    partition = [{"cmd.main", "cmd.run"}, {"cmd.options"}, {"conf.schema", "conf.load"},
                 {"client.rest", "client.cli"}, {"api.views"}, {"api.helpers", "api.tables"}]
    edges = [("cmd.main", "cmd.options", 1.0), ("cmd.main", "cmd.run", 4.0), ("client.cli", "conf.schema", 1.0),
             ("client.rest", "client.cli", 3.0), ("conf.schema", "conf.load", 2.0),
             ("api.views", "api.helpers", 2.0), ("api.helpers", "api.tables", 1.0), ("cmd.run", "conf.load", 1.0)]
    holders = {"cmd.main", "conf.load", "api.views"}
    calls = {("cmd.run", "conf.load"), ("api.views", "api.helpers")}
    folded, count = fold_quiet(partition, edges, holders, calls, app.__getitem__)
    assert count == 1
    assert {"cmd.main", "cmd.run", "cmd.options"} in folded  # the options table joins commands
    assert {"client.rest", "client.cli"} in folded  # another app: stays
    assert {"api.helpers", "api.tables"} in folded  # called by api.views: a service in its own right
    assert {"api.views"} in folded and len(folded) == 5

    pinned, count = fold_quiet(partition, edges, holders, calls, app.__getitem__, keep={"cmd.options"})
    assert count == 0 and {"cmd.options"} in pinned

    # two quiet pieces of one app tied most to each other become one service
    pair = [{"cmd.main"}, {"cmd.options"}, {"cmd.run"}]
    together, count = fold_quiet(pair, [("cmd.options", "cmd.run", 2.0), ("cmd.main", "cmd.run", 1.0)],
                                 {"cmd.main"}, set(), app.__getitem__)
    assert count == 1 and {"cmd.options", "cmd.run"} in together


def test_a_piece_of_an_app_nobody_calls_is_quiet_whatever_it_calls():
    """DefectDojo's ``tools/openvas/``: a parser that ``tools/`` loads by name (no call in),
    serving no entry point, owning no entity, calling the parsers' shared helpers, came out a
    service nobody could reach. It is folded into the service of its app it is most tied to;
    a piece that another service calls is one in its own right."""
    from analyzer.cluster.fragments import fold_quiet

    app = {"tools.factory": "tools", "tools.helpers": "tools", "tools.openvas.parser": "tools",
           "tools.sslyze.parser": "tools", "api.views": "api"}
    partition = [{"tools.factory", "tools.helpers"}, {"tools.openvas.parser"}, {"tools.sslyze.parser"},
                 {"api.views"}]
    edges = [("tools.openvas.parser", "tools.helpers", 3.0), ("tools.sslyze.parser", "tools.helpers", 2.0),
             ("tools.factory", "tools.helpers", 1.0), ("api.views", "tools.factory", 2.0)]
    calls = {("tools.openvas.parser", "tools.helpers"), ("tools.sslyze.parser", "tools.helpers"),
             ("api.views", "tools.factory")}
    folded, count = fold_quiet(partition, edges, {"api.views"}, calls, app.__getitem__)
    assert count == 2
    assert {"tools.factory", "tools.helpers", "tools.openvas.parser", "tools.sslyze.parser"} in folded
    called = calls | {("tools.factory", "tools.sslyze.parser")}
    kept, count = fold_quiet(partition, edges, {"api.views"}, called, app.__getitem__)
    assert count == 1 and {"tools.sslyze.parser"} in kept

    # a quiet piece with more units than its strongest tie is no scrap of it: it stays
    big = {"tools.openvas.parser", *(f"tools.openvas.generated.C{i}" for i in range(3))}
    app.update({n: "tools" for n in big})
    larger, count = fold_quiet([partition[0], big, partition[2], partition[3]], edges, {"api.views"}, calls,
                               app.__getitem__)
    assert count == 1 and big in larger
