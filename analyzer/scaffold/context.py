"""Typed render context: everything the templates may read, as frozen dataclasses.

Templates get these objects and nothing else, under ``StrictUndefined``: a misspelt field is
an error at render time, not an empty string in a generated file. Every text that came from
the analyzed code is kept raw here; the templates quote it with the filters of
:mod:`analyzer.scaffold.render` for the language of the file they write.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.scaffold.paths import PathParam
from analyzer.scaffold.typemap import Default, PyType


@dataclass(frozen=True, slots=True)
class ScaffoldOptions:
    """Choices made at render time; the defaults suit a local run on one machine."""

    host: str = "127.0.0.1"  # where the gateway finds the services when run locally
    base_port: int = 8001  # first service port; the next services get 8002, 8003...
    gateway_port: int = 8080
    monolith_host: str = "127.0.0.1"  # the strangled monolith: everything not yet extracted
    monolith_port: int = 8000
    docker_monolith_host: str = "host.docker.internal"
    image_prefix: str = "msa"
    image_tag: str = "0.1.0"
    namespace: str = "default"
    gateway_class: str = "nginx"  # Gateway API class of the cluster's gateway controller
    cpu_limit: str = "500m"
    memory_limit: str = "256Mi"
    cpu_request: str = "100m"
    memory_request: str = "128Mi"
    min_replicas: int = 1
    max_replicas: int = 4
    target_cpu_percent: int = 70
    connect_timeout: float = 2.0
    read_timeout: float = 5.0
    proxy_timeout: int = 15  # seconds: the gateway waits a little longer than the services
    extract: bool = False  # also move each service's code in and rewire its calls (analyzer.extract)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a pydantic model, from one parameter (or the return value)."""

    name: str  # Python identifier in the model
    alias: str | None  # the name on the wire when it differs (a keyword, ``json``, ``_x``...)
    type: PyType
    py_type: str  # ``list[int] | None``
    required: bool
    default: Default | None
    note: str | None  # why the field is not typed exactly

    @property
    def wire_name(self) -> str:
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class Model:
    """A request or response body."""

    name: str  # class name
    fields: tuple[Field, ...]
    permissive: bool  # extra fields allowed because some type is unknown
    reasons: tuple[str, ...]  # why it is permissive
    doc: str
    aliased: bool  # some field has an alias: accept both names
    dropped: tuple[str, ...] = ()  # parameters left off the wire (sessions, requests), and why


@dataclass(frozen=True, slots=True)
class Operation:
    """An interface function of a service, served as ``POST /api/<service>/<slug>``."""

    func: str  # handler / client method name
    slug: str
    path: str
    symbol: str  # qualified name in the monolith
    kind: str  # function | method | class
    source: str  # ``shop/orders/services.py:12``
    signature: str
    request: Model
    response: Model
    idempotent: bool  # safe to retry: a read that writes nothing
    is_async: bool
    caller_services: tuple[str, ...]  # slugs
    operation_id: str
    example: str  # JSON text of a request body that validates
    response_example: str  # JSON text of a response body that validates


@dataclass(frozen=True, slots=True)
class OwnedRoute:
    """A monolith HTTP route now served by the service, at the same path and methods."""

    func: str
    methods: tuple[str, ...]
    path: str  # FastAPI form
    original: str
    params: tuple[PathParam, ...]
    regex: str | None
    handler: str  # qualified name of the monolith handler
    source: str
    operation_id: str
    example: str  # a concrete path for the tests
    name: str | None

    @property
    def operation_ids(self) -> tuple[str, ...]:
        """One per method (FastAPI publishes one operation per method)."""
        if len(self.methods) == 1:
            return (self.operation_id,)
        return tuple(f"{self.operation_id}_{m.lower()}" for m in self.methods)


@dataclass(frozen=True, slots=True)
class OwnedSocket:
    """A monolith WebSocket endpoint now served by the service, at the same path: the stub
    accepts, says which monolith handler to port, and closes with :data:`SOCKET_NOT_PORTED`."""

    func: str
    path: str  # FastAPI form
    original: str
    params: tuple[PathParam, ...]
    regex: str | None
    handler: str
    source: str
    example: str  # a concrete path for the tests


SOCKET_NOT_PORTED = 4501  # a WebSocket close code of the application range: "501, not ported"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Something the scaffold could not generate, and why (listed in README/MIGRATION)."""

    what: str
    reason: str


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """A task, command or signal receiver that moves with the service (not an HTTP route)."""

    kind: str
    name: str
    handler: str
    source: str


