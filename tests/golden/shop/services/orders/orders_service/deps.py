"""Dependency checks: call each service this one depends on, through its generated client.

``GET /api/orders/deps/<service>`` answers what that service's ``/livez`` said; when it is
down (or its circuit breaker is open) the answer is a 503 that names it.
"""

from typing import Any

from fastapi import APIRouter, Request

from orders_service.clients import client_of
from orders_service.clients.catalog import CatalogClient
from orders_service.clients.payments import PaymentsClient
from orders_service.settings import SERVICE

router = APIRouter(prefix="/api/orders/deps", tags=["dependencies"])


@router.get("/catalog", operation_id="orders__deps_catalog")
async def deps_catalog(request: Request) -> dict[str, Any]:
    answer = await client_of(request, CatalogClient).livez()
    return {"service": SERVICE, "dependency": "catalog", "status": "up", "answer": answer}


@router.get("/payments", operation_id="orders__deps_payments")
async def deps_payments(request: Request) -> dict[str, Any]:
    answer = await client_of(request, PaymentsClient).livez()
    return {"service": SERVICE, "dependency": "payments", "status": "up", "answer": answer}
