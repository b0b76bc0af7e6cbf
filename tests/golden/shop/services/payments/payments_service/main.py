"""The payments service: a FastAPI application cut out of the shop monolith.

Run it with ``python -m payments_service`` (settings from ``PAYMENTS_*`` environment variables)
or ``uvicorn payments_service.main:app``.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from payments_service import api, deps, health, routes
from payments_service.clients import build_clients, close_clients
from payments_service.clients._http import DependencyError
from payments_service.errors import dependency_error
from payments_service.registry import Registration, register
from payments_service.settings import SERVICE, Settings

DESCRIPTION = "The payments service, cut out of the shop monolith. Interface operations live under /api/payments/; stubs answer 501 until ported."


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

    app = FastAPI(title="payments", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.clients = build_clients(settings)
    app.include_router(health.router)
    app.include_router(health.router, prefix="/api/payments", include_in_schema=False)
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
