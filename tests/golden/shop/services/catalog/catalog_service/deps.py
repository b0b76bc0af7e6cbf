"""Dependency checks: call each service this one depends on, through its generated client.

``GET /api/catalog/deps/<service>`` answers what that service's ``/livez`` said; when it is
down (or its circuit breaker is open) the answer is a 503 that names it.
"""

from typing import Any

from fastapi import APIRouter, Request

from catalog_service.clients import client_of
from catalog_service.clients.payments import PaymentsClient
from catalog_service.settings import SERVICE

router = APIRouter(prefix="/api/catalog/deps", tags=["dependencies"])


@router.get("/payments", operation_id="catalog__deps_payments")
async def deps_payments(request: Request) -> dict[str, Any]:
    answer = await client_of(request, PaymentsClient).livez()
    return {"service": SERVICE, "dependency": "payments", "status": "up", "answer": answer}
