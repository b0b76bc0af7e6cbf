"""Monolith URLs the orders service now owns: same paths, same methods.

The gateway sends these URLs here once the service is live (strangler fig). Each handler is
a stub that answers 501 and names the monolith view to port; a WebSocket stub
accepts, sends the same answer as a message and closes with code 4501.
"""

from fastapi import APIRouter, WebSocket

from orders_service.errors import NOT_PORTED, not_ported, socket_not_ported

router = APIRouter(tags=["monolith routes"])


@router.api_route(
    "/checkout",
    methods=["POST"],
    operation_id="orders__route_checkout",
    responses=NOT_PORTED,
)
async def route_checkout() -> None:
    """``POST /checkout`` in the monolith: ``shop.orders.views.checkout`` (shop/orders/views.py:23)."""
    raise not_ported("shop.orders.views.checkout", "shop/orders/views.py:23")


@router.api_route(
    "/orders",
    methods=["POST"],
    operation_id="orders__route_create_order",
    responses=NOT_PORTED,
)
async def route_create_order() -> None:
    """``POST /orders`` in the monolith: ``shop.orders.views.create_order`` (shop/orders/views.py:15)."""
    raise not_ported("shop.orders.views.create_order", "shop/orders/views.py:15")


@router.api_route(
    "/orders/{order_id}",
    methods=["GET"],
    operation_id="orders__route_show_order",
    responses=NOT_PORTED,
)
async def route_show_order(order_id: int) -> None:
    """``GET /orders/<int:order_id>`` in the monolith: ``shop.orders.views.show_order`` (shop/orders/views.py:9)."""
    raise not_ported("shop.orders.views.show_order", "shop/orders/views.py:9")


@router.websocket("/orders/{order_id}/live")
async def socket_order_updates(websocket: WebSocket, order_id: int) -> None:
    """WebSocket ``/orders/{order_id:int}/live`` in the monolith: ``shop.orders.views.order_updates`` (shop/orders/views.py:31)."""
    await socket_not_ported(websocket, "shop.orders.views.order_updates", "shop/orders/views.py:31")
