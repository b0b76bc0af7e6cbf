"""Typed client of the orders service.

Its models mirror the orders API; the base URL comes from ``PAYMENTS_ORDERS_URL``.
"""

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from payments_service.clients._http import ServiceClient


class MarkPaidRequest(BaseModel):
    """Arguments of `shop.orders.services.mark_paid(order_id, payment_ref)`."""

    # Permissive model: unknown fields are kept and untyped values are Any, because
    # - `order_id`: no type hint
    # - `payment_ref`: no type hint
    model_config = ConfigDict(extra="allow")

    order_id: Any
    payment_ref: Any


class MarkPaidResponse(BaseModel):
    """What `shop.orders.services.mark_paid` returns."""

    # Permissive model: unknown fields are kept and untyped values are Any, because
    # - `result`: no type hint
    model_config = ConfigDict(extra="allow")

    result: Any = None


class OrderServiceCancelRequest(BaseModel):
    """Arguments of `shop.orders.services.OrderService.cancel(self, order_id: int, reason: str = 'customer') -> None`."""

    order_id: int
    reason: str = "customer"


class OrderServiceCancelResponse(BaseModel):
    """What `shop.orders.services.OrderService.cancel` returns."""

    result: None = None


class OrderTotalRequest(BaseModel):
    """Arguments of `shop.orders.services.order_total(order_id: int) -> Decimal`."""

    order_id: int


class OrderTotalResponse(BaseModel):
    """What `shop.orders.services.order_total` returns."""

    result: Decimal


class OrdersClient(ServiceClient):
    service = "orders"

    async def mark_paid(self, body: MarkPaidRequest) -> MarkPaidResponse:
        """``POST /api/orders/mark-paid``: ``shop.orders.services.mark_paid`` in the monolith.

        Called here by shop.payments.services.charge (1 call site).
        Every call site ignores the result: an event candidate (publish instead of calling).
        May write: sent once, never retried.
        """
        return await self._call("/api/orders/mark-paid", body, MarkPaidResponse, idempotent=False)

    async def order_service_cancel(self, body: OrderServiceCancelRequest) -> OrderServiceCancelResponse:
        """``POST /api/orders/order-service-cancel``: ``shop.orders.services.OrderService.cancel`` in the monolith.

        Called here by shop.payments.services.refund (2 call sites).
        Every call site ignores the result: an event candidate (publish instead of calling).
        May write: sent once, never retried.
        """
        return await self._call("/api/orders/order-service-cancel", body, OrderServiceCancelResponse, idempotent=False)

    async def order_total(self, body: OrderTotalRequest) -> OrderTotalResponse:
        """``POST /api/orders/order-total``: ``shop.orders.services.order_total`` in the monolith.

        Called here by shop.payments.services.charge (1 call site).
        May write: sent once, never retried.
        """
        return await self._call("/api/orders/order-total", body, OrderTotalResponse, idempotent=False)
