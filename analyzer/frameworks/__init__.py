"""Framework awareness: entities, data access, transactions, entry points, string references.

The pipeline calls :func:`extract` after resolution. Everything is read from the facts and
the resolution (nothing is imported or run); what cannot be resolved is counted in
``FrameworkFacts.counts``. One module per concept:

``program``        indexes shared by every detector (nesting of calls, constants, bindings)
``registry``       the entities and what leads from one to another
``orm_django``     Django models, tables, relations, managers
``orm_sqlalchemy`` SQLAlchemy declarative models, ``Table`` objects, foreign keys, relationships
``orm_library``    what Peewee, Tortoise and MongoEngine models share: model bases, relation fields
``orm_peewee`` / ``orm_tortoise`` / ``orm_mongoengine``   their models, tables, relations
``sql``            tables read / written by a raw SQL string
``values``         what an expression holds in ORM terms (rows, classes, statements, sessions)
``access``         reads and writes per function
``transactions``   transaction scopes and what they write
``routing``        endpoints and router prefixes shared by the web frameworks
``routes_flask`` / ``routes_fastapi`` / ``routes_ninja`` / ``routes_sanic`` / ``routes_django`` / ``routes_drf`` /
``routes_pyramid`` / ``routes_appbuilder`` / ``routes_litestar`` / ``routes_starlette`` /
``routes_tornado`` / ``routes_falcon`` / ``routes_aiohttp`` / ``routes_bottle`` / ``routes_cornice``   HTTP entry points
``tasks``          tasks, commands, signal receivers
``graphql``        GraphQL queries and mutations (Graphene, Strawberry)
``references``     string references
"""

from __future__ import annotations

import gc
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from analyzer.facts import LAMBDA, RUNTIME_PART, ModuleFacts, lambda_owner, params_seen
from analyzer.graph import sorted_items
from analyzer.model import (
    CALL,
    ENTITY,
    ENTRY,
    READ,
    REFERENCE,
    RELATION,
    ROUTE,
    WRITE,
    Edge,
    Entity,
    Route,
    Symbol,
    Transaction,
    edge,
)

MAX_LINES = 50  # lines kept per edge, like the resolver's call edges
TOP = 20  # unresolved items listed in the counts
RECURSION_LIMIT = 10_000


@dataclass(frozen=True)
class FrameworkFacts:
    symbols: list[Symbol] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)


def frameworks_view(m: ModuleFacts) -> ModuleFacts:
    """The facts as this stage sees them: without the fields it never reads (the content
    hash, the file's length, where the module ends, docstrings). Two modules with equal
    views give equal results here, given the same resolution: a comment appended to a file,
    a typo fixed in a docstring, a number changed in a call (:func:`_number_seen`) or a
    parameter's default that is no name (``facts.params_seen``) leaves the stage's output as
    it was."""
    return replace(m, sha="", lines=0, definitions=tuple(
        d._replace(docstring=None, end_line=0 if d.kind == "module" else d.end_line,
                   keywords=_args_seen(d.keywords), params=params_seen(d.params),
                   decorators=tuple(x._replace(args=_args_seen(x.args, x.expr)) for x in d.decorators))
        for d in m.definitions),
        calls=tuple(c._replace(args=_args_seen(c.args, c.callee)) for c in m.calls),
        withs=tuple(w._replace(items=_args_seen(w.items)) for w in m.withs))


@dataclass(frozen=True)
class _NumberSeen:
    """What the stage learns of a number written in place as an argument: that it is one."""

    kind: str  # int or float


