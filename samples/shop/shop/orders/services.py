"""Checkout and the order lifecycle.

``place_order`` is the one place where catalogue, cart, promotions, payments and shipping
meet; it runs in a single database transaction so a declined card leaves no trace.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop.cart.services import get_cart, mark_converted
from shop.catalog.models import StockLevel
from shop.catalog.services import get_active_product, reserve_stock
from shop.common.helpers import audit_log, format_price, isoformat, utcnow
from shop.common.ids import new_order_number
from shop.common.money import ZERO, multiply, quantize, total, vat_included
from shop.common.validation import ConflictError, NotFoundError, ValidationError
from shop.config import get_setting
from shop.db import get_session
from shop.notifications.services import notify_order_cancelled, notify_order_placed
from shop.orders.models import Order, OrderLine, OrderStatus
from shop.payments import services as payment_service
from shop.promotions.services import apply_coupon, redeem_coupon
from shop.shipping import services as shipping_service

log = logging.getLogger(__name__)


def place_order(customer_id: int, *, payment_method: str = "card",
                payment_details: Mapping[str, Any] | None = None, address_id: int | None = None,
                service_level: str = "standard", note: str = "") -> Order:
    """Turn the customer's cart into an order: reserve stock, price, charge, book the shipment."""
    with get_session() as session, session.begin():
        cart = get_cart(session, customer_id)
        if cart is None or not cart.items:
            raise ValidationError("your cart is empty")

        lines: list[OrderLine] = []
        for item in cart.items:
            product = get_active_product(session, item.product_id)
            reserve_stock(session, product.id, item.quantity)
            lines.append(
                OrderLine(
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    quantity=item.quantity,
                    unit_price=product.price,
                    line_total=multiply(product.price, item.quantity),
                    weight_grams=product.weight_grams * item.quantity,
                )
            )
        subtotal = total(line.line_total for line in lines)

        discount = apply_coupon(session, cart.coupon_code, subtotal, customer_id) if cart.coupon_code else None
        discount_total = discount.amount if discount else ZERO

        shipping_quote = shipping_service.quote(
            session,
            customer_id,
            weight_grams=sum(line.weight_grams for line in lines),
            subtotal=subtotal - discount_total,
            address_id=address_id,
            service_level=service_level,
        )
        shipping_total = ZERO if discount and discount.free_shipping else shipping_quote.cost
        grand_total = quantize(subtotal - discount_total + shipping_total)

        order = Order(
            number=new_order_number(),
            customer_id=customer_id,
            status=OrderStatus.PENDING,
            currency=get_setting("CURRENCY", "EUR"),
            subtotal=subtotal,
            discount_total=discount_total,
            shipping_total=shipping_total,
            tax_total=vat_included(grand_total, get_setting("VAT_RATE")),
            total=grand_total,
            coupon_code=discount.code if discount else None,
            note=note[:500],
        )
        order.lines = lines
        session.add(order)
        session.flush()

        if discount:
            redeem_coupon(session, discount.code, customer_id=customer_id, order_id=order.id, amount=discount.amount)
        payment = payment_service.charge(session, order, payment_method, payment_details)
        order.status = OrderStatus.AWAITING_PAYMENT
        if get_setting("PAYMENT_CAPTURE_ON_PLACE", False):
            payment_service.capture_payment(session, payment.id, actor="checkout")
        shipping_service.create_shipment(session, order, shipping_quote)
        mark_converted(session, cart, order.id)

    audit_log(f"customer:{customer_id}", "order.placed", order_id=order.id, number=order.number,
              total=str(order.total))
    notify_order_placed(order)
    return order


def mark_paid(session: Session, order_id: int, *, paid_at: datetime | None = None) -> Order:
    order = get_order(session, order_id)
    if order.status == OrderStatus.PAID:
        return order
    if order.status not in (OrderStatus.PENDING, OrderStatus.AWAITING_PAYMENT):
        raise ConflictError(f"order {order.number} is {order.status}; cannot mark it paid")
    order.status = OrderStatus.PAID
    order.paid_at = paid_at or utcnow()
    session.flush()
    return order


