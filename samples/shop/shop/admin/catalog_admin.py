"""Back office: catalogue maintenance and stock."""

from __future__ import annotations

from flask import Blueprint, request

from shop.catalog import services as catalog
from shop.catalog.models import Product
from shop.common.helpers import admin_required, api_response, json_body, page_args, paginate, request_actor, to_bool
from shop.common.validation import positive_int, require_fields
from shop.db import get_session

bp = Blueprint("catalog_admin", __name__)


@bp.route("/categories", methods=["POST"])
@admin_required
def create_category():
    data = require_fields(json_body(), "name")
    with get_session() as session:
        category = catalog.create_category(session, data["name"], parent_id=data.get("parent_id"))
        session.commit()
        return api_response(catalog.category_to_dict(category), 201)


@bp.route("/products", methods=["POST"])
@admin_required
def create_product():
    data = require_fields(json_body(), "sku", "name", "price")
    with get_session() as session:
        product = catalog.create_product(session, data, actor=request_actor())
        if data.get("initial_stock"):
            catalog.restock(session, product.id, positive_int(data["initial_stock"], field="initial_stock"),
                            actor=request_actor())
        session.commit()
        return api_response(catalog.product_to_dict(product, detail=True), 201)


@bp.route("/products", methods=["GET"])
@admin_required
def list_products():
    page, per_page = page_args()
    with get_session() as session:
        products = session.query(Product).order_by(Product.id).all()
        if not to_bool(request.args.get("include_inactive", "1")):
            products = [p for p in products if p.is_active]
        return api_response(paginate(products, page, per_page,
                                     transform=lambda p: catalog.product_to_dict(p, detail=True)))


@bp.route("/products/<int:product_id>", methods=["PATCH"])
@admin_required
def update_product(product_id: int):
    with get_session() as session:
        product = catalog.update_product(session, product_id, json_body(), actor=request_actor())
        session.commit()
        return api_response(catalog.product_to_dict(product, detail=True))


@bp.route("/products/<int:product_id>/restock", methods=["POST"])
@admin_required
def restock(product_id: int):
    data = require_fields(json_body(), "quantity")
    with get_session() as session:
        stock = catalog.restock(session, product_id, positive_int(data["quantity"], field="quantity"),
                                actor=request_actor())
        session.commit()
        return api_response(catalog.stock_to_dict(stock))


@bp.route("/stock/low", methods=["GET"])
@admin_required
def low_stock():
    with get_session() as session:
        return api_response([catalog.stock_to_dict(s) for s in catalog.low_stock(session)])
