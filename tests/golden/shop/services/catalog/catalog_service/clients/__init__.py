"""Typed clients of the services catalog calls, one module per target service."""

from typing import TypeVar

from fastapi import Request

from catalog_service.clients._http import ServiceClient
from catalog_service.clients.payments import PaymentsClient
from catalog_service.settings import Settings

C = TypeVar("C", bound=ServiceClient)


def build_clients(settings: Settings) -> dict[str, ServiceClient]:
    """One client per target service, keyed by the target's name."""
    return {
        "payments": PaymentsClient(settings.payments_url, settings),
    }


async def close_clients(clients: dict[str, ServiceClient]) -> None:
    for client in clients.values():
        await client.aclose()


def client_of(request: Request, kind: type[C]) -> C:
    """The application's client of one target, typed."""
    client = request.app.state.clients[kind.service]
    if not isinstance(client, kind):  # pragma: no cover - build_clients keys by kind.service
        raise TypeError(f"client of {kind.service} is a {type(client).__name__}")
    return client
