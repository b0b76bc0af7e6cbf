"""Typed client of the catalog service.

Its models mirror the catalog API; the base URL comes from ``ORDERS_CATALOG_URL``.
"""

from typing import Any

from pydantic import BaseModel

from orders_service.clients._http import ServiceClient


class GetProductRequest(BaseModel):
    """Arguments of `shop.catalog.services.get_product(product_id: int) -> dict[str, Any]`."""

    product_id: int


class GetProductResponse(BaseModel):
    """What `shop.catalog.services.get_product` returns."""

    result: dict[str, Any]


class ReserveStockRequest(BaseModel):
    """Arguments of `shop.catalog.services.reserve_stock(session: Session, product_id: int, quantity: int = 1) -> bool`."""

    # Not on the wire:
    # - `session` (a database session: the service provides its own)

    product_id: int
    quantity: int = 1


class ReserveStockResponse(BaseModel):
    """What `shop.catalog.services.reserve_stock` returns."""

    result: bool


class CatalogClient(ServiceClient):
    service = "catalog"

    async def get_product(self, body: GetProductRequest) -> GetProductResponse:
        """``POST /api/catalog/get-product``: ``shop.catalog.services.get_product`` in the monolith.

        Called here by shop.orders.services.place_order (2 call sites).
        Idempotent: retried on failure.
        """
        return await self._call("/api/catalog/get-product", body, GetProductResponse, idempotent=True)

    async def reserve_stock(self, body: ReserveStockRequest) -> ReserveStockResponse:
        """``POST /api/catalog/reserve-stock``: ``shop.catalog.services.reserve_stock`` in the monolith.

        Called here by shop.orders.services.place_order (1 call site).
        May write: sent once, never retried.
        """
        return await self._call("/api/catalog/reserve-stock", body, ReserveStockResponse, idempotent=False)
