"""What the orders service answers when it cannot do the work (yet)."""

from typing import Any

from fastapi import HTTPException, Request, WebSocket, status
from fastapi.responses import JSONResponse

from orders_service.clients._http import DependencyError
from orders_service.settings import SERVICE

NOT_PORTED: dict[int | str, dict[str, Any]] = {
    501: {"description": "Not ported yet: the body names the monolith function to port."},
}


def not_ported(function: str, source: str) -> HTTPException:
    """The answer of a stub: which monolith function still has to be ported, and where it is."""
    return HTTPException(
        status_code=status.HTTP_501_NOT_IMPLEMENTED,
        detail={"error": "not implemented", "service": SERVICE, "function": function, "source": source},
    )


SOCKET_NOT_PORTED = 4501  # a close code of the application range: "501, not ported"


async def socket_not_ported(websocket: WebSocket, function: str, source: str) -> None:
    """The answer of a WebSocket stub: accept, name the monolith function still to port, close."""
    await websocket.accept()
    await websocket.send_json(
        {"detail": {"error": "not implemented", "service": SERVICE, "function": function, "source": source}})
    await websocket.close(code=SOCKET_NOT_PORTED, reason="not ported")


async def dependency_error(request: Request, exc: Exception) -> JSONResponse:
    """A service this one calls is down, short-circuited or failing: say which, and why."""
    if not isinstance(exc, DependencyError):  # pragma: no cover - registered for DependencyError only
        raise exc
    return JSONResponse(
        status_code=exc.status_code,
        content={"detail": str(exc), "service": SERVICE, "dependency": exc.service, "reason": exc.reason},
    )
