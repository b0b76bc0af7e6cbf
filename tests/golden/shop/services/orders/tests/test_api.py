"""Every interface operation is served, validates its body, and answers 501 naming the function to port."""

import json

import pytest
from fastapi.testclient import TestClient

# (path, monolith function, source, request body that validates)
OPERATIONS = [
    (
        "/api/orders/mark-paid",
        "shop.orders.services.mark_paid",
        "shop/orders/services.py:50",
        "{\"order_id\": null, \"payment_ref\": null}",
    ),
    (
        "/api/orders/order-service-cancel",
        "shop.orders.services.OrderService.cancel",
        "shop/orders/services.py:60",
        "{\"order_id\": 1}",
    ),
    (
        "/api/orders/order-total",
        "shop.orders.services.order_total",
        "shop/orders/services.py:42",
        "{\"order_id\": 1}",
    ),
]


@pytest.mark.parametrize(("path", "function", "source", "body"), OPERATIONS)
def test_operation_is_an_honest_stub(stub_client: TestClient, path: str, function: str, source: str, body: str) -> None:
    response = stub_client.post(path, json=json.loads(body))
    assert response.status_code == 501, response.text
    detail = response.json()["detail"]
    assert detail["function"] == function
    assert detail["source"] == source
    assert detail["service"] == "orders"


def test_every_operation_is_in_the_openapi_document(stub_client: TestClient) -> None:
    paths = stub_client.get("/openapi.json").json()["paths"]
    for path, *_ in OPERATIONS:
        assert "post" in paths[path]
