"""Request and response bodies of the catalog API, derived from the monolith's type hints.

Plain data types map one to one; anything else (ORM models, domain classes, missing hints)
becomes ``Any`` in a permissive model, and a comment in the model says which value and why.
"""

from typing import Any

from pydantic import BaseModel


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
