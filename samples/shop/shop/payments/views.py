"""Payment endpoints: back-office capture/refund and the gateway webhook."""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, request

from shop.common.helpers import admin_required, api_response, json_body, request_actor
from shop.common.validation import AuthenticationError
from shop.config import get_setting
from shop.db import get_session
from shop.payments import services

bp = Blueprint("payments", __name__)


@bp.route("/<int:payment_id>", methods=["GET"])
@admin_required
def payment_detail(payment_id: int):
    with get_session() as session:
        return api_response(services.payment_to_dict(services.get_payment(session, payment_id)))


@bp.route("/<int:payment_id>/capture", methods=["POST"])
@admin_required
def capture(payment_id: int):
    with get_session() as session:
        payment = services.capture_payment(session, payment_id, actor=request_actor())
        session.commit()
        return api_response(services.payment_to_dict(payment))


@bp.route("/<int:payment_id>/refunds", methods=["POST"])
@admin_required
def refund(payment_id: int):
    data = json_body()
    with get_session() as session:
        result = services.refund_payment(session, payment_id, data.get("amount"), reason=data.get("reason", ""),
                                         actor=request_actor())
        session.commit()
        return api_response({"id": result.id, "amount": str(result.amount), "status": result.status}, 201)


@bp.route("/webhooks/<provider>", methods=["POST"])
def webhook(provider: str):
    secret = str(get_setting("CARD_GATEWAY_API_KEY", "")).encode()
    expected = hmac.new(secret, request.get_data(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
        raise AuthenticationError("bad webhook signature")
    with get_session() as session:
        payment = services.handle_webhook(session, provider, json_body())
        session.commit()
        return api_response({"received": True, "payment_id": payment.id if payment else None})
