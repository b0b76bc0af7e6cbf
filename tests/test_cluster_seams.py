"""Mechanisms for real monoliths: a layered GraphQL app, generic data code in the shared
library, writers following their data, and oversized services split along their seams."""

from pathlib import Path

import networkx as nx
import pytest
from helpers import load_module

from analyzer.analysis import Analysis
from analyzer.cluster import ClusterOptions, decompose
from analyzer.cluster import shared as shared_module
from analyzer.cluster.balance import split_oversized
from analyzer.cluster.layout import build_layout
from analyzer.cluster.shared import detect_shared
from analyzer.cluster.weights import DEFAULT_WEIGHTS
from analyzer.cluster.writers import follow_writes
from analyzer.compare import mojofm
from analyzer.metrics import baseline_decompositions
from analyzer.model import SHARED, Edge, Entity, ModuleInfo, Symbol

FIXTURES = Path(__file__).parent / "fixtures" / "cluster"


def _load(name):
    return load_module(FIXTURES / f"{name}.py")


layered = _load("layered")
synth = _load("synth")


def as_sorted(partition):
    return sorted(sorted(c) for c in partition)


def services_of(decomposition):
    return {s.name: set(s.members) for s in decomposition.services}


# -- a layered monolith ------------------------------------------------------------------------


def test_a_layered_monolith_gives_one_service_per_app():
    analysis, truth = layered.generate()
    result = decompose(analysis)
    d = result.decomposition
    assert d.assignment() == truth
    assert sorted(services_of(d)) == ["account", "order", "product"]
    assert d.service("order").entities == ("entity:mall.order.models.Order",)
    assert result.info["root_package"] == "mall" and result.info["layers"] == ["graphql"]
    rules = {s["module"]: s["rule"] for s in result.info["shared"]}
    assert rules == {"mall.core.mutations": "library", "mall.core.utils": "library", "mall.graphql.api": "wiring",
                     "mall.settings": "library", "manage": "library client"}


def test_without_the_app_prior_the_graphql_types_form_a_service_of_their_own(monkeypatch):
    from analyzer.cluster import quality

    monkeypatch.setattr(quality, "TINY_FLOOR", 0)  # the fixture's apps are a few dozen lines each
    analysis, truth = layered.generate()
    d = decompose(analysis, ClusterOptions(weights={"app": 0})).decomposition
    types = {f"mall.graphql.{app}.types{suffix}" for app, model in (("order", "Order"), ("product", "Product"),
                                                                     ("account", "User"))
             for suffix in ("", f".{model}Type")}
    assert services_of(d)["account-graphql"] == types
    assert mojofm(d.assignment(), truth) < 80


def test_the_one_per_package_baseline_uses_the_apps_below_the_root():
    analysis, _ = layered.generate()
    baseline = baseline_decompositions(analysis)["one-per-package"]
    groups = services_of(baseline)
    assert {"account", "order", "product", "core", "graphql", "manage", "mall", "settings"} == set(groups)
    assert "mall.graphql.order.types.OrderType" in groups["order"]


# -- the shared library: generic and incidental data access ------------------------------------


def test_generic_data_code_can_be_a_library(monkeypatch):
    analysis, _ = layered.generate()
    layout = build_layout({s.module for s in analysis.symbols})
    found = {s.module for s in detect_shared(analysis, layout, DEFAULT_WEIGHTS)}
    assert "mall.core.mutations" in found  # it saves the models of three apps: generic
    monkeypatch.setattr(shared_module, "GENERIC_DATA_APPS", 4)
    found = {s.module for s in detect_shared(analysis, layout, DEFAULT_WEIGHTS)}
    assert "mall.core.mutations" not in found and "mall.core.utils" in found


