"""Back office: order management."""

from __future__ import annotations

from flask import Blueprint, request

from shop.common.helpers import admin_required, api_response, json_body, page_args, paginate, request_actor
from shop.db import get_session
from shop.orders import services as orders
from shop.orders.models import OrderStatus

bp = Blueprint("orders_admin", __name__)


@bp.route("", methods=["GET"])
@admin_required
def list_orders():
    page, per_page = page_args()
    status = request.args.get("status")
    with get_session() as session:
        rows = orders.list_all_orders(session, status=status)
        return api_response(paginate(rows, page, per_page, transform=orders.order_to_dict))


@bp.route("/stats", methods=["GET"])
@admin_required
def stats():
    with get_session() as session:
        counts = orders.status_counts(session)
        open_count = sum(counts.get(s, 0) for s in OrderStatus.OPEN)
        return api_response({"by_status": counts, "open": open_count})


@bp.route("/<int:order_id>", methods=["GET"])
@admin_required
def order_detail(order_id: int):
    with get_session() as session:
        return api_response(orders.order_detail(session, order_id))


@bp.route("/<int:order_id>/cancel", methods=["POST"])
@admin_required
def cancel(order_id: int):
    reason = json_body().get("reason", "cancelled by staff")
    with get_session() as session:
        order = orders.cancel_order(session, order_id, reason=reason, actor=request_actor())
        session.commit()
        return api_response(orders.order_to_dict(order))
