"""``msa callgraph``: the resolved call graph in PyCG's JSON format, or as JSON / DOT / GraphML.

PyCG's format is ``{caller: [callees]}`` with every function, method and module as a key,
module-level code as the module's own node, builtins as ``<builtin>.name`` and library
functions by their dotted path, so results can be compared with PyCG's and fed to tools
that read it.
"""

from __future__ import annotations

import json
from collections import defaultdict


def call_map(front) -> dict[str, list[str]]:
    res = front.resolution
    r = res.resolver
    graph: dict[str, set[str]] = defaultdict(set)
    for s in res.symbols:
        if s.kind in ("module", "function", "method"):
            graph[s.id]
    from analyzer.resolve import CALLING_BUILTINS, called_back

    for rc in [*res.calls, *getattr(res, "implicit_calls", [])]:
        caller = rc.call.scope
        if r.kind(caller) == "class":
            caller = r.module_of(caller)  # class bodies run as part of the module
        callees = r.callees(rc.targets)
        if not rc.targets.isdisjoint(CALLING_BUILTINS):
            callees |= called_back(r, rc.call)  # ``map(func, rows)`` calls ``func``
        for q in callees:
            if r.kind(q) == "class":
                # a class without __init__ in the project: the call enters an outside base's
                # __init__ if there is one, else nothing that has a node of its own
                outside = r.external_bases(q)
                if outside:
                    graph[caller].add(f"{outside[0][2:]}.__init__")
                continue
            graph[caller].add(q)
        for v in rc.targets:
            tag, _, name = v.partition(":")
            if tag == "b":
                graph[caller].add(f"<builtin>.{name}")
            elif tag == "x":
                graph[caller].add(name)
    return {k: sorted(v) for k, v in sorted(graph.items())}


def render_callgraph(front, fmt: str) -> str:
    graph = call_map(front)
    if fmt == "pycg":
        return json.dumps(graph, indent=2) + "\n"
    if fmt == "json":
        edges = [{"source": a, "target": b} for a, bs in graph.items() for b in bs]
        return json.dumps({"nodes": sorted(graph), "edges": edges}, indent=2) + "\n"
    import networkx as nx

    g = nx.DiGraph()
    for a, bs in graph.items():
        g.add_node(a)
        for b in bs:
            g.add_edge(a, b)
    if fmt == "graphml":
        return "\n".join(nx.generate_graphml(g)) + "\n"
    lines = ["digraph callgraph {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
    for a in sorted(g.nodes):
        lines.append(f"  {json.dumps(a)};")
    for a, b in sorted(g.edges):
        lines.append(f"  {json.dumps(a)} -> {json.dumps(b)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
