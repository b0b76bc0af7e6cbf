"""The orders API: one ``POST /api/orders/<function>`` per function other services call.

Each handler is an honest stub: it answers 501 and names the monolith function to port, with
its file and line. Replace the body with the ported code; keep the request and response models.
"""

from fastapi import APIRouter

from orders_service import models
from orders_service.errors import NOT_PORTED, not_ported

router = APIRouter(prefix="/api/orders", tags=["interface"])


@router.post(
    "/mark-paid",
    operation_id="orders__mark_paid",
    summary="shop.orders.services.mark_paid",
    responses=NOT_PORTED,
)
async def mark_paid(body: models.MarkPaidRequest) -> models.MarkPaidResponse:
    """Port of ``shop.orders.services.mark_paid`` (shop/orders/services.py:50).

    Monolith signature: ``(order_id, payment_ref)``.
    Called by: payments.
    Not idempotent as far as the analysis can tell: clients do not retry it.
    """
    raise not_ported("shop.orders.services.mark_paid", "shop/orders/services.py:50")


@router.post(
    "/order-service-cancel",
    operation_id="orders__order_service_cancel",
    summary="shop.orders.services.OrderService.cancel",
    responses=NOT_PORTED,
)
async def order_service_cancel(body: models.OrderServiceCancelRequest) -> models.OrderServiceCancelResponse:
    """Port of ``shop.orders.services.OrderService.cancel`` (shop/orders/services.py:60).

    Monolith signature: ``(self, order_id: int, reason: str = 'customer') -> None``.
    Called by: payments.
    Not idempotent as far as the analysis can tell: clients do not retry it.
    """
    raise not_ported("shop.orders.services.OrderService.cancel", "shop/orders/services.py:60")


@router.post(
    "/order-total",
    operation_id="orders__order_total",
    summary="shop.orders.services.order_total",
    responses=NOT_PORTED,
)
async def order_total(body: models.OrderTotalRequest) -> models.OrderTotalResponse:
    """Port of ``shop.orders.services.order_total`` (shop/orders/services.py:42).

    Monolith signature: ``(order_id: int) -> Decimal``.
    Called by: payments.
    Not idempotent as far as the analysis can tell: clients do not retry it.
    """
    raise not_ported("shop.orders.services.order_total", "shop/orders/services.py:42")