def helper_analysis(reads: int) -> Analysis:
    """``lib.perms`` is used by four apps (fan-in 100) and reads one app's table ``reads`` times."""
    symbols = [Symbol("lib.perms", "module", "lib.perms", "perms", 1, 20),
               Symbol("lib.perms.check", "function", "lib.perms", "check", 2, 10)]
    modules = [ModuleInfo("lib.perms", "lib/perms.py", 20, "0")]
    edges = []
    for app in ("a", "b", "c", "d"):
        mod = f"lib.{app}.views"
        symbols += [Symbol(mod, "module", mod, "views", 1, 20), Symbol(f"{mod}.view", "function", mod, "view", 2, 9)]
        modules.append(ModuleInfo(mod, f"lib/{app}/views.py", 20, "0"))
        edges.append(Edge(f"{mod}.view", "lib.perms.check", "call", 25))
    symbols += [Symbol("lib.a.models", "module", "lib.a.models", "models", 1, 9),
                Symbol("lib.a.models.Perm", "class", "lib.a.models", "Perm", 2, 8),
                Symbol("entity:lib.a.models.Perm", "entity", "lib.a.models", "Perm")]
    modules.append(ModuleInfo("lib.a.models", "lib/a/models.py", 9, "0"))
    entities = [Entity("entity:lib.a.models.Perm", "Perm", "perm", "lib.a.models.Perm", "lib.a.models", "django", 2)]
    edges.append(Edge("lib.perms.check", "entity:lib.a.models.Perm", "read", reads))
    return Analysis(root="/lib", modules=modules, symbols=symbols, edges=edges, entities=entities)


def test_a_lookup_now_and_then_does_not_stop_a_library_but_data_logic_does():
    layout = build_layout(["lib.perms", "lib.a.views", "lib.b.views", "lib.c.views", "lib.d.views", "lib.a.models"])
    rare = detect_shared(helper_analysis(reads=2), layout, DEFAULT_WEIGHTS)  # 2 sites <= 2% of 100
    assert {s.module: s.rule for s in rare}["lib.perms"] == "library"
    assert "lib.perms" not in {s.module for s in detect_shared(helper_analysis(reads=10), layout, DEFAULT_WEIGHTS)}


def records_analysis(reads: dict[str, int]) -> Analysis:
    """``lib.records`` is used by four apps (fan-in 100) and reads ``reads[app]`` times the
    table of each app named."""
    symbols = [Symbol("lib.records", "module", "lib.records", "records", 1, 20),
               Symbol("lib.records.fetch", "function", "lib.records", "fetch", 2, 10)]
    modules = [ModuleInfo("lib.records", "lib/records.py", 20, "0")]
    edges, entities = [], []
    for app in ("a", "b", "c", "d"):
        for mod, name in ((f"lib.{app}.views", "view"), (f"lib.{app}.models", "Row")):
            symbols += [Symbol(mod, "module", mod, mod.rsplit(".", 1)[-1], 1, 20),
                        Symbol(f"{mod}.{name}", "class" if name == "Row" else "function", mod, name, 2, 9)]
            modules.append(ModuleInfo(mod, mod.replace(".", "/") + ".py", 20, "0"))
        entity = f"entity:lib.{app}.models.Row"
        symbols.append(Symbol(entity, "entity", f"lib.{app}.models", "Row"))
        entities.append(Entity(entity, "Row", f"{app}_row", f"lib.{app}.models.Row", f"lib.{app}.models", "django", 2))
        edges.append(Edge(f"lib.{app}.views.view", "lib.records.fetch", "call", 25))
        if reads.get(app):
            edges.append(Edge("lib.records.fetch", entity, "read", reads[app]))
    return Analysis(root="/lib", modules=modules, symbols=symbols, edges=edges, entities=entities)


def test_data_code_spread_over_many_apps_is_generic_but_one_apps_business_is_not():
    """A helper reading the tables of three apps alike (a base repository) is a library; one
    reading mostly one app's table, and the others' now and then, is that app's business
    (zou's ``tasks_service``: tasks above all, projects and people too)."""
    modules = ["lib.records", *[f"lib.{a}.{m}" for a in "abcd" for m in ("views", "models")]]
    layout = build_layout(modules, [f"lib.{a}.models" for a in "abcd"])
    spread = detect_shared(records_analysis({"a": 3, "b": 3, "c": 3}), layout, DEFAULT_WEIGHTS)
    assert {s.module: s.rule for s in spread}.get("lib.records") == "library"
    mostly_a = detect_shared(records_analysis({"a": 12, "b": 2, "c": 2}), layout, DEFAULT_WEIGHTS)
    assert "lib.records" not in {s.module for s in mostly_a}