def _number_seen(value: object) -> object:
    """A number written in place as an argument (``String(80)``, ``max_length=100``,
    ``timeout=30``, ``choices=((1, "one"), ...)``), as far as this stage reads it. Each
    reader of an argument's literal asks whether it is a string, a tuple or ``None``, never
    which number it is, nor whether it is zero (verbs, paths, names and references are read
    from strings only), so ``String(80)`` and ``String(100)`` give the same output
    (tests/test_frameworks_view.py changes every such number of the sample and the
    frameworks fixtures and compares). Kept whole: bools and, in :func:`_args_seen`, the
    arguments of the calls whose literal names a constant."""
    if isinstance(value, tuple):
        return tuple(_number_seen(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _NumberSeen(type(value).__name__)
    return value


def _args_seen(args, callee: str | None = None):
    """``args`` with their numbers as :func:`_number_seen` gives them, except in a call of
    ``program.LITERAL_WRAPPERS`` (``VERSION = str(2)``: a constant a template may print)."""
    from analyzer.frameworks.program import LITERAL_WRAPPERS, tail

    if not args or (tail(callee) or callee) in LITERAL_WRAPPERS:
        return args
    return tuple(a._replace(value=_number_seen(a.value)) if type(a.value) in (int, float, tuple) else a for a in args)


def extract(facts: Iterable[ModuleFacts], resolution) -> FrameworkFacts:
    """Entities, accesses, transactions, entry points and string references of a program."""
    # The stage allocates many small objects next to millions of long-lived facts; the
    # cyclic collector would rescan those facts again and again (half the time on netbox).
    enabled = gc.isenabled()
    limit = sys.getrecursionlimit()
    gc.disable()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))  # values flow through nested calls and returns
    try:
        return _extract(facts, resolution)
    finally:
        sys.setrecursionlimit(limit)
        if enabled:
            gc.enable()


