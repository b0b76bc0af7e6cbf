"""Every interface operation is served, validates its body, and answers 501 naming the function to port."""

import json

import pytest
from fastapi.testclient import TestClient

# (path, monolith function, source, request body that validates)
OPERATIONS = [
    (
        "/api/payments/charge",
        "shop.payments.services.charge",
        "shop/payments/services.py:8",
        "{\"amount\": \"9.99\", \"card\": null, \"order_id\": 1}",
    ),
    (
        "/api/payments/fake-gateway",
        "shop.payments.gateways.FakeGateway",
        "shop/payments/gateways.py:4",
        "{\"api_key\": \"text\"}",
    ),
    (
        "/api/payments/get-payment",
        "shop.payments.services.get_payment",
        "shop/payments/services.py:47",
        "{\"payment_id\": \"text\"}",
    ),
]


@pytest.mark.parametrize(("path", "function", "source", "body"), OPERATIONS)
def test_operation_is_an_honest_stub(stub_client: TestClient, path: str, function: str, source: str, body: str) -> None:
    response = stub_client.post(path, json=json.loads(body))
    assert response.status_code == 501, response.text
    detail = response.json()["detail"]
    assert detail["function"] == function
    assert detail["source"] == source
    assert detail["service"] == "payments"


def test_every_operation_is_in_the_openapi_document(stub_client: TestClient) -> None:
    paths = stub_client.get("/openapi.json").json()["paths"]
    for path, *_ in OPERATIONS:
        assert "post" in paths[path]