def test_a_module_many_apps_use_that_stays_out_of_the_library_says_why():
    """The report's list of helpers every app calls that still belong to one service: a
    module reading mostly one app's table, and a module serving entry points, each with
    the rule that kept it out (``kept_out``); a module in the library is not listed."""
    from analyzer.model import Route

    modules = ["lib.records", *[f"lib.{a}.{m}" for a in "abcd" for m in ("views", "models")]]
    layout = build_layout(modules, [f"lib.{a}.models" for a in "abcd"])
    kept: dict = {}
    detect_shared(records_analysis({"a": 12, "b": 2, "c": 2}), layout, DEFAULT_WEIGHTS, kept_out=kept)
    assert set(kept) == {"lib.records"}
    assert kept["lib.records"].why == "75% of its 16 data accesses are to entities of a: that app's business"
    assert kept["lib.records"].groups == ("a", "b", "c", "d")
    kept = {}
    detect_shared(records_analysis({"a": 3, "b": 3, "c": 3}), layout, DEFAULT_WEIGHTS, kept_out=kept)
    assert kept == {}  # in the library
    api = records_analysis({})
    api.routes = [Route("entry:http:GET /r", "http", "lib.records.fetch", "/r", ("GET",), module="lib.records")]
    detect_shared(api, layout, DEFAULT_WEIGHTS, kept_out=kept)
    assert kept["lib.records"].why == "handles 1 entry point: an API, not a library"


def test_a_module_serving_many_web_endpoints_is_an_api_not_wiring():
    """A module that touches no data, uses the code of many apps and is used by none is wiring
    (an application factory), even with a ``/health`` route of its own; one serving a page
    per resource is a capability's API, however thin (zou's ``blueprints/*/resources.py``)."""
    from analyzer.model import Route

    symbols, modules, edges = [], [], []
    for mod in ("lib.web", "lib.a.services", "lib.b.services", "lib.c.services", "lib.d.services"):
        symbols.append(Symbol(mod, "module", mod, mod.rsplit(".", 1)[-1], 1, 40))
        modules.append(ModuleInfo(mod, mod.replace(".", "/") + ".py", 40, "0"))
    for i, app in enumerate("abcd"):
        symbols += [Symbol(f"lib.web.r{i}", "function", "lib.web", f"r{i}", 2 + i, 2 + i),
                    Symbol(f"lib.{app}.services.f", "function", f"lib.{app}.services", "f", 2, 9)]
        edges.append(Edge(f"lib.web.r{i}", f"lib.{app}.services.f", "call", 3))
    analysis = Analysis(root="/lib", modules=modules, symbols=symbols, edges=edges)
    layout = build_layout([m.name for m in modules])

    def served(n: int) -> Analysis:
        routes = [Route(f"entry:http:GET /r{i}", "http", f"lib.web.r{i}", f"/r{i}", ("GET",), module="lib.web")
                  for i in range(n)]
        return Analysis(root="/lib", modules=modules, symbols=symbols, edges=edges, routes=routes)

    assert {s.module: s.rule for s in detect_shared(served(1), layout, DEFAULT_WEIGHTS)} == {"lib.web": "wiring"}
    assert "lib.web" not in {s.module for s in detect_shared(served(4), layout, DEFAULT_WEIGHTS)}
    assert {s.module for s in detect_shared(analysis, layout, DEFAULT_WEIGHTS)} == {"lib.web"}


