"""Typed client of the payments service.

Its models mirror the payments API; the base URL comes from ``ORDERS_PAYMENTS_URL``.
"""

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from orders_service.clients._http import ServiceClient


class ChargeRequest(BaseModel):
    """Arguments of `shop.payments.services.charge(order_id: int, amount: Decimal, card: Card) -> PaymentResult`."""

    # Permissive model: unknown fields are kept and untyped values are Any, because
    # - `card`: `Card` is not a plain data type
    model_config = ConfigDict(extra="allow")

    order_id: int
    amount: Decimal
    card: Any


class ChargeResponse(BaseModel):
    """What `shop.payments.services.charge` returns."""

    # Permissive model: unknown fields are kept and untyped values are Any, because
    # - `result`: `PaymentResult` is not a plain data type
    model_config = ConfigDict(extra="allow")

    result: Any = None


class FakeGatewayRequest(BaseModel):
    """Arguments of `shop.payments.gateways.FakeGateway`."""

    api_key: str


class FakeGatewayResponse(BaseModel):
    """What `shop.payments.gateways.FakeGateway` returns."""

    # Permissive model: unknown fields are kept and untyped values are Any, because
    # - `result`: returns a `FakeGateway` instance, not plain data
    model_config = ConfigDict(extra="allow")

    result: Any = None


class PaymentsClient(ServiceClient):
    service = "payments"

    async def charge(self, body: ChargeRequest) -> ChargeResponse:
        """``POST /api/payments/charge``: ``shop.payments.services.charge`` in the monolith.

        Called here by shop.orders.services.place_order (1 call site).
        May write: sent once, never retried.
        """
        return await self._call("/api/payments/charge", body, ChargeResponse, idempotent=False)

    async def fake_gateway(self, body: FakeGatewayRequest) -> FakeGatewayResponse:
        """``POST /api/payments/fake-gateway``: ``shop.payments.gateways.FakeGateway`` in the monolith.

        Called here by shop.orders.services.OrderService.cancel (1 call site).
        May write: sent once, never retried.
        """
        return await self._call("/api/payments/fake-gateway", body, FakeGatewayResponse, idempotent=False)
