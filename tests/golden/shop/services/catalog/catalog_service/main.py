"""The catalog service: a FastAPI application cut out of the shop monolith.

Run it with ``python -m catalog_service`` (settings from ``CATALOG_*`` environment variables)
or ``uvicorn catalog_service.main:app``.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from catalog_service import api, deps, health, routes
from catalog_service.clients import build_clients, close_clients
from catalog_service.clients._http import DependencyError
from catalog_service.errors import dependency_error
from catalog_service.registry import Registration, register
from catalog_service.settings import SERVICE, Settings

DESCRIPTION = "The catalog service, cut out of the shop monolith. Interface operations live under /api/catalog/; stubs answer 501 until ported."


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

    app = FastAPI(title="catalog", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.clients = build_clients(settings)
    app.include_router(health.router)
    app.include_router(health.router, prefix="/api/catalog", include_in_schema=False)
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
