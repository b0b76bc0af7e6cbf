"""Optional registration with a Consul agent, off unless ``PAYMENTS_CONSUL_ENABLED=true``.

The agent then checks ``/livez`` over HTTP at the configured interval (the heartbeat) and
drops the service if it stays unhealthy. py-consul is imported only when registration is on,
so the service runs without it; install it with the ``consul`` extra (``pip install .[consul]``).
"""

from dataclasses import dataclass
from typing import Any

from payments_service.settings import Settings


@dataclass(frozen=True)
class Registration:
    agent: Any
    service_id: str

    def deregister(self) -> None:
        self.agent.agent.service.deregister(self.service_id)


def register(settings: Settings) -> Registration:
    """Register this instance with the local Consul agent, with an HTTP check on ``/livez``."""
    try:
        import consul
    except ImportError as exc:
        raise RuntimeError(
            "Consul registration is enabled but py-consul is not installed: pip install '.[consul]'"
        ) from exc
    agent = consul.Consul(host=settings.consul_host, port=settings.consul_port)
    service_id = f"{settings.service_name}-{settings.advertise_host}-{settings.port}"
    check = consul.Check.http(
        f"http://{settings.advertise_host}:{settings.port}/livez",
        interval=settings.consul_check_interval,
        timeout="2s",
        deregister="1m",
    )
    agent.agent.service.register(
        settings.service_name,
        service_id=service_id,
        address=settings.advertise_host,
        port=settings.port,
        tags=["msa"],
        check=check,
    )
    return Registration(agent, service_id)
