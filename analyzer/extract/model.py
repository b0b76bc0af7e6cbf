"""Values of the extraction: what each service does with each name of another service, and
what it counts, drops and reports. Frozen and plain, so the plan can be computed, tested and
compared without writing a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.extract.environment import EnvVar

# what a service does with a name that belongs to another service
REWIRED = "rewired"  # a call through the generated client of the owner
REPLICATED = "replicated"  # stateless code copied in (a remote call cannot work for it)
STUBBED = "stubbed"  # bound to a stub that raises, naming the reason
PRUNED = "pruned"  # left out of the vendored shared library (its code uses another service)
ACTIONS = (REWIRED, REPLICATED, STUBBED, PRUNED)

PORTED, VENDOR = "ported", "vendor"  # the two trees inside a service package


@dataclass(frozen=True, slots=True)
class WireParam:
    """One parameter of a rewired function, as its proxy passes it on."""

    name: str
    kind: str  # positional | positional_only | keyword_only | var_positional | var_keyword
    has_default: bool
    field: str | None  # wire name in the request model; None: stays on this side (a session)
    plain: bool  # the field is typed exactly: pydantic carries the value as it is
    refused: str = ""  # why the proxy refuses a value for it (an optional parameter that cannot cross)


@dataclass(frozen=True, slots=True)
class Proxy:
    """How a rewired function reaches its owner: the generated client's method and models."""

    client_module: str  # ``payments`` -> ``<package>.clients.payments``
    client_class: str
    method: str
    request_model: str
    params: tuple[WireParam, ...]
    result_plain: bool
    path: str  # ``/api/payments/charge``


@dataclass(frozen=True, slots=True)
class Decision:
    """What one service does with one name of another service (or with code the shared
    library's copy cannot keep)."""

    service: str  # slug of the service whose code uses the name
    target: str  # qualified name in the monolith
    owner: str  # slug of the owning service (or ``shared``)
    kind: str  # function | class | entity | variable | module
    action: str  # one of ACTIONS
    reason: str
    notes: tuple[str, ...] = ()  # how each argument / the result crosses the wire
    proxy: Proxy | None = None


@dataclass(frozen=True, slots=True)
class FacadeEntry:
    """A name a module copy provides without its code: a proxy, a stub or a re-export."""

    name: str
    kind: str  # proxy | stub | dependency | reexport
    target: str  # qualified name in the monolith
    owner: str
    reason: str
    proxy: Proxy | None = None
    source_module: str | None = None  # reexport: the monolith module to import it from
    notes: tuple[str, ...] = ()  # how arguments and result cross (proxies)
    # a stubbed function's parameters: its stub is a function of the same shape, which a
    # library inspecting what it is handed on import accepts (a middleware list, ``Depends``)
    params: tuple[WireParam, ...] | None = None
    is_async: bool = False


@dataclass
class ModulePlan:
    """What a service's copy of one module holds (mutable while the plan is computed)."""

    module: str
    tree: str  # PORTED | VENDOR
    full: bool  # every top-level statement is kept (the module's top level belongs here)
    units: set[str] = field(default_factory=set)  # classes and functions kept as real code
    replicas: set[str] = field(default_factory=set)  # ... of which copied from another service
    statements: set[int] = field(default_factory=set)  # other top-level statements kept
    # statements of a full copy left out, the names they bind stubs in the facade (a value made
    # on import from another service's entity)
    stubbed_statements: set[int] = field(default_factory=set)
    facade: dict[str, FacadeEntry] = field(default_factory=dict)
    pruned: set[str] = field(default_factory=set)  # names the shared copy leaves out
    exports: set[str] = field(default_factory=set)  # names other copies import from this one
    # URL converters its routes use that the module registering them does not register here:
    # converter name -> the class's qualified name (the copy registers it)
    converters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CallSite:
    """A cross-service call edge of the analysis and what became of it."""

    service: str  # caller's service slug
    caller: str
    callee: str
    target: str  # callee's service slug
    sites: int
    action: str  # rewired | replicated | stubbed
    reason: str


