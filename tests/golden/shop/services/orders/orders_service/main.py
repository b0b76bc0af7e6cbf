"""The orders service: a FastAPI application cut out of the shop monolith.

Run it with ``python -m orders_service`` (settings from ``ORDERS_*`` environment variables)
or ``uvicorn orders_service.main:app``.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from orders_service import api, deps, health, routes
from orders_service.clients import build_clients, close_clients
from orders_service.clients._http import DependencyError
from orders_service.errors import dependency_error
from orders_service.registry import Registration, register
from orders_service.settings import SERVICE, Settings

DESCRIPTION = "The orders service, cut out of the shop monolith. Interface operations live under /api/orders/; stubs answer 501 until ported."


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; tests pass their own settings."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registration: Registration | None = None
        if settings.consul_enabled:
            registration = await run_in_threadpool(register, settings)
        try:
            yield
        finally:
            if registration is not None:
                await run_in_threadpool(registration.deregister)
            await close_clients(app.state.clients)

    app = FastAPI(title="orders", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.clients = build_clients(settings)
    app.include_router(health.router)
    app.include_router(health.router, prefix="/api/orders", include_in_schema=False)
    app.include_router(api.router)
    app.include_router(deps.router)
    app.add_exception_handler(DependencyError, dependency_error)
    # the monolith's URLs last: a catch-all among them (/<path:page>) must not shadow our own API
    app.include_router(routes.router)

    @app.middleware("http")
    async def name_the_service(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["X-Service"] = SERVICE
        return response

    return app


app = create_app()
