"""Back office: customer accounts."""

from __future__ import annotations

from flask import Blueprint, request

from shop.accounts import services as accounts
from shop.common.helpers import admin_required, api_response, page_args, paginate, request_actor, to_bool
from shop.db import get_session

bp = Blueprint("accounts_admin", __name__)


def _customer_row(customer) -> dict:
    return accounts.customer_to_dict(customer, private=False)


@bp.route("", methods=["GET"])
@admin_required
def list_customers():
    page, per_page = page_args()
    active = request.args.get("active")
    with get_session() as session:
        rows = accounts.list_customers(session, active=to_bool(active) if active is not None else None,
                                       search=request.args.get("q"))
        return api_response(paginate(rows, page, per_page, transform=_customer_row))


@bp.route("/<int:customer_id>", methods=["GET"])
@admin_required
def customer_detail(customer_id: int):
    with get_session() as session:
        customer = accounts.get_customer(session, customer_id)
        data = accounts.customer_to_dict(customer)
        data["addresses"] = [accounts.address_to_dict(a) for a in customer.addresses]
        return api_response(data)


@bp.route("/<int:customer_id>/deactivate", methods=["POST"])
@admin_required
def deactivate(customer_id: int):
    with get_session() as session:
        customer = accounts.deactivate_customer(session, customer_id, actor=request_actor())
        session.commit()
        return api_response(accounts.customer_to_dict(customer))