def _extract(facts: Iterable[ModuleFacts], resolution) -> FrameworkFacts:
    from analyzer.frameworks.access import AccessAnalysis
    from analyzer.frameworks.graphql import GraphqlEntries
    from analyzer.frameworks.orm_django import DjangoModels
    from analyzer.frameworks.orm_mongoengine import MongoEngineModels
    from analyzer.frameworks.orm_peewee import PeeweeModels
    from analyzer.frameworks.orm_sqlalchemy import SqlAlchemyModels
    from analyzer.frameworks.orm_tortoise import TortoiseModels
    from analyzer.frameworks.program import Program
    from analyzer.frameworks.references import References
    from analyzer.frameworks.registry import Registry
    from analyzer.frameworks.routes_aiohttp import AiohttpRoutes
    from analyzer.frameworks.routes_appbuilder import AppBuilderViews
    from analyzer.frameworks.routes_bottle import BottleRoutes
    from analyzer.frameworks.routes_cornice import CORNICE, CorniceResources
    from analyzer.frameworks.routes_django import DjangoUrls
    from analyzer.frameworks.routes_drf import DrfRouters
    from analyzer.frameworks.routes_falcon import FalconRoutes
    from analyzer.frameworks.routes_fastapi import FASTAPI
    from analyzer.frameworks.routes_flask import FLASK
    from analyzer.frameworks.routes_litestar import LitestarRoutes
    from analyzer.frameworks.routes_ninja import NINJA, mount_in_urls
    from analyzer.frameworks.routes_pyramid import PyramidRoutes
    from analyzer.frameworks.routes_sanic import SANIC
    from analyzer.frameworks.routes_starlette import StarletteRoutes
    from analyzer.frameworks.routes_tornado import TornadoRoutes
    from analyzer.frameworks.routing import DecoratorRouting, Mounts, routes_of
    from analyzer.frameworks.tasks import NonHttpEntries
    from analyzer.frameworks.transactions import Transactions
    from analyzer.frameworks.values import EXTERNAL, Values

    prog = Program(facts, resolution)
    reg = Registry()
    django = DjangoModels(prog, reg)
    sqla = SqlAlchemyModels(prog, reg)
    libraries = [PeeweeModels(prog, reg), TortoiseModels(prog, reg), MongoEngineModels(prog, reg)]
    django.collect()
    sqla.collect()
    for library in libraries:
        library.collect()
    django.link()
    sqla.link()
    for library in libraries:
        library.link()

    def model_ref(raw: str) -> str | None:
        found = django.resolve_ref(raw, None) or sqla.resolve_ref(raw)
        for library in libraries:
            if found is None and library.model_classes:
                found = library.resolve_ref(raw)
        return found

    values = Values(prog, reg, model_ref=model_ref)
    analysis = AccessAnalysis(prog, reg, values)
    accesses = analysis.run()
    transactions = Transactions(prog, values, accesses, analysis.by_site, analysis.extra).run()
    row_calls = _row_call_edges(prog, reg, values, resolution)

    # -- entry points ------------------------------------------------------------------
    mounts = Mounts()
    uses_flask, uses_fastapi = prog.uses(*FLASK.roots), prog.uses(*FASTAPI.roots)
    flask = DecoratorRouting(prog, FLASK, mounts, fallback=uses_flask and not uses_fastapi)
    fastapi = DecoratorRouting(prog, FASTAPI, mounts, fallback=uses_fastapi and not uses_flask)
    ninja = DecoratorRouting(prog, NINJA, mounts, fallback=False)
    sanic = DecoratorRouting(prog, SANIC, mounts, fallback=False)
    cornice = DecoratorRouting(prog, CORNICE, mounts, fallback=False)
    endpoints = flask.run() + fastapi.run() + ninja.run() + sanic.run() + cornice.run()
    urls = DjangoUrls(prog)
    endpoints += urls.run()
    mount_in_urls(mounts, urls.router_mounts)
    drf = DrfRouters(prog)
    drf.collect()
    endpoints += drf.endpoints(urls.router_mounts, urls.module_prefixes)
    pyramid = PyramidRoutes(prog)
    endpoints += pyramid.run()
    appbuilder = AppBuilderViews(prog)
    endpoints += appbuilder.run()
    # the detectors that need nothing from the others: each gives endpoints and what it could not read
    detectors = [LitestarRoutes(prog, mounts), StarletteRoutes(prog, mounts), TornadoRoutes(prog), FalconRoutes(prog),
                 AiohttpRoutes(prog, mounts), BottleRoutes(prog, mounts), CorniceResources(prog)]
    for detector in detectors:
        endpoints += detector.run()
    routes = routes_of(endpoints, mounts) + NonHttpEntries(prog).run() + GraphqlEntries(prog).run()
    routes = _unique_routes(routes)

    # -- string references -------------------------------------------------------------
    entity_classes = {m.id: m.cls for m in reg.models.values() if m.cls}
    refs = References(prog, model_ref=model_ref)
    for eid, cls, f in django.raw_fields + sqla.raw_fields + [r for library in libraries for r in library.raw_fields]:
        if f.raw and (f.raw != "self"):
            model = reg.models.get(eid)
            target = model.fields.get(f.name).target if model and f.name in model.fields else None
            if target in entity_classes:
                refs.add(cls, entity_classes[target], "model", f.raw, f.line)
    for source, module, line, value in urls.includes:
        refs.add(source, module, "urlconf", value, line)
    references = refs.run(entity_classes)

    # a lambda is no symbol: what was found in one is the def's that holds it (lambda_owner)
    routes = [replace(r, handler=lambda_owner(r.handler)) if r.handler and LAMBDA in r.handler else r
              for r in routes]
    transactions = [replace(t, function=lambda_owner(t.function)) if LAMBDA in t.function else t
                    for t in transactions]
    references = [dict(r, source=lambda_owner(r["source"])) if LAMBDA in r["source"] else r for r in references]
    entities = reg.entities()
    symbols = _symbols(entities, routes)
    symbol_ids = {s.id for s in resolution.symbols} | {s.id for s in symbols}
    edges = _access_edges(accesses) + _relation_edges(reg) + _route_edges(routes, symbol_ids) + \
        _reference_edges(references, symbol_ids) + _declared_edges(prog, symbol_ids) + \
        [e for e in row_calls if e.source in symbol_ids]

    unresolved_routes = (flask.unresolved + fastapi.unresolved + ninja.unresolved + sanic.unresolved
                         + cornice.unresolved + urls.unresolved
                         + drf.unresolved + pyramid.unresolved + appbuilder.unresolved
                         + [u for detector in detectors for u in detector.unresolved])
    unresolved_accesses = Counter({k: v for k, v in analysis.unresolved.items() if not k.startswith(EXTERNAL)})
    external_accesses = Counter({k[len(EXTERNAL):]: v for k, v in analysis.unresolved.items()
                                 if k.startswith(EXTERNAL)})
    counts = {
        "entities": sum(1 for e in entities if not e.abstract),
        "entities_by_framework": dict(sorted(Counter(e.framework for e in entities if not e.abstract).items())),
        "abstract_entities": sum(1 for e in entities if e.abstract),
        "reads": sum(1 for a in accesses if a.kind == READ),
        "writes": sum(1 for a in accesses if a.kind == WRITE),
        "read_edges": sum(1 for e in edges if e.kind == READ),
        "write_edges": sum(1 for e in edges if e.kind == WRITE),
        "relations": sum(1 for e in edges if e.kind == RELATION),
        "routes": len(routes),
        "routes_by_kind": dict(sorted(Counter(r.kind for r in routes).items())),
        "transactions": len(transactions),
        "references": len(references),
        "unresolved_references": sum(refs.unresolved.values()),
        "unresolved_references_top": _top(refs.unresolved),
        "dynamic_references": refs.dynamic,
        "unresolved_accesses": sum(unresolved_accesses.values()),
        "unresolved_accesses_top": _top(unresolved_accesses),
        "outside_model_accesses": sum(external_accesses.values()),
        "outside_model_accesses_top": _top(external_accesses),
        "unresolved_relations": len(reg.unresolved_relations),
        "unresolved_relations_top": _top(Counter(raw for _, raw in reg.unresolved_relations)),
        "outside_relations": len(reg.outside_relations),
        "unresolved_routes": len(unresolved_routes),
        "unresolved_routes_top": sorted(unresolved_routes)[:TOP],
        # paths built at run time in part, kept as patterns (``/api/${get_prefix()}/status``)
        "runtime_path_routes": sum(1 for r in routes if r.path and RUNTIME_PART in r.path),
        "unreached_urlconfs": len(urls.unreached),
        "sql_unattributed": analysis.sql_unattributed,
        "row_method_calls": sum(e.weight for e in row_calls),
    }
    return FrameworkFacts(symbols=symbols, edges=edges, entities=entities, routes=routes,
                          transactions=transactions, references=references, counts=counts)


