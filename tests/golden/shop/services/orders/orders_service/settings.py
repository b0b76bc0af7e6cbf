"""Settings of the orders service, read from the environment.

Every field can be set as ``ORDERS_<FIELD>``, e.g. ``ORDERS_PORT=9000``, or in a
``.env`` file next to the process.
"""

from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE = "orders"


class Settings(BaseSettings):
    """Where the service listens, how it calls others, and whether it registers with Consul."""

    model_config = SettingsConfigDict(env_prefix="ORDERS_", env_file=".env", extra="ignore")

    service_name: str = SERVICE
    host: str = "127.0.0.1"
    port: int = 8002

    # calls to other services: timeouts in seconds, retries (idempotent calls only), breakers
    connect_timeout: float = 2.0
    read_timeout: float = 5.0
    retry_attempts: int = 3
    retry_initial_backoff: float = 0.1
    retry_max_backoff: float = 2.0
    breaker_fail_max: int = 5
    breaker_reset_timeout: float = 30.0

    # base URLs of the services this one calls
    catalog_url: str = "http://127.0.0.1:8001"
    payments_url: str = "http://127.0.0.1:8003"

    # optional registration with a Consul agent (needs the ``consul`` extra: py-consul)
    consul_enabled: bool = False
    consul_host: str = "127.0.0.1"
    consul_port: int = 8500
    consul_check_interval: str = "10s"
    advertise_host: str = "127.0.0.1"
