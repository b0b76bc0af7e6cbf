"""Derived views of a decomposition: what each service offers, calls and touches.

The report and the scaffold both need the same facts about a decomposition — which members
are called from other services (the interface a service must expose), which calls cross a
boundary (the clients it needs, synchronous or event candidates), which entities it owns or
touches, and where the cut is risky (entities written by several services, transactions
spanning services, chatty pairs). They are computed here once, from the analysis alone.

Calls into the shared library are not cross-service calls: every service may depend on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from analyzer.analysis import Analysis
from analyzer.model import (
    CALL,
    CLASS,
    ENTITY,
    ENTRY,
    METHOD,
    MODULE,
    READ,
    ROUTE,
    SHARED,
    WRITE,
    Decomposition,
    Route,
    Symbol,
)


@dataclass(frozen=True)
class InterfaceFunction:
    """A member of a service called from another service: one operation of its API."""

    symbol: str
    service: str
    kind: str
    module: str
    name: str
    line: int
    signature: str | None
    params: tuple[dict, ...]
    returns: str | None
    is_async: bool
    callers: tuple[str, ...]  # caller symbol ids in other services (sorted)
    caller_services: tuple[str, ...]
    weight: int  # call sites from other services
    untyped: bool  # params/returns lack annotations: the report says "permissive model"


@dataclass(frozen=True)
class OutgoingCall:
    """Calls from one caller symbol to one callee symbol across a service boundary."""

    source_service: str
    target_service: str
    caller: str
    callee: str
    weight: int
    used: int
    ignored: int

    @property
    def mode(self) -> str:
        """``sync`` when some site uses the result; ``event`` when every site ignores it."""
        return "sync" if self.used > 0 else "event"


@dataclass(frozen=True)
class ServiceView:
    name: str
    members: tuple[str, ...]
    modules: tuple[str, ...]  # modules whose units are (mostly, by lines) in this service
    lines: int
    entities: tuple[str, ...]  # owned entity ids
    interface: tuple[InterfaceFunction, ...]
    outgoing: tuple[OutgoingCall, ...]
    incoming: tuple[OutgoingCall, ...]
    routes: tuple[Route, ...]  # entry points whose handler is in the service
    reads_foreign: tuple[str, ...]  # entities owned elsewhere that the service reads
    writes_foreign: tuple[str, ...]  # ... and writes


@dataclass(frozen=True)
class SharedWrite:
    entity: str
    services: tuple[str, ...]
    functions: tuple[str, ...]


@dataclass(frozen=True)
class TransactionRisk:
    function: str
    module: str
    line: int
    services: tuple[str, ...]
    entities: tuple[str, ...]


@dataclass(frozen=True)
class ChattyEdge:
    source: str
    target: str
    weight: int  # call sites from source to target
    calls: int  # distinct (caller, callee) pairs


@dataclass(frozen=True)
class ToolWrite:
    """An entity that operational code set aside as tooling (a backfill, a seed script) writes:
    after the cut the script reaches that data through its owner (its API, or a job of that
    service), not the database."""

    entity: str
    owner: str  # the owning service, or "" when the entity has none
    functions: tuple[str, ...]


@dataclass(frozen=True)
class Risks:
    shared_writes: tuple[SharedWrite, ...]
    transactions: tuple[TransactionRisk, ...]
    chatty: tuple[ChattyEdge, ...]
    tool_writes: tuple[ToolWrite, ...] = ()


# -- placement -----------------------------------------------------------------------------


def _decomposition(analysis: Analysis, decomposition: Decomposition | None) -> Decomposition:
    d = decomposition if decomposition is not None else analysis.decomposition
    if d is None:
        return Decomposition(services=(), shared=())
    return d


def _lookup(symbol_id: str, assignment: dict[str, str]) -> str | None:
    """The most specific member covering ``symbol_id``: itself, then its dotted parents."""
    key = symbol_id
    while True:
        hit = assignment.get(key)
        if hit is not None:
            return hit
        if "." not in key:
            return None
        key = key.rsplit(".", 1)[0]


def unit_placement(decomposition: Decomposition, units: Iterable[str]) -> dict[str, str]:
    """:func:`service_of` for code ``units`` alone (no entity, no entry point): the rule for
    them reads nothing but the decomposition, so the size scores need not place the rest."""
    assignment = decomposition.assignment()
    return {u: _lookup(u, assignment) or SHARED for u in units}


def entry_handlers(analysis: Analysis) -> dict[str, str]:
    """entry point id -> its handler: the routes, then ``route`` edges for the others."""
    handlers = {r.id: r.handler for r in analysis.routes}
    for edge in analysis.edges:
        if edge.kind == ROUTE and edge.source not in handlers:
            handlers[edge.source] = edge.target
    return handlers


def service_of(
    analysis: Analysis, decomposition: Decomposition | None = None, handlers: dict[str, str] | None = None
) -> dict[str, str]:
    """Every symbol id -> the service it lands in (or ``SHARED``).

    Methods and nested definitions follow their unit, entities their owner (else the service
    of their model class), entry points their handler. Symbols the decomposition does not
    cover go to the shared library, so every id gets a placement. ``handlers`` is
    ``entry_handlers(analysis)`` when the caller places several decompositions.
    """
    d = _decomposition(analysis, decomposition)
    assignment = d.assignment()
    owner = d.owner()
    out: dict[str, str] = {}
    deferred_entities: list[Symbol] = []
    deferred_entries: list[Symbol] = []
    for s in analysis.symbols:
        if s.kind == ENTITY:
            deferred_entities.append(s)
        elif s.kind == ENTRY:
            deferred_entries.append(s)
        else:
            out[s.id] = _lookup(s.id, assignment) or SHARED
    models = {e.id: e.model for e in analysis.entities}
    for s in deferred_entities:
        if s.id in owner:
            out[s.id] = owner[s.id]
        else:
            model = models.get(s.id)
            out[s.id] = out.get(model, SHARED) if model else SHARED
    for e in analysis.entities:  # entities without a symbol of their own
        if e.id not in out:
            out[e.id] = owner.get(e.id) or (out.get(e.model, SHARED) if e.model else SHARED)
    if handlers is None:
        handlers = entry_handlers(analysis)
    for s in deferred_entries:
        handler = handlers.get(s.id)
        out[s.id] = out.get(handler, SHARED) if handler else SHARED
    for r in analysis.routes:  # routes without a symbol of their own
        if r.id not in out:
            out[r.id] = out.get(r.handler, SHARED) if r.handler else SHARED
    return out


def _is_service(name: str | None) -> bool:
    return name is not None and name != SHARED


# -- cross-service calls ----------------------------------------------------------------------


def cross_calls(analysis: Analysis, placement: dict[str, str]) -> list[OutgoingCall]:
    """Call edges between two different services, aggregated per (caller, callee)."""
    agg: dict[tuple[str, str], list[int]] = {}
    for e in analysis.edges:
        if e.kind != CALL:
            continue
        a, b = placement.get(e.source), placement.get(e.target)
        if not (_is_service(a) and _is_service(b)) or a == b:
            continue
        slot = agg.setdefault((e.source, e.target), [0, 0, 0])
        slot[0] += e.weight
        slot[1] += e.used
        slot[2] += e.ignored
    return [
        OutgoingCall(placement[c], placement[t], c, t, w, u, i)
        for (c, t), (w, u, i) in sorted(agg.items())
    ]


def _untyped(symbol: Symbol) -> bool:
    params = list(symbol.params)
    if symbol.kind == METHOD and params and params[0].get("name") in ("self", "cls"):
        params = params[1:]
    if any(not p.get("annotation") for p in params):
        return True
    return symbol.kind != CLASS and not symbol.returns


def _interface(
    calls: Iterable[OutgoingCall], index: dict[str, Symbol]
) -> dict[str, list[InterfaceFunction]]:
    by_callee: dict[str, list[OutgoingCall]] = defaultdict(list)
    for c in calls:
        by_callee[c.callee].append(c)
    out: dict[str, list[InterfaceFunction]] = defaultdict(list)
    for callee in sorted(by_callee):
        group = by_callee[callee]
        service = group[0].target_service
        s = index.get(callee) or Symbol(id=callee, kind="external", module="", name=callee)
        out[service].append(
            InterfaceFunction(
                symbol=callee,
                service=service,
                kind=s.kind,
                module=s.module,
                name=s.name,
                line=s.line,
                signature=s.signature,
                params=tuple(s.params),
                returns=s.returns,
                is_async=s.is_async,
                callers=tuple(sorted({c.caller for c in group})),
                caller_services=tuple(sorted({c.source_service for c in group})),
                weight=sum(c.weight for c in group),
                untyped=_untyped(s),
            )
        )
    return out


# -- sizes -----------------------------------------------------------------------------------


def unit_lines(analysis: Analysis, units: dict[str, str]) -> dict[str, int]:
    """Lines of each unit, counted once: a module unit keeps only its top-level code."""
    index = analysis.symbol_index()
    empty = {m.name for m in analysis.modules if m.lines == 0}  # their module's span is still line 1
    out: dict[str, int] = {}
    inner: dict[str, int] = defaultdict(int)
    for s in analysis.symbols:
        if units.get(s.id) == s.id and s.kind not in (ENTITY, ENTRY):
            out[s.id] = 0 if s.id in empty else s.lines
            if s.kind != MODULE and s.module in index:
                inner[s.module] += s.lines
    for m, n in inner.items():
        if m in out:
            out[m] = max(0, out[m] - n)
    return out


# -- views -----------------------------------------------------------------------------------


def service_views(analysis: Analysis, decomposition: Decomposition | None = None) -> list[ServiceView]:
    """One view per service, sorted by name (the shared library is not a service)."""
    from analyzer.graph import unit_map

    d = _decomposition(analysis, decomposition)
    placement = service_of(analysis, d)
    index = analysis.symbol_index()
    units = unit_map(analysis.symbols)
    calls = cross_calls(analysis, placement)
    interface = _interface(calls, index)
    outgoing: dict[str, list[OutgoingCall]] = defaultdict(list)
    incoming: dict[str, list[OutgoingCall]] = defaultdict(list)
    for c in calls:
        outgoing[c.source_service].append(c)
        incoming[c.target_service].append(c)

    sizes = unit_lines(analysis, units)
    service_lines: dict[str, int] = defaultdict(int)
    module_share: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for u, n in sizes.items():
        svc = placement.get(u, SHARED)
        service_lines[svc] += n
        mod = index[u].module if u in index else u
        # weight by lines, plus one so that empty units still count
        module_share[mod][svc] += n + 1
    modules: dict[str, list[str]] = defaultdict(list)
    for mod, shares in module_share.items():
        best = min(shares.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        modules[best].append(mod)

    routes: dict[str, list[Route]] = defaultdict(list)
    for r in analysis.routes:
        svc = placement.get(r.id) or (placement.get(r.handler) if r.handler else None)
        if _is_service(svc):
            routes[svc].append(r)

    owner = {e: placement.get(e) for e in _entity_ids(analysis)}
    foreign: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in analysis.edges:
        if e.kind not in (READ, WRITE):
            continue
        svc = placement.get(e.source)
        if _is_service(svc) and owner.get(e.target, placement.get(e.target)) != svc:
            foreign[(svc, e.kind)].add(e.target)

    views = []
    for s in sorted(d.services, key=lambda s: s.name):
        views.append(
            ServiceView(
                name=s.name,
                members=tuple(sorted(s.members)),
                modules=tuple(sorted(modules.get(s.name, ()))),
                lines=service_lines.get(s.name, 0),
                entities=tuple(sorted(s.entities)),
                interface=tuple(interface.get(s.name, ())),
                outgoing=tuple(outgoing.get(s.name, ())),
                incoming=tuple(sorted(incoming.get(s.name, ()), key=lambda c: (c.callee, c.caller))),
                routes=tuple(sorted(routes.get(s.name, ()), key=lambda r: r.id)),
                reads_foreign=tuple(sorted(foreign.get((s.name, READ), ()))),
                writes_foreign=tuple(sorted(foreign.get((s.name, WRITE), ()))),
            )
        )
    return views


def _entity_ids(analysis: Analysis) -> set[str]:
    return {e.id for e in analysis.entities} | {s.id for s in analysis.symbols if s.kind == ENTITY}


# -- risks -----------------------------------------------------------------------------------


def risks(analysis: Analysis, decomposition: Decomposition | None = None) -> Risks:
    """Where the cut hurts: shared writes, transactions across services, chatty pairs."""
    d = _decomposition(analysis, decomposition)
    placement = service_of(analysis, d)

    writers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    direct_writes: dict[str, set[str]] = defaultdict(set)
    tooling = tooling_modules(analysis)
    module_of = {s.id: s.module for s in analysis.symbols} if tooling else {}
    by_tools: dict[str, set[str]] = defaultdict(set)
    for e in analysis.edges:
        if e.kind != WRITE:
            continue
        direct_writes[e.source].add(e.target)
        svc = placement.get(e.source)
        if _is_service(svc):
            writers[e.target][svc].add(e.source)
        elif module_of.get(e.source) in tooling:
            by_tools[e.target].add(e.source)
    tool_writes = tuple(ToolWrite(ent, owner if _is_service(owner := placement.get(ent)) else "",
                                  tuple(sorted(funcs)))
                        for ent, funcs in sorted(by_tools.items()))
    shared_writes = tuple(
        SharedWrite(
            entity=ent,
            services=tuple(sorted(by_svc)),
            functions=tuple(sorted(set().union(*by_svc.values()))),
        )
        for ent, by_svc in sorted(writers.items())
        if len(by_svc) > 1
    )

    transactions = []
    for t in sorted(analysis.transactions, key=lambda t: (t.module, t.line, t.function)):
        written = set(t.writes) | direct_writes.get(t.function, set())
        services = {placement.get(ent) for ent in written}
        services = {s for s in services if _is_service(s)}
        if len(services) > 1:
            transactions.append(
                TransactionRisk(
                    function=t.function,
                    module=t.module,
                    line=t.line,
                    services=tuple(sorted(services)),
                    entities=tuple(sorted(written)),
                )
            )

    pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for c in cross_calls(analysis, placement):
        slot = pairs[(c.source_service, c.target_service)]
        slot[0] += c.weight
        slot[1] += 1
    chatty = tuple(
        ChattyEdge(a, b, w, n) for (a, b), (w, n) in sorted(pairs.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )
    return Risks(shared_writes=shared_writes, transactions=tuple(transactions), chatty=chatty,
                 tool_writes=tool_writes)


def tooling_modules(analysis: Analysis) -> set[str]:
    """The modules the cluster stage set aside as operational code (shared rule ``tooling``)."""
    listed = (analysis.clustering or {}).get("shared") or []
    return {str(item.get("module")) for item in listed if isinstance(item, dict) and item.get("rule") == "tooling"}


def dependency_matrix(
    analysis: Analysis, decomposition: Decomposition | None = None
) -> tuple[list[str], list[list[int]]]:
    """Service names (sorted) and the cross-service call weight ``matrix[from][to]``.

    The diagonal is zero: calls inside a service are not dependencies between services.
    """
    d = _decomposition(analysis, decomposition)
    names = sorted(s.name for s in d.services)
    pos = {n: i for i, n in enumerate(names)}
    matrix = [[0] * len(names) for _ in names]
    for c in cross_calls(analysis, service_of(analysis, d)):
        if c.source_service in pos and c.target_service in pos:
            matrix[pos[c.source_service]][pos[c.target_service]] += c.weight
    return names, matrix


__all__ = [
    "ChattyEdge",
    "InterfaceFunction",
    "OutgoingCall",
    "Risks",
    "ServiceView",
    "SharedWrite",
    "ToolWrite",
    "TransactionRisk",
    "cross_calls",
    "dependency_matrix",
    "entry_handlers",
    "risks",
    "service_of",
    "service_views",
    "tooling_modules",
    "unit_lines",
]
