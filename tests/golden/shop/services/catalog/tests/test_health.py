"""The service is live, ready, and names itself on every answer."""

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/livez", "/api/catalog/livez"])
def test_livez_names_the_service(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "catalog"}
    assert response.headers["x-service"] == "catalog"


@pytest.mark.parametrize("path", ["/readyz", "/api/catalog/readyz"])
def test_readyz_when_dependencies_are_configured(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert sorted(body["dependencies"]) == ["payments"]
