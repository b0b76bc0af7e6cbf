"""Request and response bodies of the orders API, derived from the monolith's type hints.

Plain data types map one to one; anything else (ORM models, domain classes, missing hints)
becomes ``Any`` in a permissive model, and a comment in the model says which value and why.
"""

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


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
