"""Request and response bodies of the payments API, derived from the monolith's type hints.

Plain data types map one to one; anything else (ORM models, domain classes, missing hints)
becomes ``Any`` in a permissive model, and a comment in the model says which value and why.
"""

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


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


class GetPaymentRequest(BaseModel):
    """Arguments of `shop.payments.services.get_payment(payment_id: str) -> dict[str, str]`."""

    payment_id: str


class GetPaymentResponse(BaseModel):
    """What `shop.payments.services.get_payment` returns."""

    result: dict[str, str]
