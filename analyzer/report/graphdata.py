"""The graph the HTML report draws, aggregated so that large monoliths stay usable.

The browser never lays out raw symbols. It receives units (module top levels, classes,
top-level functions, entities) grouped by ``(service, module)`` and one edge list between
units; it shows services or module groups and lays out only what is expanded, so a
5,000-symbol analysis opens with a few hundred nodes at most. The payload is compact
(arrays, indices) and deterministic (everything sorted).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from analyzer.analysis import Analysis
from analyzer.model import CALL, ENTITY, IMPORT, INHERIT, READ, SHARED, WRITE

GRAPH_KINDS = (CALL, IMPORT, INHERIT, READ, WRITE)
KIND_CODES = {"module": "m", "class": "c", "function": "f", "method": "f", ENTITY: "e"}
MAX_LAYOUT_NODES = 300  # above this many module groups the page opens at service level
DOC_CHARS = 160


@dataclass(frozen=True, slots=True)
class GraphPayload:
    """Plain data for the page's script; see :meth:`to_json` for the wire format."""

    services: tuple[tuple[str, str, bool], ...]  # (name, colour, is shared library)
    groups: tuple[tuple[int, str], ...]  # (service index, module name)
    units: tuple[tuple[Any, ...], ...]  # (group, kind code, name, lines, line, id, signature, doc)
    edges: tuple[tuple[int, int, int, int, int, int], ...]  # (source, target, kind, weight, used, ignored)
    focus: int  # service index to open on, or -1

    def to_json(self) -> dict[str, Any]:
        return {
            "services": [{"name": n, "color": c, "shared": sh} for n, c, sh in self.services],
            "groups": [list(g) for g in self.groups],
            "units": [list(u) for u in self.units],
            "edges": [list(e) for e in self.edges],
            "kinds": list(GRAPH_KINDS),
            "focus": self.focus,
            "maxNodes": MAX_LAYOUT_NODES,
        }


def _first_line(text: str | None) -> str:
    if not text:
        return ""
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    return line if len(line) <= DOC_CHARS else line[: DOC_CHARS - 1] + "…"


def build_graph_payload(
    analysis: Analysis, placement: dict[str, str], colors: dict[str, str], focus: str | None = None
) -> GraphPayload:
    """Units grouped by (service, module) and the unit-level edges between them."""
    from analyzer.graph import unit_map
    from analyzer.interfaces import unit_lines

    units_of = unit_map(analysis.symbols)
    sizes = unit_lines(analysis, units_of)
    index = analysis.symbol_index()
    entity_modules = {e.id: e.module or "" for e in analysis.entities}

    def module_of(unit: str) -> str:
        s = index.get(unit)
        return s.module if s is not None else entity_modules.get(unit, "")

    service_names = sorted({n for n in colors if n != SHARED})
    unit_ids = sorted(
        {u for u in units_of.values() if u in index and index[u].kind in KIND_CODES}
        | {e.id for e in analysis.entities if e.id not in index}
    )
    if any(placement.get(u, SHARED) == SHARED for u in unit_ids):
        service_names.append(SHARED)
    svc_pos = {n: i for i, n in enumerate(service_names)}

    group_keys = set()
    for u in unit_ids:
        svc = placement.get(u, SHARED)
        if svc not in svc_pos:
            continue
        group_keys.add((svc_pos[svc], module_of(u)))
    groups = sorted(group_keys)
    group_pos = {g: i for i, g in enumerate(groups)}

    units = []
    unit_pos: dict[str, int] = {}
    for u in unit_ids:
        svc = placement.get(u, SHARED)
        if svc not in svc_pos:
            continue
        s = index.get(u)
        kind = KIND_CODES.get(s.kind, "f") if s is not None else "e"
        name = s.name if s is not None else u.split(":")[-1]
        unit_pos[u] = len(units)
        units.append(
            (
                group_pos[(svc_pos[svc], module_of(u))],
                kind,
                name,
                sizes.get(u, 0),
                s.line if s is not None else 0,
                u,
                (s.signature or "") if s is not None else "",
                _first_line(s.docstring) if s is not None else "",
            )
        )

    agg: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    kind_pos = {k: i for i, k in enumerate(GRAPH_KINDS)}
    for e in analysis.edges:
        k = kind_pos.get(e.kind)
        if k is None:
            continue
        a = unit_pos.get(units_of.get(e.source, e.source))
        b = unit_pos.get(units_of.get(e.target, e.target))
        if a is None or b is None or a == b:
            continue
        slot = agg[(a, b, k)]
        slot[0] += e.weight
        slot[1] += e.used
        slot[2] += e.ignored
    edges = tuple((a, b, k, w, used, ign) for (a, b, k), (w, used, ign) in sorted(agg.items()))

    return GraphPayload(
        services=tuple((n, colors.get(n, "#888888"), n == SHARED) for n in service_names),
        groups=tuple(groups),
        units=tuple(units),
        edges=edges,
        focus=svc_pos.get(focus, -1) if focus else -1,
    )




__all__ = ["GRAPH_KINDS", "MAX_LAYOUT_NODES", "GraphPayload", "build_graph_payload"]
