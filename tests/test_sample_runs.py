"""The bundled sample monolith (samples/shop) runs, and its intended plan covers it exactly."""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

SAMPLE_ROOT = Path(__file__).resolve().parents[1] / "samples" / "shop"
ADMIN = {"X-Admin-Key": "test-admin"}
CARD = {"number": "4242 4242 4242 4242", "expiry": "12/30", "holder": "Ada Lovelace"}
DECLINED_CARD = {"number": "4000000000000002", "expiry": "12/30"}


def _sample_modules() -> set[str]:
    modules = set()
    for path in (SAMPLE_ROOT / "shop").rglob("*.py"):
        parts = list(path.relative_to(SAMPLE_ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules.add(".".join(parts))
    return modules


def _mapped_classes() -> set[str]:
    found = set()
    for path in (SAMPLE_ROOT / "shop").rglob("models.py"):
        module = ".".join(path.relative_to(SAMPLE_ROOT).with_suffix("").parts)
        for name in re.findall(r"^class (\w+)\(Base\):", path.read_text(encoding="utf-8"), re.MULTILINE):
            found.add(f"entity:{module}.{name}")
    return found


def test_intended_plan_lists_every_module_exactly_once() -> None:
    plan = tomllib.loads((SAMPLE_ROOT / "intended.toml").read_text(encoding="utf-8"))
    assert plan["schema"] == "msa-plan/1"
    listed = [m for service in plan["service"] for m in service["members"]] + plan["shared"]["members"]
    duplicates = sorted(m for m, n in Counter(listed).items() if n > 1)
    assert duplicates == []
    assert set(listed) == _sample_modules()
    names = [service["name"] for service in plan["service"]]
    assert names == ["catalog", "cart", "orders", "payments", "shipping", "accounts", "notifications",
                     "promotions", "reporting"]
    entities = [e for service in plan["service"] for e in service["entities"]]
    assert len(entities) == len(set(entities))
    assert set(entities) == _mapped_classes()
    # each service owns the models declared in its own packages
    for service in plan["service"]:
        for entity in service["entities"]:
            assert entity.removeprefix("entity:").rsplit(".", 1)[0] in service["members"]


def test_sample_is_big_enough() -> None:
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in (SAMPLE_ROOT / "shop").rglob("*.py"))
    assert lines >= 3200


@pytest.fixture(scope="module")
def shop_pkg():
    pytest.importorskip("flask")
    pytest.importorskip("sqlalchemy")
    sys.path.insert(0, str(SAMPLE_ROOT))
    try:
        import shop

        yield shop
    finally:
        sys.path.remove(str(SAMPLE_ROOT))


@pytest.fixture()
def client(shop_pkg):
    from shop.notifications import tasks

    tasks.clear()
    app = shop_pkg.create_app("testing")
    with app.test_client() as test_client:
        yield test_client


def _ok(response, status: int = 200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _stock_up(client) -> tuple[int, int]:
    category = _ok(client.post("/admin/catalog/categories", json={"name": "Coffee & Tea"}, headers=ADMIN), 201)
    beans = _ok(client.post("/admin/catalog/products", headers=ADMIN, json={
        "sku": "COF-001", "name": "Espresso Beans 250 g", "price": "12.50", "weight_grams": 250,
        "category_id": category["id"], "description": "Dark roast."}), 201)
    tea = _ok(client.post("/admin/catalog/products", headers=ADMIN, json={
        "sku": "TEA-001", "name": "Sencha Green Tea", "price": "4.20", "weight_grams": 100,
        "category_id": category["id"]}), 201)
    for product in (beans, tea):
        stock = _ok(client.post(f"/admin/catalog/products/{product['id']}/restock", json={"quantity": 10},
                                headers=ADMIN))
        assert stock["available"] == 10
    return beans["id"], tea["id"]


def _customer(client, email: str = "ada@example.com") -> dict[str, str]:
    body = _ok(client.post("/accounts/register", json={
        "email": email, "password": "difference1engine", "full_name": "Ada Lovelace", "phone": "0171 2345678"}),
        201)
    auth = {"Authorization": f"Bearer {body['token']}"}
    _ok(client.post("/accounts/addresses", headers=auth, json={
        "line1": "Hauptstr.", "city": "berlin", "postal_code": "10115", "country": "Germany"}), 201)
    return auth


def test_checkout_pay_ship(client) -> None:
    beans_id, tea_id = _stock_up(client)
    auth = _customer(client)
    _ok(client.post("/promotions/coupons", headers=ADMIN, json={"code": "welcome10", "kind": "percent",
                                                                 "value": "10"}), 201)

    _ok(client.post("/cart/items", headers=auth, json={"product_id": beans_id, "quantity": 2}), 201)
    cart = _ok(client.post("/cart/items", headers=auth, json={"product_id": tea_id, "quantity": 3}), 201)
    assert cart["subtotal"] == "37.60"
    cart = _ok(client.post("/cart/coupon", headers=auth, json={"code": "WELCOME10"}))
    assert cart["coupon_code"] == "WELCOME10"
    assert cart["discount"] == "3.76"

    order = _ok(client.post("/orders", headers=auth, json={"payment_method": "card", "card": CARD}), 201)
    assert order["status"] == "awaiting_payment"
    assert order["number"].startswith("SO-")
    assert (order["subtotal"], order["discount_total"], order["shipping_total"], order["total"]) == (
        "37.60", "3.76", "4.90", "38.74")
    assert Decimal(order["tax_total"]) == Decimal("6.19")
    assert [line["quantity"] for line in order["lines"]] == [2, 3]
    [payment] = order["payments"]
    assert (payment["status"], payment["amount"], payment["card_last4"]) == ("authorized", "38.74", "4242")
    [shipment] = order["shipments"]
    assert (shipment["status"], shipment["carrier"], shipment["cost"]) == ("pending", "DHL", "4.90")
    assert shipment["ship_to"][-1] == "DE"

    assert _ok(client.get(f"/catalog/products/{beans_id}"))["available"] == 8
    assert _ok(client.get("/cart", headers=auth))["items"] == []  # the cart was converted

    paid = _ok(client.post(f"/payments/{payment['id']}/capture", headers=ADMIN))
    assert paid["status"] == "captured"
    assert _ok(client.get(f"/orders/{order['id']}", headers=auth))["status"] == "paid"

    shipped = _ok(client.post(f"/shipping/shipments/{shipment['id']}/dispatch", headers=ADMIN,
                              json={"tracking_number": "DHL00012345678"}))
    assert (shipped["status"], shipped["tracking_number"]) == ("shipped", "DHL00012345678")
    final = _ok(client.get(f"/orders/{order['id']}", headers=auth))
    assert final["status"] == "shipped"
    assert final["shipped_at"] is not None

    stock = {row["sku"]: row for row in _ok(client.get("/reports/stock", headers=ADMIN))}
    assert (stock["COF-001"]["on_hand"], stock["COF-001"]["reserved"]) == (8, 0)
    assert (stock["TEA-001"]["on_hand"], stock["TEA-001"]["reserved"]) == (7, 0)

    sent = _ok(client.get("/notifications/messages", headers=ADMIN, query_string={"recipient": "ada@example.com"}))
    assert sorted(m["template"] for m in sent) == ["order_confirmation", "order_shipped", "payment_receipt",
                                                    "welcome"]
    assert all(m["status"] == "sent" for m in sent)

    daily = _ok(client.get("/reports/sales/daily", headers=ADMIN))
    assert (daily["orders"], daily["revenue"], daily["discounts"]) == (1, "38.74", "3.76")
    coupons = _ok(client.get("/reports/coupons", headers=ADMIN))
    assert coupons == [{"code": "WELCOME10", "kind": "percent", "redemptions": 1, "discounted": "3.76"}]


def test_declined_card_rolls_back_the_whole_checkout(client) -> None:
    beans_id, _ = _stock_up(client)
    auth = _customer(client, "bob@example.com")
    _ok(client.post("/cart/items", headers=auth, json={"product_id": beans_id, "quantity": 4}), 201)

    declined = client.post("/orders", headers=auth, json={"payment_method": "card", "card": DECLINED_CARD})
    assert declined.status_code == 402
    assert declined.get_json()["error"] == "payment_declined"

    assert _ok(client.get(f"/catalog/products/{beans_id}"))["available"] == 10
    assert _ok(client.get("/orders", headers=auth)) == []
    assert _ok(client.get("/cart", headers=auth))["item_count"] == 4


def test_customer_cancels_before_payment(client) -> None:
    beans_id, _ = _stock_up(client)
    auth = _customer(client, "cy@example.com")
    _ok(client.post("/cart/items", headers=auth, json={"product_id": beans_id, "quantity": 3}), 201)
    order = _ok(client.post("/orders", headers=auth, json={"payment_method": "invoice"}), 201)
    assert order["payments"][0]["status"] == "pending"
    assert _ok(client.get(f"/catalog/products/{beans_id}"))["available"] == 7

    cancelled = _ok(client.post(f"/orders/{order['id']}/cancel", headers=auth, json={"reason": "changed my mind"}))
    assert cancelled["status"] == "cancelled"
    assert _ok(client.get(f"/catalog/products/{beans_id}"))["available"] == 10
    detail = _ok(client.get(f"/admin/orders/{order['id']}", headers=ADMIN))
    assert detail["shipments"][0]["status"] == "cancelled"
