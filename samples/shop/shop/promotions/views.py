"""Coupon endpoints (creation is back-office only)."""

from __future__ import annotations

from flask import Blueprint

from shop.common.helpers import admin_required, api_response, json_body, request_actor
from shop.db import get_session
from shop.promotions import services

bp = Blueprint("promotions", __name__)


@bp.route("/coupons", methods=["POST"])
@admin_required
def create_coupon():
    with get_session() as session:
        coupon = services.create_coupon(session, json_body(), actor=request_actor())
        session.commit()
        return api_response(services.coupon_to_dict(coupon), 201)


@bp.route("/coupons/<code>", methods=["GET"])
def coupon_detail(code: str):
    with get_session() as session:
        coupon = services.get_coupon(session, code)
        if not coupon.is_active:
            return api_response({"error": "not_found", "message": "no such coupon"}, 404)
        return api_response(services.coupon_to_dict(coupon))


@bp.route("/coupons/<code>/deactivate", methods=["POST"])
@admin_required
def deactivate(code: str):
    with get_session() as session:
        coupon = services.deactivate_coupon(session, code, actor=request_actor())
        session.commit()
        return api_response(services.coupon_to_dict(coupon))
