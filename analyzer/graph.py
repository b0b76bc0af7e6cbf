"""The dependency graph and its projections.

Symbols become nodes of a ``networkx.MultiDiGraph``; edges are keyed by kind so that one
``(source, target, kind)`` triple is one edge carrying the number of sites as ``weight``.
Clustering works on *units* (module top level, class, top-level function): a method goes
with its class and a nested function with its enclosing definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # networkx is imported where a graph is built: a replayed run needs none
    import networkx as nx

from analyzer.model import CLASS, ENTITY, ENTRY, FUNCTION, MODULE, Edge, Symbol

V = TypeVar("V")

UNIT_KINDS = (MODULE, CLASS, FUNCTION)


def build_graph(symbols: Iterable[Symbol], edges: Iterable[Edge]) -> nx.MultiDiGraph:
    import networkx as nx

    g = nx.MultiDiGraph()
    for s in sorted(symbols, key=lambda s: s.id):
        g.add_node(s.id, kind=s.kind, module=s.module, name=s.name, line=s.line, end_line=s.end_line,
                   lines=s.lines)
    for e in sorted(edges, key=lambda e: (e.source, e.target, e.kind)):
        for node in (e.source, e.target):
            if node not in g:
                g.add_node(node, kind="external", module="", name=node, line=0, end_line=0, lines=0)
        if g.has_edge(e.source, e.target, key=e.kind):
            data = g.edges[e.source, e.target, e.kind]
            data["weight"] += e.weight
            data["used"] += e.used
            data["ignored"] += e.ignored
        else:
            g.add_edge(e.source, e.target, key=e.kind, kind=e.kind, weight=e.weight, used=e.used,
                       ignored=e.ignored)
    return g


def parent_id(symbol_id: str) -> str:
    return symbol_id.rsplit(".", 1)[0] if "." in symbol_id else symbol_id


def unit_map(symbols: Iterable[Symbol]) -> dict[str, str]:
    """symbol id -> id of the unit it belongs to.

    Units are module top levels, classes and top-level functions. Walking up the qualified
    name, the outermost class or function directly under the module is the unit; entities and
    entries are their own units (ownership and routing are decided after clustering).
    """
    by_id: dict[str, Symbol] = {s.id: s for s in symbols}
    out: dict[str, str] = {}
    for s in by_id.values():
        if s.kind in (ENTITY, ENTRY, MODULE):
            out[s.id] = s.id
            continue
        # the unit is the symbol right below the module in the qualname chain
        rest = s.id[len(s.module) + 1:] if s.id.startswith(s.module + ".") else s.id
        head = rest.split(".", 1)[0]
        unit = f"{s.module}.{head}" if s.id.startswith(s.module + ".") else s.id
        out[s.id] = unit if unit in by_id else s.module
    return out


def unit_graph(g: nx.MultiDiGraph, units: Mapping[str, str], kinds: Iterable[str] | None = None,
               weights: Mapping[str, float] | None = None) -> nx.Graph:
    """Undirected weighted graph of units: edge weight = sum of kind weight × site count.

    Edges inside one unit vanish; entity/entry nodes are kept (they are units of their own)
    so that two functions writing one table are pulled together through it. Node ``lines`` are
    counted once: a module's node keeps only its top-level code.
    """
    import networkx as nx

    wanted = set(kinds) if kinds is not None else None
    ug = nx.Graph()
    for n, data in g.nodes(data=True):
        u = units.get(n, n)
        if u not in ug:
            ug.add_node(u, kind=g.nodes[u]["kind"] if u in g else data.get("kind"), lines=0)
        ug.nodes[u]["lines"] = ug.nodes[u].get("lines", 0) + (data.get("lines", 0) if n == u else 0)
    # a module unit stands for its top-level code only: its classes and functions count once
    for u, data in list(ug.nodes(data=True)):
        if data.get("kind") in (CLASS, FUNCTION) and u in g:
            module = g.nodes[u].get("module")
            if module in ug and module != u and ug.nodes[module].get("kind") == MODULE:
                ug.nodes[module]["lines"] = max(0, ug.nodes[module]["lines"] - data.get("lines", 0))
    for a, b, kind, data in g.edges(keys=True, data=True):
        if wanted is not None and kind not in wanted:
            continue
        ua, ub = units.get(a, a), units.get(b, b)
        if ua == ub:
            continue
        w = data.get("weight", 1) * (weights.get(kind, 1.0) if weights else 1.0)
        if w <= 0:
            continue
        if ug.has_edge(ua, ub):
            ug[ua][ub]["weight"] += w
        else:
            ug.add_edge(ua, ub, weight=w)
    return ug


def weighted_edges(graph: nx.Graph, default: float = 1.0) -> list[tuple[str, str, float]]:
    """``list(graph.edges(data="weight", default=default))`` of an undirected graph, same order,
    read from the adjacency dicts: on a million edges the edge view costs a second more."""
    out: list[tuple[str, str, float]] = []
    seen: set[str] = set()
    for a, nbrs in graph.adjacency():
        out.extend([(a, b, data.get("weight", default)) for b, data in nbrs.items() if b not in seen])
        seen.add(a)
    return out


def induced(graph: nx.Graph, nodes: Iterable[str]) -> nx.Graph:
    """The subgraph on ``nodes`` as a graph of its own, in ``graph``'s node and edge order.
    networkx's ``subgraph`` view iterates a node set smaller than half the graph in *set*
    order, which changes with the hash seed between runs: a seeded Louvain on such a view
    gave another decomposition on every run."""
    import networkx as nx

    kept = set(nodes)
    sub = nx.Graph()
    sub.add_nodes_from((n, d) for n, d in graph.nodes(data=True) if n in kept)
    sub.add_edges_from((a, b, d) for a, b, d in graph.edges(data=True) if a in kept and b in kept)
    return sub


def sorted_items(items: Iterable[tuple[tuple[str, ...], V]]) -> list[tuple[tuple[str, ...], V]]:
    """``sorted(items)`` for ``(key, value)`` items whose keys are distinct tuples of strings
    of one length (an edge's ends, or its source, target and kind), each key compared as its
    parts joined by NUL: the same order, since no identifier holds a NUL (the smallest
    character), and about three times faster than comparing tuples on 700 k items."""
    return sorted(items, key=_joined_key)


def _joined_key(item: tuple[tuple[str, ...], object]) -> str:
    return "\0".join(item[0])


def weighted_graph(sizes: Mapping[str, float], edges: Iterable[tuple[tuple[str, str], float]]) -> nx.Graph:
    """An undirected graph with the nodes of ``sizes`` (attribute ``size``, in that order)
    and ``((a, b), weight)`` edges between them (attribute ``weight``, in that order).

    The same graph, adjacency order included, as ``add_nodes_from`` then ``add_edges_from``
    give; the edges are written into the adjacency dicts directly (networkx's documented
    data structure for subclasses), which on 700 k edges saves a second of the checks
    ``add_edges_from`` makes per edge. Should the structure ever differ, the public calls
    build it."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from((n, {"size": size}) for n, size in sizes.items())
    adj = getattr(graph, "_adj", None)
    if not isinstance(adj, dict) or not all(isinstance(adj.get(n), dict) for n in list(sizes)[:1]):
        graph.add_edges_from((a, b, {"weight": w}) for (a, b), w in edges)
        return graph
    for (a, b), w in edges:
        if a not in adj or b not in adj:  # as add_edges_from does: the end becomes a node
            graph.add_nodes_from(n for n in (a, b) if n not in adj)
        data = {"weight": w}
        adj[a][b] = data
        adj[b][a] = data
    return graph


__all__ = ["UNIT_KINDS", "build_graph", "parent_id", "sorted_items", "unit_graph", "unit_map", "weighted_edges",
           "weighted_graph"]
