"""The generated clients: typed round trips, retries only when idempotent, breakers that open."""

import asyncio
import json
import ssl
from typing import Any, get_type_hints

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from payments_service.clients._http import CircuitOpen, ServiceClient, ServiceUnavailable, reset_breakers, tls_context
from payments_service.clients.orders import OrdersClient
from payments_service.main import create_app
from payments_service.settings import Settings
from tests.support import unused_port

CLIENTS: list[type[ServiceClient]] = [OrdersClient]
# client class -> the setting that holds its base URL
URL_SETTINGS: dict[type[ServiceClient], str] = {
    OrdersClient: "orders_url",
}

# (client class, method name, path, idempotent, request body, response body)
CALLS: list[tuple[type[ServiceClient], str, str, bool, str, str]] = [
    (
        OrdersClient,
        "mark_paid",
        "/api/orders/mark-paid",
        False,
        "{\"order_id\": null, \"payment_ref\": null}",
        "{\"result\": null}",
    ),
    (
        OrdersClient,
        "order_service_cancel",
        "/api/orders/order-service-cancel",
        False,
        "{\"order_id\": 1}",
        "{\"result\": null}",
    ),
    (
        OrdersClient,
        "order_total",
        "/api/orders/order-total",
        False,
        "{\"order_id\": 1}",
        "{\"result\": \"9.99\"}",
    ),
]


def models(kind: type[ServiceClient], method: str) -> tuple[type[BaseModel], type[BaseModel]]:
    """The request and response models of a client method, read from its signature: two
    services may name their models alike, so they are not imported here by name."""
    hints = get_type_hints(getattr(kind, method))
    return hints["body"], hints["return"]


def fast_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "breaker_fail_max": 3,
        "retry_attempts": 3,
        "retry_initial_backoff": 0.0,
        "retry_max_backoff": 0.0,
        "connect_timeout": 0.5,
        "read_timeout": 1.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.mark.parametrize(("kind", "method", "path", "idempotent", "body", "answer"), CALLS)
def test_typed_round_trip(
    kind: type[ServiceClient], method: str, path: str, idempotent: bool, body: str, answer: str
) -> None:
    request_model, response_model = models(kind, method)
    reset_breakers()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=json.loads(answer))

    async def scenario() -> BaseModel:
        async with kind("http://target.invalid", fast_settings(), transport=httpx.MockTransport(handler)) as client:
            result: BaseModel = await getattr(client, method)(request_model.model_validate(json.loads(body)))
            return result

    result = asyncio.run(scenario())
    assert isinstance(result, response_model)
    assert [(r.method, r.url.path) for r in seen] == [("POST", path)]


@pytest.mark.parametrize(("kind", "method", "path", "idempotent", "body", "answer"), CALLS)
def test_only_idempotent_calls_are_retried(
    kind: type[ServiceClient], method: str, path: str, idempotent: bool, body: str, answer: str
) -> None:
    request_model, _ = models(kind, method)
    reset_breakers()
    attempts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        return httpx.Response(503, json={"detail": "down"})

    async def scenario() -> None:
        settings = fast_settings(breaker_fail_max=10)
        async with kind("http://target.invalid", settings, transport=httpx.MockTransport(handler)) as client:
            with pytest.raises(ServiceUnavailable):
                await getattr(client, method)(request_model.model_validate(json.loads(body)))

    asyncio.run(scenario())
    assert len(attempts) == (3 if idempotent else 1)


@pytest.mark.parametrize("kind", CLIENTS)
def test_livez_is_retried(kind: type[ServiceClient]) -> None:
    reset_breakers()
    answers = iter([httpx.Response(503), httpx.Response(200, json={"status": "ok", "service": kind.service})])

    async def scenario() -> dict[str, Any]:
        transport = httpx.MockTransport(lambda request: next(answers))
        async with kind("http://target.invalid", fast_settings(), transport=transport) as client:
            return await client.livez()

    assert asyncio.run(scenario())["service"] == kind.service


def test_clients_share_one_tls_context_that_verifies() -> None:
    context = tls_context()
    assert tls_context() is context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize("kind", CLIENTS)
def test_breaker_opens_against_an_unreachable_port(kind: type[ServiceClient]) -> None:
    reset_breakers()
    settings = fast_settings(retry_attempts=1)

    async def scenario() -> None:
        async with kind(f"http://127.0.0.1:{unused_port()}", settings) as client:
            for _ in range(settings.breaker_fail_max - 1):
                with pytest.raises(ServiceUnavailable) as failure:
                    await client.livez()
                assert not isinstance(failure.value, CircuitOpen)
            with pytest.raises(CircuitOpen):  # the failure that reaches the threshold opens it
                await client.livez()
            assert client.breaker.current_state == "open"
            with pytest.raises(CircuitOpen) as failure:  # now calls fail at once
                await client.livez()
            assert failure.value.service == kind.service

    asyncio.run(scenario())


@pytest.mark.parametrize("kind", CLIENTS)
def test_the_app_names_a_dependency_that_is_down(kind: type[ServiceClient]) -> None:
    reset_breakers()
    settings = fast_settings(retry_attempts=1, **{URL_SETTINGS[kind]: f"http://127.0.0.1:{unused_port()}"})
    with TestClient(create_app(settings)) as client:
        for _ in range(settings.breaker_fail_max):
            response = client.get(f"/api/payments/deps/{kind.service}")
            assert response.status_code == 503
            assert response.json()["dependency"] == kind.service
        response = client.get(f"/api/payments/deps/{kind.service}")
        assert response.status_code == 503
        assert "circuit breaker open" in response.json()["detail"]
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["problems"] == {kind.service: "circuit breaker open"}
