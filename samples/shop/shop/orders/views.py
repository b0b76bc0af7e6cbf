"""Order endpoints for customers."""

from __future__ import annotations

from flask import Blueprint

from shop.accounts.auth import current_customer_id, login_required
from shop.common.helpers import api_response, json_body
from shop.db import get_session
from shop.orders import place_order
from shop.orders import services

bp = Blueprint("orders", __name__)


@bp.route("", methods=["POST"])
@login_required
def create_order():
    data = json_body()
    customer_id = current_customer_id()
    order = place_order(
        customer_id,
        payment_method=data.get("payment_method", "card"),
        payment_details={"card": data.get("card")} if data.get("card") else data.get("payment_details"),
        address_id=data.get("address_id"),
        service_level=data.get("service_level", "standard"),
        note=data.get("note", ""),
    )
    with get_session() as session:
        return api_response(services.order_detail(session, order.id, customer_id=customer_id), 201,
                            Location=f"/orders/{order.id}")


@bp.route("", methods=["GET"])
@login_required
def my_orders():
    with get_session() as session:
        return api_response([services.order_to_dict(o) for o in services.list_orders(session, current_customer_id())])


@bp.route("/<int:order_id>", methods=["GET"])
@login_required
def order_detail(order_id: int):
    with get_session() as session:
        return api_response(services.order_detail(session, order_id, customer_id=current_customer_id()))


@bp.route("/<int:order_id>/cancel", methods=["POST"])
@login_required
def cancel(order_id: int):
    reason = json_body().get("reason", "")
    with get_session() as session:
        order = services.cancel_order(session, order_id, customer_id=current_customer_id(), reason=reason)
        session.commit()
        return api_response(services.order_to_dict(order))
