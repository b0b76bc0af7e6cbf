"""Shipping endpoints: quotes for customers, dispatch for the warehouse."""

from __future__ import annotations

from flask import Blueprint

from shop.accounts.auth import current_customer_id, login_required
from shop.common.helpers import admin_required, api_response, json_body, request_actor
from shop.common.money import to_decimal
from shop.common.validation import require_fields
from shop.db import get_session
from shop.shipping import services

bp = Blueprint("shipping", __name__)


@bp.route("/quote", methods=["POST"])
@login_required
def quote():
    data = require_fields(json_body(), "weight_grams", "subtotal")
    with get_session() as session:
        result = services.quote(
            session,
            current_customer_id(),
            weight_grams=int(data["weight_grams"]),
            subtotal=to_decimal(data["subtotal"]),
            address_id=data.get("address_id"),
            service_level=data.get("service_level", "standard"),
        )
        return api_response(result.to_dict())


@bp.route("/shipments/<int:shipment_id>", methods=["GET"])
@admin_required
def shipment_detail(shipment_id: int):
    with get_session() as session:
        return api_response(services.shipment_to_dict(services.get_shipment(session, shipment_id), with_events=True))


@bp.route("/shipments/<int:shipment_id>/dispatch", methods=["POST"])
@admin_required
def dispatch(shipment_id: int):
    data = json_body()
    with get_session() as session:
        shipment = services.dispatch_shipment(session, shipment_id, tracking_number=data.get("tracking_number"),
                                              actor=request_actor())
        session.commit()
        return api_response(services.shipment_to_dict(shipment, with_events=True))


@bp.route("/shipments/<int:shipment_id>/delivered", methods=["POST"])
@admin_required
def delivered(shipment_id: int):
    with get_session() as session:
        shipment = services.mark_delivered(session, shipment_id, note=json_body().get("note", ""))
        session.commit()
        return api_response(services.shipment_to_dict(shipment))
