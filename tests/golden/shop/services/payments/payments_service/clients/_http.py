"""Calls to other services over HTTP: timeouts, retries, and one circuit breaker per target.

- Every call has a connect and a read timeout (settings ``connect_timeout``, ``read_timeout``).
- Only idempotent calls are retried (``GET /livez`` and operations marked idempotent), with
  exponential backoff; a POST that may write is sent once, so it is never applied twice.
- A circuit breaker per target service (pybreaker) opens after ``breaker_fail_max``
  consecutive failures; while open, calls fail at once with :class:`CircuitOpen` instead of
  waiting for timeouts, and it lets one trial call through after ``breaker_reset_timeout``.
- Failures are a refused connection, a timeout, or a 502/503/504 answer. Other error answers
  (a 501 from a stub not ported yet, a 4xx) are :class:`UpstreamError` and do not trip it.
"""

import functools
import ssl
import threading
from typing import Any, Self, TypeVar

import httpx
import pybreaker
from pydantic import BaseModel
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from payments_service.settings import Settings

M = TypeVar("M", bound=BaseModel)

_UNAVAILABLE = frozenset({502, 503, 504})
_BREAKERS: dict[str, pybreaker.CircuitBreaker] = {}
_LOCK = threading.Lock()


class DependencyError(Exception):
    """A call to another service failed; ``service`` names it."""

    status_code = 502

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service} failed: {reason}")
        self.service = service
        self.reason = reason


class ServiceUnavailable(DependencyError):
    """The target did not answer in time, refused the connection, or said it is unavailable."""

    status_code = 503

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(service, reason)
        self.args = (f"{service} is unavailable: {reason}",)


class CircuitOpen(ServiceUnavailable):
    """Calls to the target are cut short after repeated failures."""


class UpstreamError(DependencyError):
    """The target answered with an error that is not about its availability."""

    def __init__(self, service: str, status: int, body: str) -> None:
        super().__init__(service, f"answered {status}: {body[:200]}")
        self.status = status


def breaker_for(service: str, settings: Settings) -> pybreaker.CircuitBreaker:
    """The process-wide breaker of ``service``: every client of one target shares it."""
    with _LOCK:
        breaker = _BREAKERS.get(service)
        if breaker is None:
            breaker = pybreaker.CircuitBreaker(
                fail_max=settings.breaker_fail_max,
                reset_timeout=settings.breaker_reset_timeout,
                name=service,
            )
            _BREAKERS[service] = breaker
        return breaker


def reset_breakers() -> None:
    """Forget every breaker (tests start from closed breakers)."""
    with _LOCK:
        _BREAKERS.clear()


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process-wide TLS settings of every client. Making them loads the CA bundle, about
    50 ms: an app has a client per target service, and each made its own before."""
    return httpx.create_ssl_context()


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, ServiceUnavailable) and not isinstance(exc, CircuitOpen)


class ServiceClient:
    """Base of the typed clients: one instance per target, shared by the requests of the app."""

    service = ""
    __test__ = False  # pytest would collect a client of a service named "test..." as a test class

    def __init__(
        self, base_url: str, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.breaker = breaker_for(self.service, settings)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            transport=transport,
            verify=tls_context(),
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def livez(self) -> dict[str, Any]:
        """The target's liveness answer (idempotent: retried)."""
        response = await self._send("GET", "/livez", None, idempotent=True)
        return dict(response.json())

    async def _call(self, path: str, body: BaseModel, answer: type[M], *, idempotent: bool) -> M:
        payload = body.model_dump(mode="json", by_alias=True)
        response = await self._send("POST", path, payload, idempotent=idempotent)
        return answer.model_validate(response.json())

    async def _send(self, method: str, path: str, payload: Any, *, idempotent: bool) -> httpx.Response:
        attempts = max(1, self.settings.retry_attempts) if idempotent else 1
        retrying = AsyncRetrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=self.settings.retry_initial_backoff, max=self.settings.retry_max_backoff),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send_once(method, path, payload)
        raise ServiceUnavailable(self.service, "no attempt was made")  # pragma: no cover

    async def _send_once(self, method: str, path: str, payload: Any) -> httpx.Response:
        try:
            with self.breaker.calling():
                response = await self._http.request(method, path, json=payload)
                if response.status_code in _UNAVAILABLE:
                    raise ServiceUnavailable(self.service, f"answered {response.status_code}")
        except pybreaker.CircuitBreakerError:
            raise CircuitOpen(self.service, "circuit breaker open after repeated failures") from None
        except httpx.TimeoutException:
            raise ServiceUnavailable(self.service, "timed out") from None
        except httpx.TransportError as exc:
            raise ServiceUnavailable(self.service, f"unreachable ({type(exc).__name__})") from None
        if response.is_error:
            raise UpstreamError(self.service, response.status_code, response.text)
        return response
