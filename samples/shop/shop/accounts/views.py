"""Customer-facing account endpoints."""

from __future__ import annotations

from flask import Blueprint

from shop.accounts import services
from shop.accounts.auth import current_customer_id, issue_token, login_required
from shop.common.helpers import api_response, json_body
from shop.common.validation import require_fields
from shop.db import get_session
from shop.notifications.services import notify_customer_registered

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["POST"])
def register():
    data = json_body()
    with get_session() as session:
        customer = services.register_customer(session, data)
        session.commit()
        body = {"customer": services.customer_to_dict(customer), "token": issue_token(customer.id)}
    notify_customer_registered(customer.id)
    return api_response(body, 201)


@bp.route("/login", methods=["POST"])
def login():
    data = require_fields(json_body(), "email", "password")
    with get_session() as session:
        customer, token = services.authenticate(session, data["email"], data["password"])
        session.commit()
        return api_response({"customer": services.customer_to_dict(customer), "token": token})


@bp.route("/me", methods=["GET"])
@login_required
def me():
    with get_session() as session:
        customer = services.get_customer(session, current_customer_id())
        return api_response(services.customer_to_dict(customer))


@bp.route("/me", methods=["PATCH"])
@login_required
def update_me():
    with get_session() as session:
        customer = services.update_profile(session, current_customer_id(), json_body())
        session.commit()
        return api_response(services.customer_to_dict(customer))


@bp.route("/addresses", methods=["GET"])
@login_required
def addresses():
    with get_session() as session:
        rows = services.list_addresses(session, current_customer_id())
        return api_response([services.address_to_dict(a) for a in rows])


@bp.route("/addresses", methods=["POST"])
@login_required
def add_address():
    with get_session() as session:
        address = services.add_address(session, current_customer_id(), json_body())
        session.commit()
        return api_response(services.address_to_dict(address), 201)
