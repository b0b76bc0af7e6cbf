"""Orders: checkout and the order lifecycle."""

from .services import cancel_order, get_order, place_order

__all__ = ["cancel_order", "get_order", "place_order"]
