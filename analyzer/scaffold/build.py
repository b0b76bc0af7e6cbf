"""Analysis document → :class:`ScaffoldContext`: every decision the templates rely on.

The derived facts (interfaces, cross-service calls, risks) come from
:mod:`analyzer.interfaces`; this module only turns them into names, routes, models, clients,
gateway rules, an extraction order and import contracts. It is pure: no file is read or
written, so the whole scaffold can be computed and compared in memory.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from analyzer import __version__
from analyzer.analysis import Analysis
from analyzer.errors import PlanError
from analyzer.interfaces import (
    InterfaceFunction,
    OutgoingCall,
    ServiceView,
    risks,
    service_of,
    service_views,
    tooling_modules,
)
from analyzer.model import CALL, CLASS, METHOD, SHARED, WRITE, Route, Symbol
from analyzer.scaffold.context import (
    CallLine,
    Client,
    ClientCall,
    Contract,
    EntryPoint,
    Field,
    GatewayRoute,
    MigrationStep,
    Model,
    Operation,
    OwnedRoute,
    OwnedSocket,
    Refusal,
    ScaffoldContext,
    ScaffoldOptions,
    ServiceContext,
    SharedWriteNote,
    TransactionNote,
)
from analyzer.scaffold.names import kebab, one_line, pascal, service_slug, snake, unique, words
from analyzer.scaffold.paths import Refused, RoutePath, convert
from analyzer.scaffold.typemap import (
    ANY_T,
    LIST,
    Default,
    PyType,
    accepts_none,
    example,
    map_annotation,
    map_default,
    optional,
    python_type,
)

if TYPE_CHECKING:
    from analyzer.extract.program import Program

# compose service names the scaffold uses itself
RESERVED_SERVICES = ("gateway", "monolith")
# path segments under /api/<service>/ that the service serves itself
RESERVED_SLUGS = ("livez", "readyz", "deps")
# paths a service answers itself at its root: health, and the API documents FastAPI serves
# before any route (zou's own ``GET /openapi.json`` would have been a stub nobody reaches)
OWN_PATHS = frozenset({"/livez", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
# module-level names of the generated api.py / routes.py that a handler must not shadow, and
# the attributes of the generated clients' base class that a client method must not (a
# JupyterHub function named ``service`` hid ``ServiceClient.service``, the target's name)
RESERVED_FUNCS = ("router", "models", "settings", "not_ported", "status", "Annotated", "Any", "APIRouter",
                  "Body", "HTTPException", "Path", "Request", "livez", "readyz", "deps",
                  "service", "base_url", "breaker", "aclose")
# attribute names of pydantic's BaseModel (and the type names models use) a field must not take
_SHADOWED = frozenset({
    "construct", "copy", "dict", "from_orm", "json", "parse_file", "parse_obj", "parse_raw", "schema",
    "schema_json", "update_forward_refs", "validate", "fields", "Any", "Decimal", "UUID", "date", "datetime",
    "int", "str", "float", "bool", "list", "None", "Field", "BaseModel", "ConfigDict",
})
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# first words of function names that read without writing, when the analysis agrees
READ_VERBS = frozenset({"get", "list", "find", "fetch", "search", "count", "lookup", "load", "read", "query",
                        "is", "has", "exists", "show", "describe", "retrieve"})
# annotations of parameters that are the monolith's plumbing, not data a caller could send
_INFRASTRUCTURE = {
    "Session": "a database session", "AsyncSession": "a database session", "scoped_session": "a database session",
    "Connection": "a database connection", "AsyncConnection": "a database connection", "Engine": "a database engine",
    "HttpRequest": "the HTTP request", "WSGIRequest": "the HTTP request", "Request": "the HTTP request",
}
_REACH_LIMIT = 5000  # call-graph nodes explored before "might write" is assumed
_PARAM_TEXT = re.compile(r"\{[^{}]*\}")


def build_context(doc: Analysis, options: ScaffoldOptions | None = None, program: Program | None = None,
                  ) -> ScaffoldContext:
    """Everything the templates need to scaffold ``doc``'s decomposition. With ``extract``, the
    source is read (through ``program``, the extraction's, made here when not given) for what
    the types alone do not say."""
    options = options or ScaffoldOptions()
    check_options(options)
    d = doc.decomposition
    if d is None or not d.services:
        raise PlanError("the analysis has no decomposition with services: nothing to scaffold")
    views = service_views(doc, d)
    facts = _Facts(doc)
    if options.extract:
        from analyzer.extract.implicit_none import none_checker
        from analyzer.extract.program import Program

        facts.returns_none = none_checker(program or Program(doc))
    slugs = unique((v.name for v in views), service_slug, taken=RESERVED_SERVICES)
    ordered = sorted(views, key=lambda v: slugs[v.name])
    ports = {v.name: options.base_port + i for i, v in enumerate(ordered)}
    _check_ports(options, sorted(ports.values()))

    operations = {v.name: _operations(v, slugs, facts) for v in ordered}
    by_symbol = {op.symbol: op for ops in operations.values() for op in ops}
    services = tuple(
        _service(v, slugs, ports, operations[v.name], by_symbol, facts, options) for v in ordered
    )
    gateway_routes, gateway_refusals = _gateway_routes(services)
    rk = risks(doc, d)
    placement = service_of(doc, d)
    contracts, split = _contracts(doc, views, slugs, placement)
    assigned = {m for v in views for m in v.modules}
    tools = tooling_modules(doc)
    return ScaffoldContext(
        project=service_slug(PurePosixPath(doc.root.replace("\\", "/")).name or "monolith"),
        tool_version=__version__,
        options=options,
        services=services,
        gateway_routes=gateway_routes,
        gateway_refusals=gateway_refusals,
        steps=_extraction_order(views, slugs, services),
        transactions=tuple(
            TransactionNote(t.function, facts.source_of(t.function, t.module, t.line),
                            tuple(slugs.get(s, s) for s in t.services), tuple(facts.entity_name(e) for e in t.entities))
            for t in rk.transactions
        ),
        shared_writes=tuple(
            SharedWriteNote(facts.entity_name(w.entity), tuple(slugs.get(s, s) for s in w.services), w.functions)
            for w in rk.shared_writes
        ),
        shared_modules=tuple(sorted(m.name for m in doc.modules if m.name not in assigned and m.name not in tools)),
        root_packages=tuple(sorted({m.name.split(".")[0] for m in doc.modules if is_module_name(m.name)})),
        contracts=contracts,
        split_modules=split,
        tool_modules=tuple(sorted(m.name for m in doc.modules if m.name in tools and m.name not in assigned)),
        tool_writes=tuple(SharedWriteNote(facts.entity_name(w.entity), (slugs.get(w.owner, w.owner),) if w.owner
                                          else (), w.functions) for w in rk.tool_writes),
    )


_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_HOST = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9.]{0,251}[A-Za-z0-9])?$")
_IMAGE = re.compile(r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def check_options(o: ScaffoldOptions) -> None:
    """Render-time choices end up in nginx, YAML and Dockerfiles: refuse anything odd, all at once."""
    from analyzer.errors import ConfigError
    from analyzer.scaffold.deploy import compose_cpus, compose_memory

    problems = []
    ports = {"base_port": o.base_port, "gateway_port": o.gateway_port, "monolith_port": o.monolith_port}
    problems += [f"{k} must be a port number (got {v!r})" for k, v in ports.items()
                 if not isinstance(v, int) or not 1 <= v <= 65000]
    problems += [f"{k} must be a host name or address (got {v!r})"
                 for k, v in (("host", o.host), ("monolith_host", o.monolith_host),
                              ("docker_monolith_host", o.docker_monolith_host)) if not _HOST.match(str(v))]
    problems += [f"{k} must be a DNS label (got {v!r})" for k, v in (("namespace", o.namespace),
                                                                      ("gateway_class", o.gateway_class))
                 if not _LABEL.match(str(v))]
    if not _IMAGE.match(o.image_prefix):
        problems.append(f"image_prefix must be an image repository prefix (got {o.image_prefix!r})")
    if not _TAG.match(o.image_tag):
        problems.append(f"image_tag must be an image tag (got {o.image_tag!r})")
    for name, check in (("cpu_limit", compose_cpus), ("cpu_request", compose_cpus),
                        ("memory_limit", compose_memory), ("memory_request", compose_memory)):
        try:
            check(getattr(o, name))
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
    if not 1 <= o.min_replicas <= o.max_replicas:
        problems.append("replicas: need 1 <= min_replicas <= max_replicas")
    if not 1 <= o.target_cpu_percent <= 100:
        problems.append("target_cpu_percent must be within 1..100")
    if min(o.connect_timeout, o.read_timeout) <= 0 or o.proxy_timeout < 1:
        problems.append("timeouts must be positive")
    if problems:
        raise ConfigError("invalid scaffold options: " + "; ".join(problems))


def _check_ports(o: ScaffoldOptions, service_ports: list[int]) -> None:
    from analyzer.errors import ConfigError

    if service_ports and service_ports[-1] > 65535:
        raise ConfigError(f"base_port {o.base_port} leaves no room for {len(service_ports)} services")
    clashes = [name for name, port in (("gateway_port", o.gateway_port), ("monolith_port", o.monolith_port))
               if port in service_ports]
    if clashes or o.gateway_port == o.monolith_port:
        hint = f"; start the services above them with --base-port {max(o.gateway_port, o.monolith_port) + 1}" \
            if clashes and o.gateway_port != o.monolith_port else ""
        raise ConfigError(f"ports overlap: services use {service_ports[0]}-{service_ports[-1]}, gateway "
                          f"{o.gateway_port}, monolith {o.monolith_port}{hint}")


class _Facts:
    """Look-ups over the analysis document that several builders share."""

    def __init__(self, doc: Analysis) -> None:
        self.index: dict[str, Symbol] = doc.symbol_index()
        self.paths = {m.name: m.path for m in doc.modules}
        self.entities = {e.id: e.name for e in doc.entities}
        self.calls: dict[str, set[str]] = defaultdict(set)
        self.writers: set[str] = set()
        for e in doc.edges:
            if e.kind == CALL:
                self.calls[e.source].add(e.target)
            elif e.kind == WRITE:
                self.writers.add(e.source)
        self._writes: dict[str, bool] = {}
        # (module, function) -> may it return None whatever its annotation says? Known only
        # from the source, which extraction reads (analyzer.extract.implicit_none)
        self.returns_none: Callable[[str, str], bool] = lambda module, symbol: False

    def source_of(self, symbol_id: str, module: str | None = None, line: int | None = None) -> str:
        s = self.index.get(symbol_id)
        module = module if module is not None else (s.module if s else "")
        line = line if line is not None else (s.line if s else 0)
        path = self.paths.get(module or "", module or symbol_id)
        return f"{path}:{line}" if line else path

    def entity_name(self, entity_id: str) -> str:
        return self.entities.get(entity_id, entity_id.removeprefix("entity:"))

    def may_write(self, symbol_id: str) -> bool:
        """True when ``symbol_id`` (or anything it calls, transitively) writes an entity."""
        if symbol_id in self._writes:
            return self._writes[symbol_id]
        seen, todo = {symbol_id}, [symbol_id]
        prefix = symbol_id + "."
        todo.extend(n for n in self.calls if n.startswith(prefix))  # methods, nested defs
        result = False
        while todo:
            node = todo.pop()
            if node in self.writers:
                result = True
                break
            if len(seen) > _REACH_LIMIT:
                result = True
                break
            for nxt in self.calls.get(node, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        self._writes[symbol_id] = result
        return result


# -- operations and models -------------------------------------------------------------------


def _relative(f: InterfaceFunction) -> str:
    if f.module and f.symbol.startswith(f.module + "."):
        return f.symbol[len(f.module) + 1:]
    return f.name or f.symbol


def _operations(v: ServiceView, slugs: dict[str, str], facts: _Facts) -> tuple[Operation, ...]:
    slug = slugs[v.name]
    funcs = {f.symbol: f for f in v.interface}
    op_slugs = unique(funcs, lambda s: kebab(_relative(funcs[s])), taken=RESERVED_SLUGS)
    func_names = unique(funcs, lambda s: snake(_relative(funcs[s])), sep="_", taken=RESERVED_FUNCS)
    model_bases = unique(funcs, lambda s: pascal(func_names[s]), sep="")
    out = []
    for symbol in sorted(funcs):
        f = funcs[symbol]
        request = _request_model(f, f"{model_bases[symbol]}Request", facts)
        response = _response_model(f, f"{model_bases[symbol]}Response", facts)
        out.append(
            Operation(
                func=func_names[symbol],
                slug=op_slugs[symbol],
                path=f"/api/{slug}/{op_slugs[symbol]}",
                symbol=symbol,
                kind=f.kind,
                source=facts.source_of(symbol, f.module, f.line),
                signature=one_line(f.signature) or "(...)",
                request=request,
                response=response,
                idempotent=_idempotent(f, facts),
                is_async=f.is_async,
                caller_services=tuple(sorted({slugs.get(s, s) for s in f.caller_services})),
                operation_id=f"{snake(slug)}__{func_names[symbol]}",
                example=_json({fl.wire_name: example(fl.type) for fl in request.fields if fl.required}),
                response_example=_json({fl.wire_name: example(fl.type) for fl in response.fields}),
            )
        )
    return tuple(sorted(out, key=lambda op: op.slug))


def _idempotent(f: InterfaceFunction, facts: _Facts) -> bool:
    """A read verb in the name and no entity write reachable through the call graph."""
    if f.kind == CLASS:
        return False
    first = (words(f.name) or [""])[0]
    return first in READ_VERBS and not facts.may_write(f.symbol)


def _params(f: InterfaceFunction, facts: _Facts) -> tuple[list[dict], list[str]]:
    reasons: list[str] = []
    params = [p for p in f.params if isinstance(p, dict) and p.get("name")]
    if f.kind == CLASS:
        init = facts.index.get(f"{f.symbol}.__init__")
        if init is None:
            return [], ["the constructor's parameters are not known"]
        params = [p for p in init.params if isinstance(p, dict) and p.get("name")][1:]
    elif f.kind == METHOD and params:
        sym = facts.index.get(f.symbol)
        static = sym is not None and any(d.split(".")[-1] == "staticmethod" for d in sym.decorators)
        if not static and params[0].get("kind", "positional") in ("positional", "positional_only"):
            params = params[1:]
    return params, reasons


def _field_ident(name: str) -> tuple[str, str | None]:
    """(identifier, alias): names a model cannot hold as they are keep their wire name as alias."""
    ident = snake(name, fallback="value")
    if ident in _SHADOWED or ident.startswith("model_"):
        ident = f"f_{ident}"
    return ident, (None if ident == name else name)


def _infrastructure(annotation: str | None) -> str | None:
    """What a parameter is when it is plumbing of the monolith rather than data to send."""
    if not annotation:
        return None
    head = annotation.strip().strip("'\"").split("[", 1)[0].split("|", 1)[0].strip()
    return _INFRASTRUCTURE.get(head.rsplit(".", 1)[-1])


def _request_model(f: InterfaceFunction, name: str, facts: _Facts) -> Model:
    params, reasons = _params(f, facts)
    fields: list[Field] = []
    dropped: list[str] = []
    taken: set[str] = set()
    for p in params:
        kind = p.get("kind") or "positional"
        pname = str(p["name"])
        what = _infrastructure(p.get("annotation"))
        if what is not None:
            dropped.append(f"`{pname}` ({what}: the service provides its own)")
            continue
        if kind == "var_keyword":
            reasons.append(f"`**{pname}` takes any keyword: extra fields pass through")
            continue
        mapped = map_annotation(p.get("annotation"))
        t = mapped.type
        default = map_default(p.get("default"))
        if kind == "var_positional":
            t = PyType(LIST, (t,))
            default = Default([], factory="list")
        if default is not None and default.value is None and not accepts_none(t):
            t = optional(t)
        note = default.reason if default else None
        if not mapped.exact:
            reasons.append(f"`{pname}`: {mapped.reason}")
        ident, alias = _field_ident(pname)
        ident = unique([ident], lambda x: x, sep="_", taken=taken)[ident]
        taken.add(ident)
        if alias is None and ident != pname:
            alias = pname
        fields.append(Field(ident, alias, t, python_type(t), default is None, default, note))
    return _model(name, fields, reasons, f"Arguments of `{f.symbol}{_sig(f)}`.", dropped)


def _response_model(f: InterfaceFunction, name: str, facts: _Facts) -> Model:
    reasons: list[str] = []
    note = None
    if f.kind == CLASS:
        reasons.append(f"`result`: returns a `{f.name}` instance, not plain data")
        t = ANY_T
    else:
        mapped = map_annotation(f.returns)
        t = mapped.type
        if not mapped.exact:
            reasons.append(f"`result`: {mapped.reason}")
        if not accepts_none(t) and facts.returns_none(f.module, f.symbol):
            t = optional(t)  # the moved code answers None where the annotation does not say so
            note = "the function may end without returning a value (None)"
    default = Default(None) if accepts_none(t) else None
    field = Field("result", None, t, python_type(t), default is None, default, note)
    return _model(name, [field], reasons, f"What `{f.symbol}` returns.")


def _sig(f: InterfaceFunction) -> str:
    return one_line(f.signature, limit=120) if f.signature else ""


def _model(name: str, fields: list[Field], reasons: list[str], doc: str, dropped: list[str] | None = None) -> Model:
    return Model(
        name=name,
        fields=tuple(fields),
        permissive=bool(reasons),
        reasons=tuple(one_line(r) for r in reasons),
        doc=one_line(doc, limit=300),
        aliased=any(fl.alias for fl in fields),
        dropped=tuple(one_line(d) for d in dropped or ()),
    )


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


# -- services ----------------------------------------------------------------------------------


def _service(v: ServiceView, slugs: dict[str, str], ports: dict[str, int], operations: tuple[Operation, ...],
             by_symbol: dict[str, Operation], facts: _Facts, options: ScaffoldOptions) -> ServiceContext:
    slug = slugs[v.name]
    ident = snake(slug)
    env_prefix = ident.upper() + "_"
    routes, sockets, entries, refusals = _owned_routes(v.routes, slug, ident, {op.func for op in operations}, facts)
    clients = _clients(v.outgoing, slugs, ports, env_prefix, by_symbol)
    models = tuple(m for op in operations for m in (op.request, op.response))
    return ServiceContext(
        name=v.name,
        slug=slug,
        ident=ident,
        package=f"{ident}_service",
        env_prefix=env_prefix,
        port=ports[v.name],
        image=f"{options.image_prefix}/{slug}:{options.image_tag}",
        operations=operations,
        routes=routes,
        sockets=sockets,
        entry_points=entries,
        refusals=refusals,
        clients=clients,
        models=models,
        modules=v.modules,
        entities=tuple(sorted(facts.entity_name(e) for e in v.entities)),
        lines=v.lines,
        callers=tuple(sorted({slugs.get(c.source_service, c.source_service) for c in v.incoming})),
    )


def _owned_routes(routes: Iterable[Route], slug: str, ident: str, op_funcs: set[str], facts: _Facts,
                  ) -> tuple[tuple[OwnedRoute, ...], tuple[OwnedSocket, ...], tuple[EntryPoint, ...],
                             tuple[Refusal, ...]]:
    """The monolith's HTTP routes and WebSocket endpoints the service serves at their own
    paths, its other entry points (tasks, commands, GraphQL fields: listed, not served), and
    the routes it cannot serve, with the reason."""
    prefix = f"/api/{slug}"
    out: list[tuple[Route, RoutePath, tuple[str, ...]]] = []
    sockets: list[tuple[Route, RoutePath]] = []
    entries: list[EntryPoint] = []
    refusals: list[Refusal] = []
    for r in sorted(routes, key=lambda r: r.id):
        handler = r.handler or r.id
        source = facts.source_of(handler, r.module, r.line) if r.module else facts.source_of(handler)
        if r.kind not in ("http", "websocket"):
            entries.append(EntryPoint(r.kind, one_line(r.name or r.path or r.id), handler, source))
            continue
        methods = (tuple(sorted({m.upper() for m in r.methods} & set(HTTP_METHODS))) or ("GET",)
                   if r.kind == "http" else ("WEBSOCKET",))
        what = f"{' '.join(methods)} {one_line(r.path)}"
        conv = convert(r.path)
        if isinstance(conv, Refused):
            refusals.append(Refusal(what, conv.reason))
            continue
        if conv.fastapi == prefix or conv.fastapi.startswith(prefix + "/") or conv.fastapi in OWN_PATHS:
            refusals.append(Refusal(what, "the path collides with the service's own API"))
            continue
        if r.kind == "websocket":
            sockets.append((r, conv))
        else:
            out.append((r, conv, methods))
    out = _reachable(out, refusals)
    keys = {f"{r.id}|{','.join(ms)}": r for r, _, ms in out}
    socket_keys = {r.id: r for r, _ in sockets}
    names = unique([*keys, *socket_keys],
                   lambda k: snake(("socket " if k in socket_keys else "route ")
                                   + _short_name(socket_keys.get(k) or keys[k])),
                   sep="_", taken=(*RESERVED_FUNCS, *op_funcs))
    owned = []
    for key, (r, conv, methods) in zip(keys, out, strict=True):
        handler = r.handler or r.id
        owned.append(
            OwnedRoute(
                func=names[key],
                methods=methods,
                path=conv.fastapi,
                original=r.path or "",
                params=conv.params,
                regex=conv.regex,
                handler=handler,
                source=facts.source_of(handler, r.module, r.line) if r.module else facts.source_of(handler),
                operation_id=f"{ident}__{names[key]}",
                example=conv.example,
                name=r.name,
            )
        )
    owned_sockets = tuple(
        OwnedSocket(func=names[r.id], path=conv.fastapi, original=r.path or "", params=conv.params, regex=conv.regex,
                    handler=r.handler or r.id, example=conv.example,
                    source=facts.source_of(r.handler or r.id, r.module, r.line) if r.module
                    else facts.source_of(r.handler or r.id))
        for r, conv in sorted(sockets, key=lambda t: _mount_order(*t)))
    # in the order the service mounts them (_reachable)
    return (tuple(owned), owned_sockets, tuple(sorted(entries, key=lambda e: (e.kind, e.name, e.handler))),
            tuple(refusals))


def _short_name(r: Route) -> str:
    if r.handler:
        return r.handler.rsplit(".", 1)[-1]
    return r.name or r.path or "route"


def _clients(outgoing: Iterable[OutgoingCall], slugs: dict[str, str], ports: dict[str, int], env_prefix: str,
             by_symbol: dict[str, Operation]) -> tuple[Client, ...]:
    grouped: dict[str, dict[str, list[OutgoingCall]]] = defaultdict(lambda: defaultdict(list))
    for c in outgoing:
        if c.callee in by_symbol:
            grouped[c.target_service][c.callee].append(c)
    out = []
    for target in sorted(grouped, key=lambda t: slugs[t]):
        tslug = slugs[target]
        tident = snake(tslug)
        calls = []
        for callee, group in grouped[target].items():
            calls.append(
                ClientCall(
                    operation=by_symbol[callee],
                    mode="sync" if any(c.used > 0 for c in group) else "event",
                    callers=tuple(sorted({c.caller for c in group})),
                    weight=sum(c.weight for c in group),
                )
            )
        calls.sort(key=lambda c: c.operation.func)
        models: dict[str, Model] = {}
        for c in calls:
            models.setdefault(c.operation.request.name, c.operation.request)
            models.setdefault(c.operation.response.name, c.operation.response)
        out.append(
            Client(
                target=tslug,
                target_name=target,
                module=tident,
                class_name=_client_class(tslug),
                setting=f"{tident}_url",
                env=f"{env_prefix}{tident.upper()}_URL",
                port=ports[target],
                calls=tuple(calls),
                models=tuple(models[k] for k in sorted(models)),
            )
        )
    return tuple(out)


def _mount_order(r: Route, conv: RoutePath) -> tuple:
    """Where a route goes among the service's: fixed paths first, then templates with more
    fixed text (see :func:`_reachable`)."""
    return not conv.is_static, -conv.literal_length, conv.fastapi, r.id


def _reachable(routes: list[tuple[Route, RoutePath, tuple[str, ...]]], refusals: list[Refusal],
               ) -> list[tuple[Route, RoutePath, tuple[str, ...]]]:
    """The routes in the order the service mounts them, each method only where a request
    can reach it.

    FastAPI tries its routes in order, and a template's parameter takes any segment whatever
    its name or type: ``/forum/{forum_id}`` answers ``/forum/1-x``, meant for
    ``/forum/{forum_id}-{slug}``. Fixed paths go first, then templates with more fixed text
    (no template answers a path with less fixed text than its own), then a method whose example URL
    an earlier route of that method still answers is refused (``/api/v1/{audience_id}`` and
    ``/api/v1/{module_id}``: the second is never reached)."""
    ordered = sorted(routes, key=lambda t: _mount_order(t[0], t[1]))
    served: list[tuple[re.Pattern[str], str, frozenset[str]]] = []
    out = []
    for r, conv, methods in ordered:
        kept = []
        for m in methods:
            earlier = next((handler for pattern, handler, ms in served if m in ms and pattern.match(conv.example)),
                           None)
            if earlier is None:
                kept.append(m)
            else:
                refusals.append(Refusal(f"{m} {one_line(r.path)}", f"already served by {earlier}"))
        if kept:
            out.append((r, conv, tuple(kept)))
            served.append((conv.starlette_pattern(), r.handler or r.id, frozenset(kept)))
    return out


def _client_class(slug: str) -> str:
    """``PaymentsClient``; a service called ``service`` gets ``ServiceApiClient``, since
    ``ServiceClient`` is the clients' base class."""
    name = f"{pascal(slug)}Client"
    return f"{pascal(slug)}ApiClient" if name == "ServiceClient" else name


# -- gateway -------------------------------------------------------------------------------------


def _gateway_routes(services: Iterable[ServiceContext]) -> tuple[tuple[GatewayRoute, ...], tuple[Refusal, ...]]:
    """Group the owned routes of all services by URL pattern; one method, one service."""
    groups: dict[tuple[str | None, str | None], dict[str, str]] = defaultdict(dict)
    originals: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    specificity: dict[tuple[str | None, str | None], int] = {}
    refusals: list[Refusal] = []
    for s in sorted(services, key=lambda s: s.slug):
        # a WebSocket opens with a GET (the upgrade): the gateway sends that GET to the service
        served = [(r, r.methods) for r in s.routes] + [(w, ("GET",)) for w in s.sockets]
        for r, methods in served:
            key = (None, r.regex) if r.regex else (r.example, None)
            specificity[key] = len(_PARAM_TEXT.sub("", r.path))
            originals[key].add(r.original)
            for m in methods:
                owner = groups[key].get(m)
                if owner is not None and owner != s.slug:
                    refusals.append(Refusal(f"{m} {one_line(r.original)}",
                                            f"claimed by {owner} and {s.slug}; the gateway sends it to {owner}"))
                    continue
                groups[key][m] = s.slug
    out = []
    for key, by_method in groups.items():
        counts: dict[str, int] = defaultdict(int)
        for svc in by_method.values():
            counts[svc] += 1
        default = min(counts, key=lambda svc: (-counts[svc], svc))
        out.append(
            GatewayRoute(
                exact=key[0],
                regex=key[1],
                by_method=tuple(sorted((m, svc) for m, svc in by_method.items() if svc != default)),
                default=default,
                originals=tuple(sorted(originals[key])),
                specificity=specificity[key],
            )
        )
    out.sort(key=lambda g: (g.regex is not None, -g.specificity, g.exact or g.regex or ""))
    return tuple(out), tuple(refusals)


# -- migration ------------------------------------------------------------------------------------


def _extraction_order(views: list[ServiceView], slugs: dict[str, str],
                      services: tuple[ServiceContext, ...]) -> tuple[MigrationStep, ...]:
    """Strangler-fig order: repeatedly extract the service least coupled to what remains.

    The cost of a step is the cross-service call weight between the service and the services
    still inside the monolith: exactly the calls that start to cross the network at that step.
    Ties go to the smaller service, then to the name.
    """
    by_name = {v.name: v for v in views}
    ctx = {s.name: s for s in services}
    weight: dict[tuple[str, str], int] = defaultdict(int)
    calls: list[OutgoingCall] = []
    for v in views:
        for c in v.outgoing:
            weight[(c.source_service, c.target_service)] += c.weight
            calls.append(c)
    remaining = set(by_name)
    steps = []
    while remaining:
        best = min(remaining, key=lambda n: (_coupling(n, remaining, weight), by_name[n].lines, slugs[n]))
        others = remaining - {best}
        crossing = sorted(
            (c for c in calls if (c.source_service == best and c.target_service in others)
             or (c.target_service == best and c.source_service in others)),
            key=lambda c: (c.caller, c.callee),
        )
        lines = [(c.mode, CallLine(c.caller, c.callee, slugs[c.source_service], slugs[c.target_service], c.weight))
                 for c in crossing]
        steps.append(
            MigrationStep(
                order=len(steps) + 1,
                service=slugs[best],
                name=best,
                cost=_coupling(best, remaining, weight),
                lines=by_name[best].lines,
                http_calls=tuple(line for mode, line in lines if mode == "sync"),
                events=tuple(line for mode, line in lines if mode == "event"),
                routes=tuple(f"{' '.join(r.methods)} {one_line(r.original)}" for r in ctx[best].routes)
                + tuple(f"WEBSOCKET {one_line(w.original)}" for w in ctx[best].sockets),
                entities=ctx[best].entities,
            )
        )
        remaining = others
    return tuple(steps)


def _coupling(name: str, remaining: set[str], weight: dict[tuple[str, str], int]) -> int:
    return sum(weight[(name, o)] + weight[(o, name)] for o in remaining if o != name)


# -- import contracts -------------------------------------------------------------------------------


def is_module_name(name: str) -> bool:
    """A dotted name import-linter can look up (and that is safe in its INI file)."""
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def _contracts(doc: Analysis, views: list[ServiceView], slugs: dict[str, str], placement: dict[str, str],
               ) -> tuple[tuple[Contract, ...], tuple[str, ...]]:
    """One ``forbidden`` contract per service: other services may import only its interface modules."""
    from analyzer.graph import unit_map

    units = unit_map(doc.symbols)
    services_in: dict[str, set[str]] = defaultdict(set)
    for s in doc.symbols:
        if units.get(s.id) == s.id and s.kind in ("module", "class", "function"):
            svc = placement.get(s.id, SHARED)
            if svc != SHARED:
                services_in[s.module].add(svc)
    split = tuple(sorted(m for m, svcs in services_in.items() if len(svcs) > 1))
    module_of = {m: v.name for v in views for m in v.modules if m not in split and is_module_name(m)}
    out = []
    for v in sorted(views, key=lambda v: slugs[v.name]):
        interface = {f.module for f in v.interface if f.module}
        forbidden = sorted(m for m in v.modules if m in module_of and m not in interface)
        sources = sorted(m for m, owner in module_of.items() if owner != v.name)
        if not forbidden or not sources:
            continue
        out.append(Contract(
            id=f"{slugs[v.name]}-internals",
            service=slugs[v.name],
            sources=tuple(sources),
            forbidden=tuple(forbidden),
            interface=tuple(sorted(m for m in interface if m in v.modules)),
        ))
    return tuple(out), split


__all__ = ["HTTP_METHODS", "READ_VERBS", "RESERVED_SERVICES", "RESERVED_SLUGS", "build_context"]
