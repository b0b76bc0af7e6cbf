"""The monolith URLs this service took over answer at the same paths and methods (501 until ported)."""

import pytest
from fastapi.testclient import TestClient

# (method, concrete path, monolith handler)
ROUTES = [
    ("GET", "/checkout", "shop.catalog.views.checkout_page"),
    ("GET", "/products", "shop.catalog.views.product_list"),
    ("GET", "/products/1", "shop.catalog.views.product_detail"),
]


@pytest.mark.parametrize(("method", "path", "handler"), ROUTES)
def test_route_is_an_honest_stub(stub_client: TestClient, method: str, path: str, handler: str) -> None:
    response = stub_client.request(method, path)
    assert response.status_code == 501, response.text
    if method != "HEAD":  # a HEAD answer has no body
        assert response.json()["detail"]["function"] == handler
