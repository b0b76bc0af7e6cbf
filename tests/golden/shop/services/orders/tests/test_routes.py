"""The monolith URLs this service took over answer at the same paths and methods (501 until ported)."""

import pytest
from fastapi.testclient import TestClient

# (method, concrete path, monolith handler)
ROUTES = [
    ("POST", "/checkout", "shop.orders.views.checkout"),
    ("POST", "/orders", "shop.orders.views.create_order"),
    ("GET", "/orders/1", "shop.orders.views.show_order"),
]


@pytest.mark.parametrize(("method", "path", "handler"), ROUTES)
def test_route_is_an_honest_stub(client: TestClient, method: str, path: str, handler: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 501, response.text
    if method != "HEAD":  # a HEAD answer has no body
        assert response.json()["detail"]["function"] == handler
