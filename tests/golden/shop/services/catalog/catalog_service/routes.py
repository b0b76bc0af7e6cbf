"""Monolith URLs the catalog service now owns: same paths, same methods.

The gateway sends these URLs here once the service is live (strangler fig). Each handler is
a stub that answers 501 and names the monolith view to port.
"""

from fastapi import APIRouter

from catalog_service.errors import NOT_PORTED, not_ported

router = APIRouter(tags=["monolith routes"])


@router.api_route(
    "/checkout",
    methods=["GET"],
    operation_id="catalog__route_checkout_page",
    responses=NOT_PORTED,
)
async def route_checkout_page() -> None:
    """``GET /checkout`` in the monolith: ``shop.catalog.views.checkout_page`` (shop/catalog/views.py:19)."""
    raise not_ported("shop.catalog.views.checkout_page", "shop/catalog/views.py:19")


@router.api_route(
    "/products",
    methods=["GET"],
    operation_id="catalog__route_product_list",
    responses=NOT_PORTED,
)
async def route_product_list() -> None:
    """``GET /products`` in the monolith: ``shop.catalog.views.product_list`` (shop/catalog/views.py:13)."""
    raise not_ported("shop.catalog.views.product_list", "shop/catalog/views.py:13")


@router.api_route(
    "/products/{product_id}",
    methods=["GET"],
    operation_id="catalog__route_product_detail",
    responses=NOT_PORTED,
)
async def route_product_detail(product_id: int) -> None:
    """``GET /products/<int:product_id>`` in the monolith: ``shop.catalog.views.product_detail`` (shop/catalog/views.py:7)."""
    raise not_ported("shop.catalog.views.product_detail", "shop/catalog/views.py:7")