def test_an_unused_plugin_deep_in_a_feature_stays_with_it_and_entry_scripts_are_library_clients():
    """Modules that use nothing but the library and that nobody uses: a top-level script, a
    deep module under an entry script's name or among settings joins the library; a plugin
    the framework loads from a feature package does not."""
    symbols, modules, edges = [], [], []
    for mod in ("lib.core.api", "lib.a.views", "lib.b.views", "lib.c.views", "run", "lib.a.cli",
                "lib.conf.settings.prod", "lib.a.plugins.torrent"):
        symbols += [Symbol(mod, "module", mod, mod.rsplit(".", 1)[-1], 1, 20), Symbol(f"{mod}.f", "function", mod, "f", 2, 9)]
        modules.append(ModuleInfo(mod, mod.replace(".", "/") + ".py", 20, "0"))
    for user in ("lib.a.views", "lib.b.views", "lib.c.views", "run", "lib.a.cli", "lib.conf.settings.prod",
                 "lib.a.plugins.torrent"):
        edges.append(Edge(f"{user}.f", "lib.core.api.f", "call", 5))
    analysis = Analysis(root="/lib", modules=modules, symbols=symbols, edges=edges)
    layout = build_layout([m.name for m in modules])
    rules = {s.module: s.rule for s in detect_shared(analysis, layout, DEFAULT_WEIGHTS)}
    assert rules == {"lib.core.api": "library", "run": "library client", "lib.a.cli": "library client",
                     "lib.conf.settings.prod": "library client"}


# -- writers follow their data -----------------------------------------------------------------


def writer_graph(tie_home, tie_there):
    g = nx.Graph()
    g.add_weighted_edges_from([("a", "b", 3), ("x", "y", 3), ("x", "e", 3), ("w", "e", 2)])
    g.add_edge("w", "a", weight=tie_home)
    g.add_edge("w", "y", weight=tie_there)
    return g


def test_a_unit_writing_only_another_services_table_moves_there():
    parts, moved = follow_writes(writer_graph(3, 0), [{"a", "b", "w"}, {"e", "x", "y"}], {"w": {"e": 1}})
    # ties: home 3, there 2 (the write itself) >= 0.5 x 3
    assert as_sorted(parts) == [["a", "b"], ["e", "w", "x", "y"]] and moved == ["w"]


def test_writers_stay_when_tied_home_pinned_split_or_alone():
    start = [{"a", "b", "w"}, {"e", "x", "y"}]
    # far more tied at home than to its data: stays
    assert follow_writes(writer_graph(6, 0), start, {"w": {"e": 1}})[1] == []
    # pinned: never moves
    assert follow_writes(writer_graph(3, 0), start, {"w": {"e": 1}}, fixed={"w"})[1] == []
    # writes to tables of two services: the transaction crosses services whatever we do
    assert follow_writes(writer_graph(3, 0), start, {"w": {"e": 1, "b": 1}})[1] == []
    # a token of another value in the target (an ``apart`` group): stays
    tokens = {"w": {"apart-0": "0"}, "x": {"apart-0": "1"}}
    assert follow_writes(writer_graph(3, 0), start, {"w": {"e": 1}}, tokens=tokens)[1] == []
    # never empties a service
    assert follow_writes(writer_graph(3, 0), [{"w"}, {"a", "b", "e", "x", "y"}], {"w": {"e": 1}})[1] == []


def test_decompose_records_the_writers_it_moved():
    analysis, _ = layered.generate()
    info = decompose(analysis).info
    assert info["writers_moved"] == 0  # every writer already sits with its data
    assert decompose(analysis, ClusterOptions(follow_writes=False)).decomposition == decompose(analysis).decomposition


# -- balance -----------------------------------------------------------------------------------


def two_blocks_and_a_pair():
    g = nx.Graph()
    for block in ("abcd", "wxyz"):
        for i, u in enumerate(block):
            for v in block[i + 1:]:
                g.add_edge(u, v, weight=2.0)
    g.add_edge("d", "w", weight=1.0)
    g.add_edge("p", "q", weight=2.0)
    for n in g:
        g.nodes[n]["size"] = 10.0
    return g


