"""FastAPI / Starlette entry points: ``@app.get(...)`` / ``@router.post(...)`` /
``@router.api_route(..., methods=[...])``, ``add_api_route``, WebSocket endpoints
(``@router.websocket("/ws")``, ``add_api_websocket_route``: routes of kind ``websocket``), ``APIRouter(prefix=...)``
included with ``include_router(r, prefix=...)`` (both prefixes apply, nested routers too)
and sub-applications mounted with ``app.mount("/path", sub)``."""

from __future__ import annotations

from analyzer.frameworks.routing import HTTP_VERBS, RouterSpec

FASTAPI = RouterSpec(
    name="fastapi",
    roots=frozenset({"fastapi", "starlette"}),
    routers={"FastAPI": None, "Starlette": None, "APIRouter": "prefix"},
    wrappers=frozenset(),
    decorators=frozenset({"api_route", "websocket", "websocket_route", *HTTP_VERBS}),
    any_verb=frozenset({"api_route"}),
    mounts={"include_router": (0, "router", None, "prefix", False), "mount": (1, "app", None, "path", True)},
    rules={"add_api_route": (0, "path", 1, "endpoint"), "add_api_websocket_route": (0, "path", 1, "endpoint"),
           "add_websocket_route": (0, "path", 1, "route")},
    websockets=frozenset({"websocket", "websocket_route", "add_api_websocket_route", "add_websocket_route"}),
)