def cancel_order(session: Session, order_id: int, *, customer_id: int | None = None, reason: str = "",
                 actor: str = "customer") -> Order:
    order = get_order(session, order_id, customer_id=customer_id)
    allowed = OrderStatus.CANCELLABLE_BY_CUSTOMER if customer_id is not None else OrderStatus.OPEN
    if order.status not in allowed:
        raise ConflictError(f"order {order.number} is {order.status} and can no longer be cancelled")

    # Give the reserved units back. (Predates catalog.services.release_stock.)
    for line in order.lines:
        stock = session.scalar(select(StockLevel).where(StockLevel.product_id == line.product_id))
        if stock is not None:
            stock.reserved = max(0, stock.reserved - line.quantity)

    if order.status == OrderStatus.PAID or customer_id is None:
        payment_service.refund_order(session, order.id, reason=reason or "order cancelled", actor=actor)
    shipping_service.cancel_shipments(session, order.id)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = utcnow()
    session.flush()
    audit_log(actor, "order.cancelled", order_id=order.id, reason=reason)
    notify_order_cancelled(order.customer_id, order.number, reason)
    return order


def get_order(session: Session, order_id: int, *, customer_id: int | None = None) -> Order:
    order = session.get(Order, order_id, options=[selectinload(Order.lines)])
    if order is None or (customer_id is not None and order.customer_id != customer_id):
        raise NotFoundError(f"order {order_id} not found")
    return order


def get_order_by_number(session: Session, number: str) -> Order:
    order = session.scalar(select(Order).where(Order.number == number))
    if order is None:
        raise NotFoundError(f"order {number} not found")
    return order


def list_orders(session: Session, customer_id: int) -> list[Order]:
    stmt = select(Order).where(Order.customer_id == customer_id).order_by(Order.id.desc())
    return list(session.scalars(stmt.options(selectinload(Order.lines))))


def list_all_orders(session: Session, *, status: str | None = None, limit: int = 200) -> list[Order]:
    stmt = select(Order).order_by(Order.id.desc()).limit(limit).options(selectinload(Order.lines))
    if status:
        stmt = stmt.where(Order.status == status)
    return list(session.scalars(stmt))


def status_counts(session: Session) -> dict[str, int]:
    return dict(Counter(session.scalars(select(Order.status))))


def order_to_dict(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "number": order.number,
        "customer_id": order.customer_id,
        "status": order.status,
        "currency": order.currency,
        "subtotal": str(order.subtotal),
        "discount_total": str(order.discount_total),
        "shipping_total": str(order.shipping_total),
        "tax_total": str(order.tax_total),
        "total": str(order.total),
        "total_display": format_price(order.total, order.currency),
        "coupon_code": order.coupon_code,
        "item_count": order.item_count,
        "lines": [_line_to_dict(line) for line in order.lines],
        "placed_at": isoformat(order.placed_at),
        "paid_at": isoformat(order.paid_at),
        "shipped_at": isoformat(order.shipped_at),
    }


def _line_to_dict(line: OrderLine) -> dict[str, Any]:
    return {
        "product_id": line.product_id,
        "sku": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "line_total": str(line.line_total),
    }


def order_detail(session: Session, order_id: int, *, customer_id: int | None = None) -> dict[str, Any]:
    """The order page: the order plus its payments and shipments."""
    order = get_order(session, order_id, customer_id=customer_id)
    data = order_to_dict(order)
    data["payments"] = [payment_service.payment_to_dict(p)
                        for p in payment_service.payments_for_order(session, order.id)]
    data["shipments"] = [shipping_service.shipment_to_dict(s)
                         for s in shipping_service.shipments_for_order(session, order.id)]
    return data