def test_an_oversized_service_is_split_along_its_seam():
    g = two_blocks_and_a_pair()
    # "s" is no node of the graph (it had no edge): it stays with the first of the largest pieces
    parts, splits = split_oversized(g, [set("abcdwxyzs"), {"p", "q"}], max_share=0.5, min_split=0)
    assert as_sorted(parts) == [list("abcds"), ["p", "q"], list("wxyz")]
    assert splits == [{"size": pytest.approx(81 / 101, abs=1e-4), "pieces": 2, "seam": pytest.approx(0.46)}]
    # the same service is no larger than balance.MIN_SPLIT lines: a small app's service stays whole
    assert split_oversized(g, [set("abcdwxyzs"), {"p", "q"}], max_share=0.5)[1] == []


def test_no_split_without_a_seam_for_pinned_services_or_below_the_bound():
    g = two_blocks_and_a_pair()
    block = nx.complete_graph(list("abcdefgh"))
    nx.set_edge_attributes(block, 1.0, "weight")
    whole, splits = split_oversized(block, [set("abcdefgh")], max_share=0.5, min_split=0)
    assert as_sorted(whole) == [list("abcdefgh")] and splits == []  # one tight block: no seam
    assert split_oversized(g, [set("abcdwxyz"), {"p", "q"}], max_share=0.5, fixed={"a"}, min_split=0)[1] == []
    assert split_oversized(g, [set("abcdwxyz"), {"p", "q"}], max_share=0.9, min_split=0)[1] == []


def test_decompose_splits_a_service_above_the_bound(monkeypatch):
    from analyzer.cluster import balance

    analysis, truth = synth.generate(services=3, modules=4, units=6, cross=0.0, seed=1)
    monkeypatch.setattr(balance, "MAX_SHARE", 0.2)
    monkeypatch.setattr(balance, "MIN_SPLIT", 0)  # the planted services are small
    monkeypatch.setattr(balance, "MIN_SEAM", 0.0)  # a random call graph inside has no clear seam
    result = decompose(analysis)
    assert result.info["split"] and all(s["pieces"] >= 2 for s in result.info["split"])
    assert len(result.decomposition.services) > 3
    # every piece stays inside one planted capability
    for s in result.decomposition.services:
        assert len({truth[m] for m in s.members if truth.get(m, SHARED) != SHARED}) == 1


def test_a_split_keeps_no_scrap_of_a_few_lines_as_a_service_of_its_own():
    """mediacms: splitting the oversized ``files`` service kept 14 pieces, five of them one
    function or class of 2 to 8 lines, because the merge trace joins connected pieces first.
    A piece under the tiny size joins the piece it is most tied to, else the largest."""
    g = nx.Graph()
    g.add_weighted_edges_from([("a", "b", 3), ("b", "c", 3), ("c", "a", 3), ("x", "y", 3), ("y", "z", 3),
                               ("z", "x", 3), ("a", "x", 1), ("t1", "t2", 1), ("p", "q", 3)])
    for n in g:
        g.nodes[n]["size"] = 5.0 if n.startswith("t") else 400.0
    parts, splits = split_oversized(g, [{"a", "b", "c", "x", "y", "z", "t1", "t2"}, {"p", "q"}],
                                    max_share=0.5, min_split=0)
    assert sorted(sorted(p) for p in parts) == [["a", "b", "c", "t1", "t2"], ["p", "q"], ["x", "y", "z"]]
    assert splits[0]["pieces"] == 2


# -- strays ------------------------------------------------------------------------------------


def test_a_tiny_service_tied_to_nothing_is_no_service():
    analysis, truth = layered.generate()
    # a setup script beside the package: its function and module hang together, nothing else
    # (7 lines, below 2 % of the fixture's code)
    analysis.symbols += [Symbol("setup", "module", "setup", "setup", 1, 5),
                         Symbol("setup.main", "function", "setup", "main", 2, 4)]
    analysis.modules.append(ModuleInfo("setup", "setup.py", 5, "0"))
    result = decompose(analysis)
    d = result.decomposition
    assert result.info["strays"] == 1
    assert {"setup", "setup.main"} <= set(d.shared)
    assert sorted(services_of(d)) == ["account", "order", "product"]
    assert all(d.assignment()[u] == label for u, label in truth.items())


