"""Cart use cases."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.cart.models import Cart, CartItem, CartStatus
from shop.catalog.services import OutOfStock, available_quantity, get_active_product
from shop.common.helpers import format_price, isoformat, utcnow
from shop.common.money import ZERO, quantize
from shop.common.validation import NotFoundError, ValidationError, validate_quantity
from shop.promotions.services import CouponRejected, apply_coupon

log = logging.getLogger(__name__)

MAX_LINES = 50


def get_cart(session: Session, customer_id: int, *, create: bool = False) -> Cart | None:
    """The customer's open cart (created on demand if ``create``)."""
    cart = session.scalar(
        select(Cart).where(Cart.customer_id == customer_id, Cart.status == CartStatus.OPEN).order_by(Cart.id.desc())
    )
    if cart is None and create:
        cart = Cart(customer_id=customer_id)
        session.add(cart)
        session.flush()
    return cart


def require_cart(session: Session, customer_id: int) -> Cart:
    cart = get_cart(session, customer_id)
    if cart is None or not cart.items:
        raise ValidationError("your cart is empty")
    return cart


def add_item(session: Session, customer_id: int, product_id: int, quantity: int = 1) -> Cart:
    quantity = validate_quantity(quantity)
    product = get_active_product(session, product_id)
    cart = get_cart(session, customer_id, create=True)
    item = cart.find_item(product.id)
    wanted = quantity + (item.quantity if item else 0)
    in_stock = available_quantity(session, product.id)
    if wanted > in_stock:
        raise OutOfStock(f"only {in_stock} of {product.name} available", field="quantity")
    if item is None:
        if len(cart.items) >= MAX_LINES:
            raise ValidationError(f"a cart holds at most {MAX_LINES} different products")
        cart.items.append(CartItem(product_id=product.id, quantity=quantity, unit_price=product.price))
    else:
        item.quantity = wanted
        item.unit_price = product.price
    cart.updated_at = utcnow()
    session.flush()
    return cart


def update_item(session: Session, customer_id: int, item_id: int, quantity: int) -> Cart:
    cart = require_cart(session, customer_id)
    item = _item(cart, item_id)
    if quantity <= 0:
        cart.items.remove(item)
    else:
        quantity = validate_quantity(quantity)
        if quantity > available_quantity(session, item.product_id):
            raise OutOfStock("not enough stock", field="quantity")
        item.quantity = quantity
    session.flush()
    return cart


def remove_item(session: Session, customer_id: int, item_id: int) -> Cart:
    cart = require_cart(session, customer_id)
    cart.items.remove(_item(cart, item_id))
    session.flush()
    return cart


def _item(cart: Cart, item_id: int) -> CartItem:
    for item in cart.items:
        if item.id == item_id:
            return item
    raise NotFoundError(f"cart item {item_id} not found")


def refresh_prices(session: Session, cart: Cart) -> list[str]:
    """Update unit prices to the current catalogue price; returns the names that changed."""
    changed = []
    for item in cart.items:
        product = get_active_product(session, item.product_id)
        if product.price != item.unit_price:
            changed.append(product.name)
            item.unit_price = product.price
    return changed


def attach_coupon(session: Session, customer_id: int, code: str) -> tuple[Cart, Decimal]:
    cart = require_cart(session, customer_id)
    discount = apply_coupon(session, code, cart.subtotal, customer_id)
    cart.coupon_code = discount.code
    session.flush()
    return cart, discount.amount


def remove_coupon(session: Session, customer_id: int) -> Cart:
    cart = require_cart(session, customer_id)
    cart.coupon_code = None
    return cart


def mark_converted(session: Session, cart: Cart, order_id: int) -> None:
    cart.status = CartStatus.CONVERTED
    cart.order_id = order_id
    session.flush()


def cart_summary(session: Session, cart: Cart | None) -> dict[str, Any]:
    if cart is None:
        return {"id": None, "items": [], "subtotal": "0.00", "discount": "0.00", "coupon_code": None,
                "item_count": 0}
    discount = ZERO
    coupon_error = None
    if cart.coupon_code:
        try:
            discount = apply_coupon(session, cart.coupon_code, cart.subtotal, cart.customer_id).amount
        except CouponRejected as exc:
            coupon_error = exc.message
    return {
        "id": cart.id,
        "items": [_item_to_dict(i) for i in cart.items],
        "item_count": cart.item_count,
        "subtotal": str(cart.subtotal),
        "subtotal_display": format_price(cart.subtotal),
        "coupon_code": cart.coupon_code,
        "coupon_error": coupon_error,
        "discount": str(discount),
        "total_before_shipping": str(quantize(cart.subtotal - discount)),
        "updated_at": isoformat(cart.updated_at),
    }


def _item_to_dict(item: CartItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "product_id": item.product_id,
        "quantity": item.quantity,
        "unit_price": str(item.unit_price),
        "line_total": str(item.line_total),
    }
