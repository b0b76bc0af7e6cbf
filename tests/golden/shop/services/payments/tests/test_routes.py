"""The monolith URLs this service took over answer at the same paths and methods (501 until ported)."""

import pytest
from fastapi.testclient import TestClient

# (method, concrete path, monolith handler)
ROUTES = [
    ("POST", "/payments/x/refund", "shop.payments.views.refund_view"),
    ("GET", "/payments/1/", "shop.payments.views.payment_detail"),
    ("HEAD", "/payments/1/", "shop.payments.views.payment_detail"),
]


@pytest.mark.parametrize(("method", "path", "handler"), ROUTES)
def test_route_is_an_honest_stub(stub_client: TestClient, method: str, path: str, handler: str) -> None:
    response = stub_client.request(method, path)
    assert response.status_code == 501, response.text
    if method != "HEAD":  # a HEAD answer has no body
        assert response.json()["detail"]["function"] == handler