def test_a_command_line_tied_to_nothing_is_a_developers_script_not_a_service():
    """A release script's typer commands (the FastAPI template's ``scripts/prepare_release.py``)
    are entry points, but a service tied to nothing that serves nothing but commands is a
    developer's tool, set aside like any idle stray; a command line that uses the app is tied
    to it and stays where the cut puts it."""
    from analyzer.model import Route

    analysis, _ = layered.generate()
    lines = sum(m.lines for m in analysis.modules)
    # (in a folder not named like operational code: ``scripts/`` is set aside by its name,
    # see the next test)
    analysis.symbols += [Symbol("release.prepare", "module", "release.prepare", "prepare", 1, lines),
                         Symbol("release.prepare.run", "function", "release.prepare", "run", 2, lines - 1)]
    analysis.modules.append(ModuleInfo("release.prepare", "release/prepare.py", lines, "0"))
    analysis.routes.append(Route("entry:command:prepare", "command", "release.prepare.run", name="prepare",
                                 module="release.prepare"))
    result = decompose(analysis)
    assert result.info["strays"] == 1
    assert {"release.prepare", "release.prepare.run"} <= set(result.decomposition.shared)
    assert sorted(services_of(result.decomposition)) == ["account", "order", "product"]


def test_operational_scripts_are_set_aside_and_choose_no_owner():
    """polar's ``scripts/`` (159 backfills, seeds and linters, typer commands each) came out as
    four services of their own, one of them owning eleven entities: a backfill writes rows.
    A top-level folder of operational code that nothing outside uses but tests is tooling:
    set aside with the shared library, its writes choose no owner. The same code under a
    name that is no tool folder, used by an app, stays in the cut."""
    from analyzer.model import Route

    analysis, _ = layered.generate()
    backfill = "scripts.backfill_orders"
    analysis.symbols += [Symbol(backfill, "module", backfill, "backfill_orders", 1, 200),
                         Symbol(f"{backfill}.run", "function", backfill, "run", 2, 199)]
    analysis.modules.append(ModuleInfo(backfill, "scripts/backfill_orders.py", 200, "0"))
    analysis.routes.append(Route("entry:command:backfill", "command", f"{backfill}.run", name="backfill",
                                 module=backfill))
    analysis.edges += [Edge(f"{backfill}.run", "entity:mall.product.models.Product", "write", 40),
                       Edge(f"{backfill}.run", "mall.order.actions.update", "call", 3),
                       Edge("tests.scripts.test_backfill", f"{backfill}.run", "call")]
    analysis.symbols.append(Symbol("tests.scripts.test_backfill", "module", "tests.scripts.test_backfill",
                                   "test_backfill", 1, 5))
    analysis.modules.append(ModuleInfo("tests.scripts.test_backfill", "tests/scripts/test_backfill.py", 5, "0"))
    result = decompose(analysis)
    d = result.decomposition
    assert {backfill, f"{backfill}.run"} <= set(d.shared)
    assert {"module": backfill, "rule": "tooling"}.items() <= next(
        s for s in result.info["shared"] if s["module"] == backfill).items()
    owner = {e: s.name for s in d.services for e in s.entities}
    assert owner["entity:mall.product.models.Product"] == "product"
    assert sorted(services_of(d)) == ["account", "order", "product"]
    # the report names the data the script reaches past its owner
    from analyzer.interfaces import ToolWrite, risks

    analysis.decomposition, analysis.clustering = d, result.info
    assert risks(analysis).tool_writes == (ToolWrite("entity:mall.product.models.Product", "product",
                                                     (f"{backfill}.run",)),)

    # used by the application: no tool, whatever its folder's name
    analysis.edges.append(Edge("mall.order.actions.create", f"{backfill}.run", "call"))
    used = {s["module"]: s["rule"] for s in decompose(analysis).info["shared"]}
    assert used.get(backfill) != "tooling"


