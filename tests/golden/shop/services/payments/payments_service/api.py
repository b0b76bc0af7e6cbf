"""The payments API: one ``POST /api/payments/<function>`` per function other services call.

Each handler is an honest stub: it answers 501 and names the monolith function to port, with
its file and line. Replace the body with the ported code; keep the request and response models.
"""

from fastapi import APIRouter

from payments_service import models
from payments_service.errors import NOT_PORTED, not_ported

router = APIRouter(prefix="/api/payments", tags=["interface"])


@router.post(
    "/charge",
    operation_id="payments__charge",
    summary="shop.payments.services.charge",
    responses=NOT_PORTED,
)
async def charge(body: models.ChargeRequest) -> models.ChargeResponse:
    """Port of ``shop.payments.services.charge`` (shop/payments/services.py:8).

    Monolith signature: ``(order_id: int, amount: Decimal, card: Card) -> PaymentResult``.
    Called by: orders.
    Not idempotent as far as the analysis can tell: clients do not retry it.
    """
    raise not_ported("shop.payments.services.charge", "shop/payments/services.py:8")


@router.post(
    "/fake-gateway",
    operation_id="payments__fake_gateway",
    summary="shop.payments.gateways.FakeGateway",
    responses=NOT_PORTED,
)
async def fake_gateway(body: models.FakeGatewayRequest) -> models.FakeGatewayResponse:
    """Port of ``shop.payments.gateways.FakeGateway`` (shop/payments/gateways.py:4).

    Monolith signature: ``(...)``.
    Called by: orders.
    Not idempotent as far as the analysis can tell: clients do not retry it.
    """
    raise not_ported("shop.payments.gateways.FakeGateway", "shop/payments/gateways.py:4")


@router.post(
    "/get-payment",
    operation_id="payments__get_payment",
    summary="shop.payments.services.get_payment",
    responses=NOT_PORTED,
    openapi_extra={"x-idempotent": True},
)
async def get_payment(body: models.GetPaymentRequest) -> models.GetPaymentResponse:
    """Port of ``shop.payments.services.get_payment`` (shop/payments/services.py:47).

    Monolith signature: ``(payment_id: str) -> dict[str, str]``.
    Called by: catalog.
    Idempotent (reads, writes nothing): clients may retry it.
    """
    raise not_ported("shop.payments.services.get_payment", "shop/payments/services.py:47")
