"""Cart endpoints for the logged-in customer."""

from __future__ import annotations

from flask import Blueprint

from shop.accounts.auth import current_customer_id, login_required
from shop.cart import services
from shop.common.helpers import api_response, json_body
from shop.common.validation import positive_int, require_fields
from shop.db import get_session

bp = Blueprint("cart", __name__)


@bp.route("", methods=["GET"])
@login_required
def show_cart():
    with get_session() as session:
        cart = services.get_cart(session, current_customer_id())
        if cart is not None and services.refresh_prices(session, cart):
            session.commit()
        return api_response(services.cart_summary(session, cart))


@bp.route("/items", methods=["POST"])
@login_required
def add_item():
    data = require_fields(json_body(), "product_id")
    with get_session() as session:
        cart = services.add_item(session, current_customer_id(), positive_int(data["product_id"], field="product_id"),
                                 data.get("quantity", 1))
        session.commit()
        return api_response(services.cart_summary(session, cart), 201)


@bp.route("/items/<int:item_id>", methods=["PATCH"])
@login_required
def update_item(item_id: int):
    data = require_fields(json_body(), "quantity")
    with get_session() as session:
        cart = services.update_item(session, current_customer_id(), item_id, int(data["quantity"]))
        session.commit()
        return api_response(services.cart_summary(session, cart))


@bp.route("/items/<int:item_id>", methods=["DELETE"])
@login_required
def remove_item(item_id: int):
    with get_session() as session:
        cart = services.remove_item(session, current_customer_id(), item_id)
        session.commit()
        return api_response(services.cart_summary(session, cart))


@bp.route("/coupon", methods=["POST"])
@login_required
def apply_coupon():
    data = require_fields(json_body(), "code")
    with get_session() as session:
        cart, _discount = services.attach_coupon(session, current_customer_id(), data["code"])
        session.commit()
        return api_response(services.cart_summary(session, cart))


@bp.route("/coupon", methods=["DELETE"])
@login_required
def remove_coupon():
    with get_session() as session:
        cart = services.remove_coupon(session, current_customer_id())
        session.commit()
        return api_response(services.cart_summary(session, cart))