@dataclass(frozen=True, slots=True)
class ClientCall:
    """One operation of another service that this service calls."""

    operation: Operation  # the target's operation
    mode: str  # sync | event
    callers: tuple[str, ...]  # qualified names of the local callers
    weight: int


@dataclass(frozen=True, slots=True)
class Client:
    """The typed client of one target service."""

    target: str  # slug
    target_name: str  # original name
    module: str  # ``payments`` -> ``clients/payments.py``
    class_name: str  # ``PaymentsClient``
    setting: str  # ``payments_url``
    env: str  # ``ORDERS_PAYMENTS_URL``
    port: int
    calls: tuple[ClientCall, ...]
    models: tuple[Model, ...]


@dataclass(frozen=True, slots=True)
class ServiceContext:
    name: str  # original name from the decomposition
    slug: str  # DNS label, folder, URL segment
    ident: str  # Python identifier
    package: str  # ``orders_service``
    env_prefix: str  # ``ORDERS_``
    port: int
    image: str
    operations: tuple[Operation, ...]
    routes: tuple[OwnedRoute, ...]
    sockets: tuple[OwnedSocket, ...]  # WebSocket endpoints it took over
    entry_points: tuple[EntryPoint, ...]
    refusals: tuple[Refusal, ...]
    clients: tuple[Client, ...]
    models: tuple[Model, ...]  # request/response models of its own operations
    modules: tuple[str, ...]  # monolith modules it takes over
    entities: tuple[str, ...]  # names of the entities it owns
    lines: int
    callers: tuple[str, ...]  # slugs of services that call it

    @property
    def api_prefix(self) -> str:
        return f"/api/{self.slug}"


@dataclass(frozen=True, slots=True)
class GatewayRoute:
    """One monolith path at the gateway: which service serves which method."""

    exact: str | None  # a static path, matched exactly
    regex: str | None  # an anchored pattern, for paths with parameters
    by_method: tuple[tuple[str, str], ...]  # (method, service slug), sorted
    default: str  # service slug for the other methods
    originals: tuple[str, ...]
    specificity: int

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted({s for _, s in self.by_method} | {self.default}))


@dataclass(frozen=True, slots=True)
class CallLine:
    caller: str
    callee: str
    source: str  # slug
    target: str  # slug
    weight: int


@dataclass(frozen=True, slots=True)
class MigrationStep:
    order: int
    service: str  # slug
    name: str
    cost: int  # call weight between it and what is still in the monolith when it moves
    lines: int
    http_calls: tuple[CallLine, ...]  # synchronous calls that become HTTP requests
    events: tuple[CallLine, ...]  # calls whose result is ignored: event candidates
    routes: tuple[str, ...]  # monolith URLs the gateway switches to the new service
    entities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TransactionNote:
    function: str
    source: str
    services: tuple[str, ...]
    entities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SharedWriteNote:
    entity: str
    services: tuple[str, ...]
    functions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Contract:
    """An import-linter ``forbidden`` contract guarding one service's internals."""

    id: str
    service: str
    sources: tuple[str, ...]  # modules of the other services
    forbidden: tuple[str, ...]  # modules of the service that are not its interface
    interface: tuple[str, ...]  # modules others may still import


@dataclass(frozen=True, slots=True)
class ScaffoldContext:
    project: str  # slug of the monolith
    tool_version: str
    options: ScaffoldOptions
    services: tuple[ServiceContext, ...]
    gateway_routes: tuple[GatewayRoute, ...]
    gateway_refusals: tuple[Refusal, ...]
    steps: tuple[MigrationStep, ...]
    transactions: tuple[TransactionNote, ...]
    shared_writes: tuple[SharedWriteNote, ...]
    shared_modules: tuple[str, ...]
    root_packages: tuple[str, ...]
    contracts: tuple[Contract, ...]
    split_modules: tuple[str, ...]  # modules whose units landed in several services
    tool_modules: tuple[str, ...] = ()  # operational scripts set aside (shared rule ``tooling``)
    tool_writes: tuple[SharedWriteNote, ...] = ()  # what they write, ``services`` its owner

    def service(self, slug: str) -> ServiceContext:
        for s in self.services:
            if s.slug == slug:
                return s
        raise KeyError(slug)