@dataclass(frozen=True, slots=True)
class ForeignAccess:
    """Direct ORM (or SQL) access to an entity another service owns: not a call, so not
    rewired; reported so the owner can offer an operation for it."""

    service: str
    function: str
    entity: str  # entity name
    owner: str  # slug (or ``nobody``)
    kind: str  # read | write
    source: str  # ``path:line``


@dataclass(frozen=True, slots=True)
class Removal:
    """Something a copy leaves out or changes, with where it was and why."""

    service: str
    module: str
    source: str  # ``path:line``
    what: str  # one line of the code concerned
    reason: str


@dataclass(frozen=True, slots=True)
class OperationPort:
    """An interface operation of a service: served by the moved code, or still a stub."""

    func: str
    symbol: str
    ported: bool
    reason: str  # why it is still a stub ("" when ported)
    target: str = ""  # local dotted path of the function it runs
    session: str | None = None  # parameter that receives the service's own database session
    star: str | None = None  # ``*args`` parameter
    positional: tuple[str, ...] = ()  # positional-only parameters, in order
    result_plain: bool = True
    result_array: bool = False  # the result is declared a list: a tuple or set returned goes as one


@dataclass(frozen=True, slots=True)
class RoutePort:
    func: str
    handler: str
    ported: bool
    reason: str


@dataclass(frozen=True, slots=True)
class DataCopy:
    """A file or folder the copied code reads beside it (``extract/datafiles.py``)."""

    path: str  # under the copy trees
    folder: bool
    files: int  # files copied (0 when it is left)
    size: int  # bytes
    left: str = ""  # why it was not copied


@dataclass(frozen=True, slots=True)
class ServiceExtraction:
    slug: str
    package: str
    modules: tuple[tuple[str, str], ...]  # (module, tree) of every module copy, sorted
    replicas: tuple[str, ...]  # qualified names copied from other services
    decisions: tuple[Decision, ...]
    calls: tuple[CallSite, ...]
    foreign: tuple[ForeignAccess, ...]
    removals: tuple[Removal, ...]
    operations: tuple[OperationPort, ...]
    routes: tuple[RoutePort, ...]
    app_factory: str | None  # qualified name of the monolith's app factory the service runs
    session_factory: str | None
    dependencies: tuple[str, ...]  # the monolith's requirements the copied code needs
    data: tuple[DataCopy, ...] = ()  # files and folders copied beside the code, or left
    environment: tuple[EnvVar, ...] = ()  # the environment variables the copied code reads, required first

    def count(self, action: str) -> int:
        return sum(c.sites for c in self.calls if c.action == action)


@dataclass(frozen=True, slots=True)
class Extraction:
    services: tuple[ServiceExtraction, ...]
    moved_models: tuple[tuple[str, str, str], ...] = ()  # model classes placed with their entity's owner

    def count(self, action: str) -> int:
        return sum(s.count(action) for s in self.services)

    @property
    def call_sites(self) -> int:
        return sum(c.sites for s in self.services for c in s.calls)

    def summary(self) -> dict[str, object]:
        """The figures scaffold.json and the summary line carry."""
        total = self.call_sites
        rewired = self.count(REWIRED)
        reasons: dict[str, int] = {}
        for s in self.services:
            for c in s.calls:
                if c.action == STUBBED:
                    reasons[c.reason] = reasons.get(c.reason, 0) + c.sites
        return {
            "cross_service_call_sites": total,
            "rewired": rewired,
            "replicated": self.count(REPLICATED),
            "stubbed": self.count(STUBBED),
            "rewired_share": round(rewired / total, 4) if total else 1.0,
            "stub_reasons": [{"reason": r, "sites": n} for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))],
            "operations_ported": sum(1 for s in self.services for o in s.operations if o.ported),
            "operations_stubbed": sum(1 for s in self.services for o in s.operations if not o.ported),
            "routes_ported": sum(1 for s in self.services for r in s.routes if r.ported),
            "routes_stubbed": sum(1 for s in self.services for r in s.routes if not r.ported),
            "foreign_entity_accesses": sum(len(s.foreign) for s in self.services),
        }
