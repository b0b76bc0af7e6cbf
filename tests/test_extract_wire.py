"""The generated wire module (``<package>/wire.py``) of extracted services: how values, entities
and exceptions cross between services, and how stubs fail. It is generated code, imported here
from an extraction of the sample shop."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import sys
import types
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from analyzer.plan import apply_plan
from analyzer.scaffold import scaffold
from analyzer.scaffold.context import ScaffoldOptions

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("scaffold_support", HERE / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

SERVICES = ("orders", "shipping", "cart")


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    pytest.importorskip("flask")
    doc = apply_plan(support.sample(), HERE.parent / "samples" / "shop" / "intended.toml")
    out = tmp_path_factory.mktemp("wire") / "out"
    scaffold(doc, out, options=ScaffoldOptions(extract=True))
    paths = [str(out / "services" / slug) for slug in SERVICES]
    sys.path[:0] = paths
    try:
        yield {slug: importlib.import_module(f"{slug}_service.wire") for slug in SERVICES}
    finally:
        for p in paths:
            sys.path.remove(p)
        for name in [m for m in sys.modules if m.split(".")[0] in {f"{s}_service" for s in SERVICES}]:
            del sys.modules[name]


def test_plain_values_round_trip(services) -> None:
    wire = services["orders"]
    value = {"amount": Decimal("12.50"), "when": dt.datetime(2024, 5, 17, 12, 0, tzinfo=dt.UTC),
             "day": dt.date(2024, 5, 17), "id": uuid.UUID(int=7), "pair": (1, "a"), "tags": {"x"},
             "by_id": {3: "three"}, "raw": b"\x00\x01", "none": None, "nested": [Decimal("1.1"), [2, 3]],
             "tricky": {"__decimal__": "not a tag"}}
    encoded = wire.encode(value)
    assert encoded["amount"] == {"__decimal__": "12.50"}
    assert "__dict__" in encoded["tricky"]  # a dict whose keys could be mistaken for tags is wrapped
    assert wire.decode(encoded) == value


def test_a_dataclass_is_rebuilt_where_its_class_lives_and_a_snapshot_elsewhere(services) -> None:
    shipping = services["shipping"]
    rates = importlib.import_module("shipping_service.ported.shop.shipping.rates")
    quote_cls = importlib.import_module("shipping_service.ported.shop.shipping.services").ShippingQuote
    quote = quote_cls(rate=rates.RateQuote("DHL", "standard", Decimal("4.90"), 2, "domestic"),
                      address={"country": "DE"}, weight_grams=800)
    envelope = shipping.encode(quote)
    assert envelope["__dataclass__"] == "shop.shipping.services.ShippingQuote"
    assert envelope["props"]["cost"] == {"__decimal__": "4.90"}  # properties travel too
    assert shipping.decode(envelope) == quote
    snapshot = services["orders"].decode(envelope)  # orders does not have the class
    assert type(snapshot).__name__ == "Record"
    assert snapshot.cost == Decimal("4.90") and snapshot.rate.carrier == "DHL"
    with pytest.raises(services["orders"].WireError, match="belongs to another service"):
        snapshot.weight_grams = 1
    with pytest.raises(AttributeError, match="not in the snapshot"):
        snapshot.to_dict()


def test_an_exception_comes_back_as_its_class_or_the_nearest_one_here(services) -> None:
    orders, cart = services["orders"], services["cart"]
    catalog_error = importlib.import_module("cart_service.ported.shop.catalog.services").OutOfStock
    raised = catalog_error("only 2 left", field="quantity")
    envelope = cart.encode(raised)
    again = cart.decode(envelope)  # cart has a copy of the class: the same class
    assert type(again) is catalog_error and again.message == "only 2 left" and again.field == "quantity"
    elsewhere = orders.decode(envelope)  # orders has only the shared base class
    conflict = importlib.import_module("orders_service.vendor.shop.common.validation").ConflictError
    assert isinstance(elsewhere, conflict) and type(elsewhere).__name__ == "OutOfStock"
    assert (elsewhere.code, elsewhere.status_code, elsewhere.to_dict()) == (
        "out_of_stock", 409, {"error": "out_of_stock", "message": "only 2 left", "field": "quantity"})
    unknown = orders.decode({"__exception__": "elsewhere.Boom", "mro": ["elsewhere.Base"], "args": ["x"]})
    assert isinstance(unknown, orders.RemoteError) and unknown.args == ("x",)


def test_what_cannot_cross_is_refused(services) -> None:
    wire = services["orders"]
    with pytest.raises(wire.WireError, match="function cannot cross"):
        wire.encode(lambda: None)
    with pytest.raises(wire.WireError, match="generator cannot cross"):
        wire.encode(x for x in ())


def test_a_stub_raises_naming_owner_and_reason(services) -> None:
    facade = importlib.import_module("orders_service.ported.shop.catalog.models")
    stub = facade.StockLevel
    assert "catalog service" in repr(stub)
    with pytest.raises(services["orders"].NotExtracted, match="belongs to the catalog service.*direct database"):
        _ = stub.product_id
    with pytest.raises(services["orders"].NotExtracted):
        stub()
    with pytest.raises(AttributeError):
        _ = stub.__clause_element__  # introspection sees an ordinary object without it
    assert (stub | None) is stub and (None | stub) is stub  # ``StockLevel | None`` in an annotation
    with pytest.raises(services["orders"].NotExtracted, match="StockLevel belongs to the catalog service"):
        types.new_class("Derived", (stub,))  # ``class Derived(StockLevel)`` names the base it lacks


def test_an_entity_is_reloaded_by_its_owner_and_a_snapshot_elsewhere(services, monkeypatch) -> None:
    monkeypatch.setenv("ORDERS_MONOLITH_CONFIG", "testing")
    runtime = importlib.import_module("orders_service.runtime")
    models = importlib.import_module("orders_service.ported.shop.orders.models")
    orders = services["orders"]
    app = runtime.monolith_app()
    with app.app_context(), runtime._session() as session:
        try:
            order = models.Order(number="SO-20240517-ABCDEF", customer_id=7, subtotal=Decimal("10.00"),
                                 total=Decimal("14.90"))
            order.lines = [models.OrderLine(product_id=1, sku="COF-001", name="Beans", quantity=2,
                                            unit_price=Decimal("5.00"), line_total=Decimal("10.00"))]
            session.add(order)
            session.flush()
            envelope = orders.encode(order)
            assert envelope["__entity__"] == "shop.orders.models.Order" and envelope["pk"] == [order.id]
            assert envelope["props"]["item_count"] == 2 and len(envelope["rels"]["lines"]) == 1
            token = orders.use_session(session)
            try:
                assert orders.decode(envelope) is order  # the owner reloads it in its session
            finally:
                orders.reset_session(token)
            snapshot = services["shipping"].decode(envelope)  # shipping does not own orders
            assert snapshot.total == Decimal("14.90") and snapshot.lines[0].sku == "COF-001"
            assert services["shipping"].encode(snapshot) == envelope  # passed on, it is the same envelope
        finally:
            session.close()
