"""Liveness and readiness of the payments service.

``/livez`` answers as long as the process serves requests. ``/readyz`` also checks what the
service depends on without calling it: every dependency has a usable base URL and its
circuit breaker is not open. Both are served at the root and under ``/api/payments/``.
"""

from typing import Any

from fastapi import APIRouter, Request, Response, status

from payments_service.settings import SERVICE

router = APIRouter(tags=["health"])


@router.get("/livez", operation_id="payments__livez")
async def livez() -> dict[str, str]:
    return {"status": "ok", "service": SERVICE}


@router.get("/readyz", operation_id="payments__readyz")
async def readyz(request: Request, response: Response) -> dict[str, Any]:
    dependencies: dict[str, dict[str, str]] = {}
    problems: dict[str, str] = {}
    for name, client in sorted(request.app.state.clients.items()):
        state = client.breaker.current_state
        dependencies[name] = {"url": client.base_url, "breaker": state}
        if not client.base_url.startswith(("http://", "https://")):
            problems[name] = f"base URL {client.base_url!r} is not an http(s) URL"
        elif state == "open":
            problems[name] = "circuit breaker open"
    if problems:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return {
        "status": "not ready" if problems else "ready",
        "service": SERVICE,
        "dependencies": dependencies,
        "problems": problems,
    }
