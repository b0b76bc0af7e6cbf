"""Public catalogue endpoints."""

from __future__ import annotations

from flask import Blueprint, request

from shop.catalog import services
from shop.common.helpers import api_response, page_args, paginate
from shop.common.money import to_decimal
from shop.db import get_session

bp = Blueprint("catalog", __name__)


@bp.route("/products", methods=["GET"])
def list_products():
    page, per_page = page_args()
    max_price = request.args.get("max_price")
    with get_session() as session:
        products = services.search_products(
            session,
            request.args.get("q"),
            category_slug=request.args.get("category"),
            sort=request.args.get("sort", "name"),
            max_price=to_decimal(max_price) if max_price else None,
        )
        return api_response(paginate(products, page, per_page, transform=services.product_to_dict))


@bp.route("/products/<int:product_id>", methods=["GET"])
def product_detail(product_id: int):
    with get_session() as session:
        product = services.get_active_product(session, product_id)
        return api_response(services.product_to_dict(product, detail=True))


@bp.route("/categories", methods=["GET"])
def list_categories():
    with get_session() as session:
        return api_response([services.category_to_dict(c) for c in services.list_categories(session)])


@bp.route("/categories/<slug>/products", methods=["GET"])
def category_products(slug: str):
    page, per_page = page_args()
    with get_session() as session:
        products = services.search_products(session, category_slug=slug, sort=request.args.get("sort", "name"))
        return api_response(paginate(products, page, per_page, transform=services.product_to_dict))
