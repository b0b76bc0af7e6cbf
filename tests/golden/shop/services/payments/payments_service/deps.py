"""Dependency checks: call each service this one depends on, through its generated client.

``GET /api/payments/deps/<service>`` answers what that service's ``/livez`` said; when it is
down (or its circuit breaker is open) the answer is a 503 that names it.
"""

from typing import Any

from fastapi import APIRouter, Request

from payments_service.clients import client_of
from payments_service.clients.orders import OrdersClient
from payments_service.settings import SERVICE

router = APIRouter(prefix="/api/payments/deps", tags=["dependencies"])


@router.get("/orders", operation_id="payments__deps_orders")
async def deps_orders(request: Request) -> dict[str, Any]:
    answer = await client_of(request, OrdersClient).livez()
    return {"service": SERVICE, "dependency": "orders", "status": "up", "answer": answer}