def test_a_tool_folder_that_is_a_root_of_its_own_is_tooling_too():
    """mealie's ``dev/code-generation/`` has no ``__init__.py``: its scripts are the modules
    ``gen_docs_api`` and ``utils``, named from that folder, and they came out in a service
    with the API's routes they import. Their files' top-level folder says what they are."""
    analysis, _ = layered.generate()
    for module in ("gen_docs_api", "utils"):
        analysis.symbols += [Symbol(module, "module", module, module, 1, 80),
                             Symbol(f"{module}.run", "function", module, "run", 2, 79)]
        analysis.modules.append(ModuleInfo(module, f"dev/code-generation/{module}.py", 80, "0"))
    analysis.edges += [Edge("gen_docs_api.run", "utils.run", "call"),
                       Edge("gen_docs_api.run", "mall.order.actions.update", "call", 3)]
    rules = {s["module"]: s["rule"] for s in decompose(analysis).info["shared"]}
    assert rules.get("gen_docs_api") == "tooling" and rules.get("utils") == "tooling"
    # the same files beside the application's own code are no tool folder's
    import dataclasses

    analysis.modules = [dataclasses.replace(m, path=f"codegen/{m.name}.py") if m.name in ("gen_docs_api", "utils")
                        else m for m in analysis.modules]
    rules = {s["module"]: s["rule"] for s in decompose(analysis).info["shared"]}
    assert rules.get("gen_docs_api") != "tooling"


def test_a_tool_folder_module_serving_pages_keeps_what_it_uses_out_of_tooling():
    """A page in ``docs/`` (a proxy script's, indico's ``bin/utils/apiProxy.py``), and the
    helpers only it uses, are no tooling; beside them a documentation build script is. In
    polar's ``scripts/`` one backfill defines a table of its own: it alone stays out. A
    folder serving pages of its own data is an application (djangoproject.com's ``docs``)."""
    from analyzer.model import Route

    analysis, _ = layered.generate()

    def add(module, lines=40):
        analysis.symbols += [Symbol(module, "module", module, module.rsplit(".", 1)[-1], 1, lines),
                             Symbol(f"{module}.run", "function", module, "run", 2, lines - 1)]
        analysis.modules.append(ModuleInfo(module, module.replace(".", "/") + ".py", lines, "0"))

    for module in ("docs.views", "docs.utils", "docs.build", "scripts.make_table", "scripts.seed"):
        add(module)
    analysis.routes.append(Route("entry:http:GET /docs/", "http", "docs.views.run", path="/docs/",
                                 methods=("GET",), module="docs.views"))
    analysis.edges += [Edge("docs.views.run", "docs.utils.run", "call"),
                       Edge("docs.build.run", "docs.utils.run", "call"),
                       Edge("docs.views.run", "mall.order.actions.update", "call"),
                       Edge("scripts.seed.run", "scripts.make_table.run", "call"),
                       Edge("scripts.make_table.run", "entity:scripts.make_table.Scratch", "write")]
    analysis.symbols.append(Symbol("entity:scripts.make_table.Scratch", "entity", "scripts.make_table", "Scratch"))
    analysis.entities.append(Entity("entity:scripts.make_table.Scratch", "Scratch", "scratch",
                                    "scripts.make_table.Scratch", "scripts.make_table", "sqlalchemy", 2))
    rules = {s["module"]: s["rule"] for s in decompose(analysis).info["shared"]}
    assert rules.get("docs.build") == "tooling" and rules.get("scripts.seed") == "tooling"
    assert rules.get("docs.views") != "tooling" and rules.get("docs.utils") != "tooling"
    assert rules.get("scripts.make_table") != "tooling"

    # pages and data of its own: an application, none of it tooling
    add("docs.models")
    analysis.symbols.append(Symbol("entity:docs.models.Release", "entity", "docs.models", "Release"))
    analysis.entities.append(Entity("entity:docs.models.Release", "Release", "release", "docs.models.Release",
                                    "docs.models", "django", 2))
    analysis.edges.append(Edge("docs.views.run", "entity:docs.models.Release", "read"))
    rules = {s["module"]: s["rule"] for s in decompose(analysis).info["shared"]}
    assert rules.get("docs.build") != "tooling" and rules.get("scripts.seed") == "tooling"


