"""The analysis document: what ``msa analyze`` writes and every later command reads.

One versioned JSON file (``"schema": "msa-analysis/1"``) holding modules, parse errors,
symbols, edges, entities, entry points, transactions, the decomposition and its scores.
Report and scaffold read only this document, never the analyzed source.
"""

from __future__ import annotations

import orjson
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from analyzer.errors import AnalysisFileError
from analyzer.model import (
    ANALYSIS_SCHEMA,
    Decomposition,
    Edge,
    Entity,
    ModuleInfo,
    Route,
    Service,
    Symbol,
    Transaction,
)


@dataclass
class Analysis:
    root: str
    modules: list[ModuleInfo]
    symbols: list[Symbol]
    edges: list[Edge]
    parse_errors: list[dict[str, Any]] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)
    unresolved: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    decomposition: Decomposition | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    clustering: dict[str, Any] = field(default_factory=dict)  # chosen k, curve, weights
    tool: dict[str, Any] = field(default_factory=dict)

    # -- lookups -------------------------------------------------------------------------
    def symbol_index(self) -> dict[str, Symbol]:
        return {s.id: s for s in self.symbols}

    def graph(self):
        """The dependency graph (``networkx.MultiDiGraph``) of this document."""
        from analyzer.graph import build_graph

        return build_graph(self.symbols, self.edges)

    # -- JSON ------------------------------------------------------------------------------
    def to_json(self, *, lazy: bool = False) -> dict[str, Any]:
        """The document as JSON-ready data. ``lazy`` is for the streaming writer
        (:func:`analyzer.fsutil.dump_compact`): the symbols and edges stay records, in
        document order, which orjson serializes field by field; a million-line repository
        has about a million of them, and a dict for each took longer than the rest of the
        write."""
        symbols = sorted(self.symbols, key=lambda s: s.id)
        edges = sorted(self.edges, key=lambda e: (e.source, e.target, e.kind))
        return {
            "schema": ANALYSIS_SCHEMA,
            "tool": self.tool,
            "root": self.root,
            "counts": self.counts,
            "modules": [_row(m) for m in sorted(self.modules, key=lambda m: m.name)],
            "parse_errors": sorted(self.parse_errors, key=lambda e: (e["path"], e.get("line") or 0)),
            "symbols": symbols if lazy else [_symbol_json(s) for s in symbols],
            "edges": edges if lazy else [_edge_json(e) for e in edges],
            "unresolved": self.unresolved,
            "entities": [_row(e) for e in sorted(self.entities, key=lambda e: e.id)],
            "routes": [
                {**_row(r), "methods": list(r.methods)} for r in sorted(self.routes, key=lambda r: r.id)
            ],
            "transactions": [
                {**_row(t), "writes": list(t.writes)}
                for t in sorted(self.transactions, key=lambda t: (t.module, t.line))
            ],
            "references": self.references,
            "decomposition": decomposition_json(self.decomposition) if self.decomposition else None,
            "metrics": self.metrics,
            "baselines": self.baselines,
            "clustering": self.clustering,
        }

    @classmethod
    def from_json(cls, data: Any, source: str = "<document>") -> Analysis:
        if not isinstance(data, dict) or "schema" not in data:
            raise AnalysisFileError(f"{source}: not an msa analysis document (no 'schema' field)")
        if data["schema"] != ANALYSIS_SCHEMA:
            raise AnalysisFileError(
                f"{source}: schema {data['schema']!r} is not supported (expected {ANALYSIS_SCHEMA!r}); "
                "run 'msa analyze' again"
            )
        try:
            return cls(
                root=data["root"],
                tool=data.get("tool") or {},
                counts=data.get("counts") or {},
                modules=[ModuleInfo(**m) for m in data["modules"]],
                parse_errors=list(data.get("parse_errors") or []),
                symbols=[
                    Symbol(
                        **{
                            **s,
                            "params": tuple(s.get("params") or ()),
                            "decorators": tuple(s.get("decorators") or ()),
                        }
                    )
                    for s in data["symbols"]
                ],
                edges=[Edge(**{**e, "lines": tuple(e.get("lines") or ())}) for e in data["edges"]],
                unresolved=data.get("unresolved") or {},
                entities=[Entity(**e) for e in data.get("entities") or []],
                routes=[Route(**{**r, "methods": tuple(r["methods"])}) for r in data.get("routes") or []],
                transactions=[
                    Transaction(**{**t, "writes": tuple(t["writes"])}) for t in data.get("transactions") or []
                ],
                references=list(data.get("references") or []),
                decomposition=decomposition_from_json(data["decomposition"])
                if data.get("decomposition")
                else None,
                metrics=data.get("metrics") or {},
                baselines=data.get("baselines") or {},
                clustering=data.get("clustering") or {},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AnalysisFileError(f"{source}: malformed analysis document ({exc})") from None


_FIELDS: dict[type, tuple[str, ...]] = {}


def _row(obj: Any) -> dict[str, Any]:
    """A record's fields as a dict, shallow: ``dataclasses.asdict`` deep-copies every value,
    which made writing a million-line document take longer than parsing it."""
    names = _FIELDS.get(type(obj))
    if names is None:
        names = _FIELDS[type(obj)] = tuple(f.name for f in fields(obj))
    return {n: getattr(obj, n) for n in names}


def _symbol_json(s: Symbol) -> dict[str, Any]:
    d = _row(s)
    d["params"] = [dict(p) for p in s.params]
    d["decorators"] = list(s.decorators)
    return d


def _edge_json(e: Edge) -> dict[str, Any]:
    d = _row(e)
    d["lines"] = list(e.lines)
    return d


def decomposition_json(d: Decomposition) -> dict[str, Any]:
    return {
        "algorithm": d.algorithm,
        "params": d.params,
        "services": [
            {
                "name": s.name,
                "members": sorted(s.members),
                "entities": sorted(s.entities),
                "pinned": sorted(s.pinned),
            }
            for s in sorted(d.services, key=lambda s: s.name)
        ],
        "shared": sorted(d.shared),
    }


def decomposition_from_json(d: dict[str, Any]) -> Decomposition:
    return Decomposition(
        services=tuple(
            Service(
                name=s["name"],
                members=tuple(s["members"]),
                entities=tuple(s.get("entities") or ()),
                pinned=tuple(s.get("pinned") or ()),
            )
            for s in d["services"]
        ),
        shared=tuple(d.get("shared") or ()),
        algorithm=d.get("algorithm", "manual"),
        params=d.get("params") or {},
    )


def write_json_atomic(path: Path, data: Any) -> None:
    """Compact JSON, streamed (a million-line repository's document is hundreds of MB)."""
    from analyzer.fsutil import write_json_atomic as stream

    stream(path, data)


def save(analysis: Analysis, path: Path) -> None:
    write_json_atomic(path, analysis.to_json(lazy=True))


def load(path: Path) -> Analysis:
    path = Path(path)
    if not path.is_file():
        raise AnalysisFileError(f"{path}: no such analysis file")
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise AnalysisFileError(f"{path}: cannot read analysis document ({exc})") from None
    return Analysis.from_json(data, source=str(path))
