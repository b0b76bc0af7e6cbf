"""Consul registration is off by default, and registers/deregisters when turned on."""

import sys
import types
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from orders_service.main import create_app
from orders_service.settings import Settings


class FakeAgent:
    """Stands in for py-consul's ``Consul`` and records what the service asks of it."""

    calls: ClassVar[list[tuple[str, Any]]] = []

    def __init__(self, host: str, port: int) -> None:
        self.agent = self
        self.service = self
        FakeAgent.calls.append(("connect", (host, port)))

    def register(self, name: str, **kwargs: Any) -> None:
        FakeAgent.calls.append(("register", (name, kwargs)))

    def deregister(self, service_id: str) -> None:
        FakeAgent.calls.append(("deregister", service_id))


@pytest.fixture
def fake_consul(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    module = types.ModuleType("consul")
    module.Consul = FakeAgent  # type: ignore[attr-defined]
    module.Check = types.SimpleNamespace(http=lambda url, **kw: {"http": url, **kw})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "consul", module)
    FakeAgent.calls = []
    return FakeAgent.calls


def test_registration_is_off_by_default(fake_consul: list[tuple[str, Any]]) -> None:
    with TestClient(create_app(Settings(_env_file=None))) as client:
        assert client.get("/livez").status_code == 200
    assert fake_consul == []


def test_registers_with_a_livez_check_and_deregisters(fake_consul: list[tuple[str, Any]]) -> None:
    settings = Settings(_env_file=None, consul_enabled=True, consul_host="127.0.0.1", port=8002)
    with TestClient(create_app(settings)):
        kinds = [kind for kind, _ in fake_consul]
        assert kinds == ["connect", "register"]
        name, options = fake_consul[1][1]
        assert name == "orders"
        assert options["check"]["http"] == "http://127.0.0.1:8002/livez"
    assert fake_consul[-1] == ("deregister", options["service_id"])