def _top(counter: Counter) -> list[dict[str, Any]]:
    return [{"expr": k, "count": v} for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]


def _unique_routes(routes: list[Route]) -> list[Route]:
    out: dict[str, Route] = {}
    for r in routes:
        out.setdefault(r.id, r)
    return sorted(out.values(), key=lambda r: r.id)


def _symbols(entities: list[Entity], routes: list[Route]) -> list[Symbol]:
    out = [Symbol(id=e.id, kind=ENTITY, module=e.module or "", name=e.name, line=e.line, end_line=e.line)
           for e in entities]
    for r in routes:
        if r.kind == "http":
            name = f"{' '.join(r.methods)} {r.path}"
        elif r.kind == "websocket":
            name = f"websocket {r.path}"
        else:
            name = r.name or r.handler or r.id
        out.append(Symbol(id=r.id, kind=ENTRY, module=r.module or "", name=name, line=r.line, end_line=r.line))
    return sorted(out, key=lambda s: s.id)


def _aggregate(items: Iterable[tuple[str, str, str, int]]) -> list[Edge]:
    agg: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for source, target, kind, line in items:
        agg[(source, target, kind)].append(line)
    return [edge(s, t, k, len(lines), tuple(sorted(set(lines))[:MAX_LINES]))
            for (s, t, k), lines in sorted_items(agg.items())]


def _declared_edges(prog, symbol_ids: set[str]) -> list[Edge]:
    """``reference`` edges from a class to what its body names (``serializer_class = ...``,
    ``class Meta: model = ...``; ``declared.py``)."""
    from analyzer.frameworks.declared import declared_references

    return _aggregate((source, target, REFERENCE, line) for source, target, line in declared_references(prog)
                      if source in symbol_ids and target in symbol_ids)


def _row_call_edges(prog, reg, values, resolution) -> list[Edge]:
    """Calls of model methods on rows (``Order.objects.get(pk=k).cancel()``) that only this
    stage can type (``row_calls``); a pair the resolution already links is not repeated."""
    from analyzer.frameworks.row_calls import row_method_calls

    linked = {(e.source, e.target) for e in resolution.edges if e.kind == CALL}
    found = row_method_calls(prog, reg, values)
    held = ((lambda_owner(s), t, lines) for (s, t), lines in found.items())
    return _aggregate((s, t, CALL, line) for s, t, lines in held if (s, t) not in linked for line in lines)


def _access_edges(accesses) -> list[Edge]:
    """Reads and writes; one made in a lambda is the def's that holds it (``lambda_owner``)."""
    return _aggregate((lambda_owner(a.source), a.entity, a.kind, a.line) for a in accesses)


def _relation_edges(reg) -> list[Edge]:
    return _aggregate((s, t, RELATION, line) for s, t, line, _ in reg.relations
                      if s in reg.models and t in reg.models and s != t)


def _route_edges(routes: list[Route], symbol_ids: set[str]) -> list[Edge]:
    return _aggregate((r.id, r.handler, ROUTE, r.line) for r in routes if r.handler in symbol_ids)


def _reference_edges(references: list[dict], symbol_ids: set[str]) -> list[Edge]:
    return _aggregate((r["source"], r["target"], REFERENCE, r["line"]) for r in references
                      if r["source"] in symbol_ids and r["target"] in symbol_ids)


__all__ = ["FrameworkFacts", "extract"]
