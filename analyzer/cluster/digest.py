"""The digest of everything clustering and its scores read: equal digests, equal results.

``decompose``, ``score`` and ``baselines`` read the graph (symbol ids, kinds, modules and
sizes in lines; edge ends, kinds and weights), the entities' ids, modules, model classes and
abstractness, the routes' handlers, which modules are packages, the operational folders
modules sit in when their names do not show it, and the options. They never
read where a symbol starts, its signature or docstring, or the lines of an edge's sites: an
edit that changes only those (or nothing the graph shows: a literal, a condition) leaves the
digest as it was, and the stage cache (``analyzer.stage_cache``) skips clustering.

Whoever makes clustering read another field adds it here; ``tests/test_stage_cache.py``
checks both directions on the sample.
"""

from __future__ import annotations

import hashlib
from typing import Any


def canonical_bytes(value: Any) -> bytes:
    """Bytes that are equal exactly when the plain values (strings, numbers, tuples, lists,
    dicts in order) are: :func:`~analyzer.stage_cache.fast_pickle`, five times faster than
    ``repr`` on a million edges; ``repr`` for what it cannot take."""
    from analyzer.stage_cache import fast_pickle

    fast = fast_pickle(value)
    return fast if fast is not None else repr(value).encode()


def graph_digests(analysis) -> tuple[str, str]:
    """Hex digests of the graph clustering and scoring read (options aside): with the
    symbols' sizes, and without them. The baselines, which take no options and whose cuts
    read no size, are keyed by the second (their few line counts are counted again). The
    edges, most of the work, are hashed once for both."""
    from analyzer.cluster.shared import tool_folders
    common = hashlib.blake2b(digest_size=20)
    for part in (
        [(e.source, e.target, e.kind, e.weight) for e in analysis.edges],
        [(e.id, e.module, e.model, e.abstract) for e in analysis.entities],
        [(r.id, r.kind, r.handler) for r in analysis.routes],
        [(m.name, m.is_package) for m in analysis.modules],
        sorted(tool_folders(analysis).items()),  # the shared library's tooling rule reads them
    ):
        common.update(canonical_bytes(part))
    sized, plain = common.copy(), common
    sized.update(canonical_bytes([(s.id, s.kind, s.module, s.lines) for s in analysis.symbols]))
    plain.update(canonical_bytes([(s.id, s.kind, s.module) for s in analysis.symbols]))
    return sized.hexdigest(), plain.hexdigest()


def graph_digest(analysis) -> str:
    """The digest of the graph with sizes (see :func:`graph_digests`)."""
    return graph_digests(analysis)[0]


def clustering_key(analysis, options, graph: str | None = None) -> str:
    """Hex digest of the clustering inputs of ``analysis`` under ``ClusterOptions`` ``options``
    (``graph``: its :func:`graph_digest`, when the caller has it)."""
    from analyzer.stage_cache import digest

    return digest(repr(options), graph or graph_digest(analysis))


def partition_key(graph, edges, module_of, algorithm: str, seed: int, resolution: float) -> str:
    """Hex digest of what the base partition reads: the contracted graph's nodes in their
    order, its ``edges`` in the order they were added (with the node order, that fixes the
    order Louvain and label propagation visit them in) with their weights, the modules of
    the nodes (coarsening splits by module), the algorithm, its seed and its resolution.
    Node sizes are not read: an edit that only makes a unit longer reuses the partition."""
    from analyzer.stage_cache import code_fingerprint, digest

    nodes = list(graph)
    return digest(code_fingerprint(), algorithm, str(seed), repr(resolution),  # other code, other partition
                  canonical_bytes(nodes), canonical_bytes([module_of.get(n) for n in nodes]), canonical_bytes(edges))
