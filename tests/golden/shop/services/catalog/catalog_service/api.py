"""The catalog API: one ``POST /api/catalog/<function>`` per function other services call.

Each handler is an honest stub: it answers 501 and names the monolith function to port, with
its file and line. Replace the body with the ported code; keep the request and response models.
"""

from fastapi import APIRouter

from catalog_service import models
from catalog_service.errors import NOT_PORTED, not_ported

router = APIRouter(prefix="/api/catalog", tags=["interface"])


@router.post(
    "/get-product",
    operation_id="catalog__get_product",
    summary="shop.catalog.services.get_product",
    responses=NOT_PORTED,
    openapi_extra={"x-idempotent": True},
)
async def get_product(body: models.GetProductRequest) -> models.GetProductResponse:
    """Port of ``shop.catalog.services.get_product`` (shop/catalog/services.py:10).

    Monolith signature: ``(product_id: int) -> dict[str, Any]``.
    Called by: orders.
    Idempotent (reads, writes nothing): clients may retry it.
    """
    raise not_ported("shop.catalog.services.get_product", "shop/catalog/services.py:10")


@router.post(
    "/reserve-stock",
    operation_id="catalog__reserve_stock",
    summary="shop.catalog.services.reserve_stock",
    responses=NOT_PORTED,
)
async def reserve_stock(body: models.ReserveStockRequest) -> models.ReserveStockResponse:
    """Port of ``shop.catalog.services.reserve_stock`` (shop/catalog/services.py:27).

    Monolith signature: ``(session: Session, product_id: int, quantity: int = 1) -> bool``.
    Called by: orders.
    Not idempotent as far as the analysis can tell: clients do not retry it.
    """
    raise not_ported("shop.catalog.services.reserve_stock", "shop/catalog/services.py:27")
