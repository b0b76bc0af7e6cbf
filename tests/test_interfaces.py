"""Derived service views on the hand-made mini shop (figures computed by hand)."""

import importlib.util
from pathlib import Path

from analyzer.interfaces import (
    ChattyEdge,
    OutgoingCall,
    dependency_matrix,
    risks,
    service_of,
    service_views,
)
from analyzer.model import SHARED, Decomposition, Service

_spec = importlib.util.spec_from_file_location(
    "minishop", Path(__file__).parent / "fixtures" / "cluster" / "minishop.py"
)
minishop = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(minishop)

PLACE = "shop.orders.services.OrderService.place"
GET = "shop.catalog.services.get_product"
RESERVE = "shop.catalog.services.reserve"
SEND = "shop.notify.email.send"


def test_service_of_places_every_symbol():
    a = minishop.analysis()
    placed = service_of(a)
    assert set(placed) >= {s.id for s in a.symbols}
    assert placed[PLACE] == "orders"  # method follows its class
    assert placed[PLACE + ".helper"] == "orders"  # nested def follows its unit
    assert placed["shop.common.money.fmt"] == SHARED
    assert placed["entity:shop.catalog.models.Product"] == "catalog"  # via owner
    assert placed["entry:http:POST /orders"] == "orders"  # via handler
    assert placed["entry:http:GET /products/<id>"] == "catalog"


def test_unowned_entity_follows_its_model_and_uncovered_symbols_are_shared():
    a = minishop.analysis()
    d = Decomposition(services=(Service("catalog", ("shop.catalog.models",)),))
    placed = service_of(a, d)
    # the model class is covered by its module member, the entity follows the model class
    assert placed["shop.catalog.models.Product"] == "catalog"
    assert placed["entity:shop.catalog.models.Product"] == "catalog"
    assert placed["entity:shop.orders.models.Order"] == SHARED
    assert placed[SEND] == SHARED


def test_views_interface_calls_and_data():
    views = {v.name: v for v in service_views(minishop.analysis())}
    assert list(views) == ["catalog", "notify", "orders"]
    catalog = views["catalog"]
    assert [f.symbol for f in catalog.interface] == [GET, RESERVE]
    get = catalog.interface[0]
    assert get.callers == (SEND, PLACE)
    assert get.caller_services == ("notify", "orders")
    assert get.weight == 3 and not get.untyped and get.signature == "(pid: int) -> Product"
    assert catalog.interface[1].untyped and catalog.interface[1].weight == 1
    # the shared library's fmt is called from two services but is nobody's interface
    assert all(f.symbol != "shop.common.money.fmt" for v in views.values() for f in v.interface)

    orders = views["orders"]
    assert orders.outgoing == (
        OutgoingCall("orders", "catalog", PLACE, GET, 2, 2, 0),
        OutgoingCall("orders", "notify", PLACE, SEND, 1, 0, 1),
        OutgoingCall("orders", "catalog", PLACE + ".helper", RESERVE, 1, 0, 1),
    )
    assert [c.mode for c in orders.outgoing] == ["sync", "event", "event"]
    assert [c.caller for c in catalog.incoming] == [SEND, PLACE, PLACE + ".helper"]
    assert orders.writes_foreign == ("entity:shop.catalog.models.Product",)
    assert orders.reads_foreign == ()
    assert views["notify"].reads_foreign == ("entity:shop.orders.models.Order",)
    assert [r.id for r in orders.routes] == ["entry:http:POST /orders"]
    assert [r.id for r in catalog.routes] == ["entry:http:GET /products/<id>"]
    assert catalog.entities == ("entity:shop.catalog.models.Product",)


def test_views_lines_and_modules():
    views = {v.name: v for v in service_views(minishop.analysis())}
    # module files 20 + 30 + 10 lines; units are counted once, not module + its classes
    assert views["catalog"].lines == 60
    assert views["catalog"].modules == ("shop.admin.catalog_admin", "shop.catalog.models",
                                        "shop.catalog.services")
    assert views["orders"].lines == 55
    assert views["notify"].modules == ("shop.notify.email",)


def test_risks():
    r = risks(minishop.analysis())
    assert [(w.entity, w.services, w.functions) for w in r.shared_writes] == [
        ("entity:shop.catalog.models.Product", ("catalog", "orders"), (RESERVE, PLACE)),
    ]
    assert [(t.function, t.services) for t in r.transactions] == [(PLACE, ("catalog", "orders"))]
    assert r.transactions[0].entities == ("entity:shop.catalog.models.Product", "entity:shop.orders.models.Order")
    assert r.chatty == (
        ChattyEdge("orders", "catalog", 3, 2),
        ChattyEdge("notify", "catalog", 1, 1),
        ChattyEdge("orders", "notify", 1, 1),
    )


def test_dependency_matrix():
    names, m = dependency_matrix(minishop.analysis())
    assert names == ["catalog", "notify", "orders"]
    assert m == [[0, 0, 0], [1, 0, 0], [3, 1, 0]]


def test_no_decomposition_gives_empty_views():
    a = minishop.analysis(with_decomposition=False)
    assert service_views(a) == []
    assert dependency_matrix(a) == ([], [])
    assert risks(a).chatty == ()


def test_unit_graph_counts_lines_once():
    from analyzer.graph import build_graph, unit_graph, unit_map

    a = minishop.analysis()
    ug = unit_graph(build_graph(a.symbols, a.edges), unit_map(a.symbols))
    assert ug.nodes["shop.catalog.services"]["lines"] == 13  # 30 - get_product 8 - reserve 9
    assert ug.nodes["shop.orders.services.OrderService"]["lines"] == 36
    # the method's call to get_product is an edge of its class
    assert ug.has_edge("shop.orders.services.OrderService", "shop.catalog.services.get_product")
