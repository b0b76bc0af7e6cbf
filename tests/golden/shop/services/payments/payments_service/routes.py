"""Monolith URLs the payments service now owns: same paths, same methods.

The gateway sends these URLs here once the service is live (strangler fig). Each handler is
a stub that answers 501 and names the monolith view to port.
"""

from fastapi import APIRouter

from payments_service.errors import NOT_PORTED, not_ported

router = APIRouter(tags=["monolith routes"])


@router.api_route(
    "/payments/{payment_id}/refund",
    methods=["POST"],
    operation_id="payments__route_refund_view",
    responses=NOT_PORTED,
)
async def route_refund_view(payment_id: str) -> None:
    """``POST /payments/<payment_id>/refund`` in the monolith: ``shop.payments.views.refund_view`` (shop/payments/views.py:9)."""
    raise not_ported("shop.payments.views.refund_view", "shop/payments/views.py:9")


@router.api_route(
    "/payments/{pk}/",
    methods=["GET"],
    operation_id="payments__route_payment_detail_get",
    responses=NOT_PORTED,
)
@router.api_route(
    "/payments/{pk}/",
    methods=["HEAD"],
    operation_id="payments__route_payment_detail_head",
    responses=NOT_PORTED,
)
async def route_payment_detail(pk: int) -> None:
    """``GET HEAD payments/<int:pk>/`` in the monolith: ``shop.payments.views.payment_detail`` (shop/payments/views.py:17)."""
    raise not_ported("shop.payments.views.payment_detail", "shop/payments/views.py:17")