def test_the_number_of_services_asked_for_does_not_count_the_strays():
    """Scraps tied to nothing are set aside as strays after the cut, so they must not count
    towards ``--services``: the merges reach them last, and asking for three services of this
    fixture (three capabilities and an isolated setup script) gave two, two capabilities
    merged (nautobot at ``--services 5``: one service of 122,000 lines and one isolated)."""
    analysis, truth = layered.generate()
    analysis.symbols += [Symbol("setup", "module", "setup", "setup", 1, 5),
                         Symbol("setup.main", "function", "setup", "main", 2, 4)]
    analysis.modules.append(ModuleInfo("setup", "setup.py", 5, "0"))
    d = decompose(analysis, ClusterOptions(services=3)).decomposition
    assert sorted(services_of(d)) == ["account", "order", "product"]
    assert {"setup", "setup.main"} <= set(d.shared)
    assert all(d.assignment()[u] == label for u, label in truth.items())


def test_settings_that_only_entry_scripts_name_are_configuration_not_a_service():
    """readthedocs: ``settings/base.py`` names every app's middleware and backends and is
    imported by ``settings/docker_compose.py``, which only ``wsgi.py`` names; the variant
    names the storage backends. Both are configuration every service gets, not a service
    of their own with the backends they name."""
    symbols, modules, edges = [], [], []
    apps = ("a", "b", "c", "d")
    mods = (*[f"lib.{app}.views" for app in apps], "lib.storage.s3", "lib.settings.base", "lib.settings.compose",
            "lib.wsgi")
    for mod in mods:
        symbols += [Symbol(mod, "module", mod, mod.rsplit(".", 1)[-1], 1, 20), Symbol(f"{mod}.f", "function", mod, "f", 2, 9)]
        modules.append(ModuleInfo(mod, mod.replace(".", "/") + ".py", 20, "0"))
    for app in apps:  # INSTALLED_APPS, MIDDLEWARE: strings naming every app
        edges.append(Edge("lib.settings.base", f"lib.{app}.views.f", "reference", 1))
    edges += [Edge("lib.settings.compose", "lib.settings.base", "import", 1),
              Edge("lib.settings.compose", "lib.storage.s3.f", "reference", 2),
              Edge("lib.wsgi", "lib.settings.compose", "reference", 1),
              Edge("lib.a.views.f", "lib.b.views.f", "call", 1)]
    analysis = Analysis(root="/lib", modules=modules, symbols=symbols, edges=edges)
    layout = build_layout([m.name for m in modules])
    rules = {s.module: s.rule for s in detect_shared(analysis, layout, DEFAULT_WEIGHTS)}
    assert rules["lib.settings.base"] == "wiring"
    assert rules["lib.settings.compose"] == "settings"
    assert "lib.storage.s3" not in rules  # the backends are code of their own app


def test_third_party_code_copied_into_the_tree_is_library():
    """OctoPrint's vendor/ (flask_principal, sockjs) came out as a service of its own."""
    symbols, modules, edges = [], [], []
    mods = ("app.printer.comm", "app.server.api", "app.vendor.sockjs.router", "app.vendor.flask_principal",
            "app.files.storage")
    for mod in mods:
        symbols += [Symbol(mod, "module", mod, mod.rsplit(".", 1)[-1], 1, 20), Symbol(f"{mod}.f", "function", mod, "f", 2, 9)]
        modules.append(ModuleInfo(mod, mod.replace(".", "/") + ".py", 20, "0"))
    edges += [Edge("app.server.api.f", "app.vendor.sockjs.router.f", "call", 3),
              Edge("app.vendor.sockjs.router.f", "app.vendor.flask_principal.f", "call", 1),
              Edge("app.server.api.f", "app.printer.comm.f", "call", 2)]
    analysis = Analysis(root="/app", modules=modules, symbols=symbols, edges=edges)
    layout = build_layout([m.name for m in modules])
    rules = {s.module: s.rule for s in detect_shared(analysis, layout, DEFAULT_WEIGHTS)}
    assert rules == {"app.vendor.sockjs.router": "vendored", "app.vendor.flask_principal": "vendored"}
