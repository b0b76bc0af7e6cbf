"""The monolith URLs this service took over answer at the same paths and methods (501 until ported); its WebSocket endpoints accept, name the handler to port and close with code 4501."""

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

# (method, concrete path, monolith handler)
ROUTES = [
    ("POST", "/checkout", "shop.orders.views.checkout"),
    ("POST", "/orders", "shop.orders.views.create_order"),
    ("GET", "/orders/1", "shop.orders.views.show_order"),
]


@pytest.mark.parametrize(("method", "path", "handler"), ROUTES)
def test_route_is_an_honest_stub(stub_client: TestClient, method: str, path: str, handler: str) -> None:
    response = stub_client.request(method, path)
    assert response.status_code == 501, response.text
    if method != "HEAD":  # a HEAD answer has no body
        assert response.json()["detail"]["function"] == handler

# (concrete path, monolith handler)
SOCKETS = [
    ("/orders/1/live", "shop.orders.views.order_updates"),
]


@pytest.mark.parametrize(("path", "handler"), SOCKETS)
def test_socket_is_an_honest_stub(client: TestClient, path: str, handler: str) -> None:
    with client.websocket_connect(path) as socket:
        assert socket.receive_json()["detail"]["function"] == handler
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == 4501
