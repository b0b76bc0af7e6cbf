"""The sample monolith (samples/shop, Flask + SQLAlchemy) through the whole ``msa analyze``:
its entities, who reads and writes each, its transaction scopes, routes and references."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "analyzer" / "schema" / "analysis.schema.json").read_text())
E = "entity:shop."


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    out = tmp_path_factory.mktemp("shop") / "shop.json"
    subprocess.run([sys.executable, "-m", "analyzer.cli", "analyze", "samples/shop", "-o", str(out), "--no-cache"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    data = json.loads(out.read_text())
    jsonschema.validate(data, SCHEMA)
    return data


def access(doc) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"read": set(), "write": set()})
    for e in doc["edges"]:
        if e["kind"] in ("read", "write"):
            out[e["target"]][e["kind"]].add(e["source"])
    return out


def test_entities(doc):
    assert {(e["id"], e["table"], e["framework"]) for e in doc["entities"]} == {
        (E + "accounts.models.Address", "addresses", "sqlalchemy"),
        (E + "accounts.models.Customer", "customers", "sqlalchemy"),
        (E + "cart.models.Cart", "carts", "sqlalchemy"),
        (E + "cart.models.CartItem", "cart_items", "sqlalchemy"),
        (E + "catalog.models.Category", "categories", "sqlalchemy"),
        (E + "catalog.models.Product", "products", "sqlalchemy"),
        (E + "catalog.models.StockLevel", "stock_levels", "sqlalchemy"),
        (E + "notifications.models.SentMessage", "sent_messages", "sqlalchemy"),
        (E + "orders.models.Order", "orders", "sqlalchemy"),
        (E + "orders.models.OrderLine", "order_lines", "sqlalchemy"),
        (E + "payments.models.Payment", "payments", "sqlalchemy"),
        (E + "payments.models.Refund", "refunds", "sqlalchemy"),
        (E + "promotions.models.Coupon", "coupons", "sqlalchemy"),
        (E + "promotions.models.CouponRedemption", "coupon_redemptions", "sqlalchemy"),
        (E + "shipping.models.Shipment", "shipments", "sqlalchemy"),
        (E + "shipping.models.TrackingEvent", "tracking_events", "sqlalchemy"),
    }
    symbols = {s["id"]: s for s in doc["symbols"]}
    assert all(symbols[e["id"]]["kind"] == "entity" for e in doc["entities"])


def test_readers_and_writers(doc):
    acc = access(doc)
    stock = acc[E + "catalog.models.StockLevel"]
    # written by catalog (restock, reservations) and by orders (cancellation), reconciled in raw SQL
    assert {"shop.catalog.services.CatalogService.restock", "shop.catalog.services.CatalogService.reserve",
            "shop.catalog.services.CatalogService.release", "shop.catalog.repository.StockRepository.for_product",
            "shop.orders.services.cancel_order",
            "shop.reporting.sales_report.reconcile_reservations"} <= stock["write"]
    assert {"shop.catalog.repository.StockRepository.for_product", "shop.orders.services.cancel_order",
            "shop.reporting.sales_report.stock_report"} <= stock["read"]
    order = acc[E + "orders.models.Order"]
    assert {"shop.orders.services.place_order", "shop.orders.services.mark_paid",
            "shop.orders.services.cancel_order"} <= order["write"]
    assert {"shop.orders.services.get_order", "shop.orders.services.list_orders",
            "shop.reporting.sales_report.daily_sales"} <= order["read"]
    assert "shop.orders.services.place_order" in acc[E + "orders.models.OrderLine"]["write"]  # order.lines = ...
    assert {"shop.payments.services._authorize", "shop.payments.services._pay_by_invoice"} <= \
        acc[E + "payments.models.Payment"]["write"]
    assert "shop.payments.services.get_payment" in acc[E + "payments.models.Payment"]["read"]
    assert acc[E + "notifications.models.SentMessage"]["write"] == {"shop.notifications.senders.MessageSender.send"}
    assert {"shop.accounts.services.register_customer", "shop.accounts.services.update_profile"} <= \
        acc[E + "accounts.models.Customer"]["write"]
    # the reports read other parts' tables in raw SQL
    assert {"shop.reporting.sales_report.top_products"} <= acc[E + "catalog.models.Product"]["read"]
    assert {"shop.reporting.sales_report.top_customers"} <= acc[E + "accounts.models.Customer"]["read"]
    # nothing reads or writes a raw table the models do not map
    assert not [e for e in doc["entities"] if e["id"].startswith("entity:table:")]


def test_transaction_scopes(doc):
    scopes = {t["function"]: t for t in doc["transactions"]}
    place = scopes["shop.orders.services.place_order"]
    assert place["kind"] == "session-begin"  # with get_session() as session, session.begin():
    assert {E + "orders.models.Order", E + "orders.models.OrderLine", E + "catalog.models.StockLevel",
            E + "payments.models.Payment"} <= set(place["writes"])
    cancel = scopes["shop.orders.views.cancel"]
    assert cancel["kind"] == "session-commit"
    assert {E + "orders.models.Order", E + "catalog.models.StockLevel"} <= set(cancel["writes"])
    assert scopes["shop.accounts.views.register"]["writes"] == [E + "accounts.models.Customer"]
    assert all(t["line"] <= t["end_line"] for t in doc["transactions"])


def test_routes_tasks_and_references(doc):
    routes = {r["id"]: r for r in doc["routes"]}
    assert routes["entry:http:POST /orders"]["handler"] == "shop.orders.views.create_order"
    assert routes["entry:http:GET /catalog/products/<int:product_id>"]["handler"] == \
        "shop.catalog.views.product_detail"
    assert routes["entry:http:POST /reports/stock/reconcile"]["handler"] == "shop.reporting.views.reconcile"
    assert routes["entry:task:shop.notifications.services.send_cancellation"]["name"] == \
        "notifications.send_cancellation"
    refs = {(r["source"], r["target"]) for r in doc["references"]}
    assert ("shop.config.Config", "shop.payments.gateways.FakeGateway") in refs  # PAYMENT_GATEWAY setting
    assert ("shop.config.Config", "shop.orders.models") in refs  # MODEL_MODULES
    counts = doc["counts"]
    assert counts["entities"] == 16 and counts["routes"] == len(doc["routes"])
    assert counts["unresolved_accesses"] == 0
