"""Reports written directly in SQL.

The reports team owns these queries; they read the tables of several parts of the shop
directly (orders, order lines, products, categories, customers, stock levels). Amounts are
stored as integer cents by ``shop.db.MoneyType``, which raw SQL bypasses, hence ``_money``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from shop.common.helpers import percentage
from shop.common.money import Money, ZERO

REVENUE_STATUSES = ("paid", "shipped", "delivered")
OPEN_STATUSES = ("pending", "awaiting_payment", "paid")

DAILY_SALES_SQL = """
SELECT COUNT(*) AS orders,
       COALESCE(SUM(o.total), 0) AS revenue,
       COALESCE(SUM(o.discount_total), 0) AS discounts,
       COALESCE(SUM(o.shipping_total), 0) AS shipping
FROM orders o
WHERE o.status IN ('paid', 'shipped', 'delivered')
  AND date(o.placed_at) = :day
"""

TOP_PRODUCTS_SQL = """
SELECT p.id AS product_id, p.sku, p.name,
       SUM(ol.quantity) AS units,
       SUM(ol.line_total) AS revenue
FROM orders o
JOIN order_lines ol ON ol.order_id = o.id
JOIN products p ON p.id = ol.product_id
WHERE o.status IN ('paid', 'shipped', 'delivered')
  AND date(o.placed_at) BETWEEN :start AND :end
GROUP BY p.id, p.sku, p.name
ORDER BY units DESC, revenue DESC
LIMIT :limit
"""

REVENUE_BY_CATEGORY_SQL = """
SELECT COALESCE(c.name, 'Uncategorised') AS category,
       SUM(ol.line_total) AS revenue,
       COUNT(DISTINCT o.id) AS orders
FROM order_lines ol
JOIN orders o ON o.id = ol.order_id
JOIN products p ON p.id = ol.product_id
LEFT JOIN categories c ON c.id = p.category_id
WHERE o.status IN ('paid', 'shipped', 'delivered')
GROUP BY category
ORDER BY revenue DESC
"""

TOP_CUSTOMERS_SQL = """
SELECT cu.id AS customer_id, cu.email, cu.full_name,
       COUNT(o.id) AS orders,
       SUM(o.total) AS lifetime_value,
       MAX(o.placed_at) AS last_order_at
FROM customers cu
JOIN orders o ON o.customer_id = cu.id
WHERE o.status IN ('paid', 'shipped', 'delivered')
GROUP BY cu.id, cu.email, cu.full_name
ORDER BY lifetime_value DESC
LIMIT :limit
"""

STOCK_SQL = """
SELECT p.sku, p.name, s.on_hand, s.reserved, s.reorder_point
FROM stock_levels s
JOIN products p ON p.id = s.product_id
WHERE p.is_active = 1
ORDER BY p.sku
"""

RECONCILE_RESERVATIONS_SQL = """
UPDATE stock_levels
SET reserved = (
    SELECT COALESCE(SUM(ol.quantity), 0)
    FROM order_lines ol
    JOIN orders o ON o.id = ol.order_id
    WHERE ol.product_id = stock_levels.product_id
      AND o.status IN ('pending', 'awaiting_payment', 'paid')
)
"""

COUPON_USAGE_SQL = """
SELECT cp.code, cp.kind, COUNT(r.id) AS redemptions, COALESCE(SUM(r.amount), 0) AS discounted
FROM coupons cp
LEFT JOIN coupon_redemptions r ON r.coupon_id = cp.id
GROUP BY cp.code, cp.kind
ORDER BY redemptions DESC
"""


def _money(cents: int | None) -> Decimal:
    return Money.from_cents(int(cents or 0)).amount


@dataclass
class DailySales:
    day: str
    orders: int
    revenue: Decimal
    discounts: Decimal
    shipping: Decimal

    @property
    def average_order_value(self) -> Decimal:
        if not self.orders:
            return ZERO
        return (self.revenue / self.orders).quantize(Decimal("0.01"))

    def to_dict(self) -> dict[str, Any]:
        data = {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}
        data["average_order_value"] = str(self.average_order_value)
        return data


def daily_sales(session: Session, day: date) -> DailySales:
    row = session.execute(text(DAILY_SALES_SQL), {"day": day.isoformat()}).mappings().one()
    return DailySales(day.isoformat(), int(row["orders"]), _money(row["revenue"]), _money(row["discounts"]),
                      _money(row["shipping"]))


def sales_for_range(session: Session, start: date, end: date) -> list[DailySales]:
    days = (end - start).days
    return [daily_sales(session, start + timedelta(days=n)) for n in range(days + 1)]


def top_products(session: Session, *, start: date, end: date, limit: int = 10) -> list[dict[str, Any]]:
    rows = session.execute(text(TOP_PRODUCTS_SQL),
                           {"start": start.isoformat(), "end": end.isoformat(), "limit": limit}).mappings()
    return [
        {"product_id": r["product_id"], "sku": r["sku"], "name": r["name"], "units": int(r["units"]),
         "revenue": str(_money(r["revenue"]))}
        for r in rows
    ]


def revenue_by_category(session: Session) -> list[dict[str, Any]]:
    rows = list(session.execute(text(REVENUE_BY_CATEGORY_SQL)).mappings())
    grand_total = sum(int(r["revenue"] or 0) for r in rows)
    return [
        {"category": r["category"], "revenue": str(_money(r["revenue"])), "orders": int(r["orders"]),
         "share_percent": percentage(int(r["revenue"] or 0), grand_total)}
        for r in rows
    ]


def top_customers(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.execute(text(TOP_CUSTOMERS_SQL), {"limit": limit}).mappings()
    return [
        {"customer_id": r["customer_id"], "email": r["email"], "name": r["full_name"], "orders": int(r["orders"]),
         "lifetime_value": str(_money(r["lifetime_value"])), "last_order_at": str(r["last_order_at"])}
        for r in rows
    ]


def coupon_usage(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(text(COUPON_USAGE_SQL)).mappings()
    return [{"code": r["code"], "kind": r["kind"], "redemptions": int(r["redemptions"]),
             "discounted": str(_money(r["discounted"]))} for r in rows]


def stock_report(session: Session) -> list[dict[str, Any]]:
    """Straight through the DB-API cursor: this one is exported nightly to the warehouse."""
    dbapi_connection = session.connection().connection
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(STOCK_SQL)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, values)) for values in cursor.fetchall()]
    finally:
        cursor.close()
    for row in rows:
        row["available"] = max(0, row["on_hand"] - row["reserved"])
        row["needs_reorder"] = row["available"] <= row["reorder_point"]
    return rows


def reconcile_reservations(session: Session) -> int:
    """Recompute ``stock_levels.reserved`` from the open orders; returns the rows touched."""
    result = session.execute(text(RECONCILE_RESERVATIONS_SQL))
    return result.rowcount


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    rows = list(rows)
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
