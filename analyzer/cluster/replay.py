"""Clustering after an edit that only changed sizes: replay the decisions sizes make.

Most edits inside a function (a line added, a comment, a longer docstring) leave the
clustering graph as it was but for the sizes of a few units. Everything ``decompose`` does
besides reading sizes then gives what it gave before: the contracted graph, the base
partition, the merge trace, the ties of each fold round, refinement's ties and gains, the
writers' moves, which services are tied to another. That work is most of the time (seconds on
a million lines); what sizes decide is cheap to decide again:

* the number of services, from the score curve over the stored merge trace;
* the folds of package fragments, round by round from each round's stored ties;
* whether a service is oversized (a run that split one stores no record: the split itself
  reads sizes all through);
* refinement's moves: each visit that offered a move is stored with its candidates, and the
  balance bound is checked again along the same moves;
* which tiny services are strays, and the services' names.

When every one of them comes out as stored, every other input of every step is as stored
too (each follows from the decisions before it), so the stored result is the result a run
from scratch gives; only the curve, which shows sizes, is computed again. When one comes out
otherwise, :func:`replay` answers ``None`` and ``decompose`` runs in full.

A :class:`Record` is plain data, kept in the stage cache under the graph without sizes, the
options and each package's hub (its largest module, the one size the weighted unit graph
reads: another hub is another graph).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

VERSION = 3  # 2: no stored node list (the trace's is the same); 3: idle services


@dataclass
class Record:
    """What one full ``decompose`` run decided, and what sizes went into each decision."""

    members: dict[str, list[str]] = field(default_factory=dict)  # node -> its units, when not just itself
    zero: list[str] = field(default_factory=list)  # nodes that weigh nothing (app anchors)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)  # the contracted nodes' tokens
    trace: tuple | None = None  # MergeTrace as (nodes, start, merges, curve)
    services: int | None = None  # the number of services asked for
    minimum: int = 1
    k: int = 0
    fragments: list | None = None  # merge_fragments' log, when it ran
    balance: bool = False  # split_oversized ran (and found nothing to split)
    refine: list | None = None  # refine.cluster's log, when it ran
    after: list[list[str]] = field(default_factory=list)  # the partition strays are looked for in
    tied: list[int] = field(default_factory=list)
    strays: list[int] = field(default_factory=list)
    idle: list[int] = field(default_factory=list)  # services of ``after`` with no entry point and no entity
    groups: list[list[str]] = field(default_factory=list)  # the services' nodes, as named
    reserved: dict[int, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    result: Any = None  # (decomposition rows, info)

    def pack(self) -> dict[str, Any]:
        return {"version": VERSION, **self.__dict__}

    @classmethod
    def unpack(cls, data: Any) -> Record | None:
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        try:
            return cls(**{k: v for k, v in data.items() if k != "version"})
        except TypeError:
            return None


def core_sizes(record: Record, node_size: Mapping[str, float]) -> dict[str, float] | None:
    """The clustering graph's node sizes under ``node_size`` (``None`` when a node is gone)."""
    zero = set(record.zero)
    out: dict[str, float] = {}
    try:
        for n in record.trace[0] if record.trace is not None else ():  # the clustering graph's nodes
            if n in zero:
                out[n] = 0.0
            elif n in record.members:
                out[n] = sum((node_size[m] for m in record.members[n]), 0.0)
            else:
                out[n] = node_size[n]
    except KeyError:
        return None
    return out


def replay(record: Record, node_size: Mapping[str, float], package_of: Callable[[str], str],
           name: Callable[[list[list[str]], dict[int, str]], list[str]],
           app_of: Callable[[str], str] | None = None) -> tuple[Any, dict[str, Any]] | None:
    """The stored ``(decomposition rows, info)`` with the curve of the new sizes, when every
    decision sizes make comes out as stored under ``node_size``; else ``None``.

    ``package_of`` and ``app_of`` are the fold rules' package and app of a node; ``name(groups, reserved)`` names the
    services under the new sizes."""
    from analyzer.cluster import fragments, quality, refine
    from analyzer.cluster.agglomerative import MergeTrace
    from analyzer.cluster.balance import oversized

    if record.trace is None:
        return None
    sizes = core_sizes(record, node_size)
    if sizes is None:
        return None
    trace = MergeTrace(*record.trace)
    points = quality.score_curve(trace, sizes)
    # a number asked for is kept as the stored run made it (quality.asked_k reads no size)
    k = record.k if record.services else quality.pick_k(points, record.services, record.minimum)
    if k != record.k:
        return None
    partition = trace.partition(k) if points else []
    if record.fragments is not None:
        folded = fragments.replay_sizes(partition, sizes, package_of, record.tokens, record.fragments, app_of)
        if folded is None:
            return None
        partition = folded[0]
    if record.balance:
        fixed = {n for n, t in record.tokens.items() if "pin" in t}
        if oversized(partition, sizes, fixed):
            return None
        partition = sorted((set(p) for p in partition if p), key=min)
    if record.refine is not None and not refine.replay_sizes(partition, sizes, record.refine):
        return None
    after = [set(p) for p in record.after]
    if after and quality.stray_indices(after, sizes, set(record.tied), keep=record.tokens,
                                       idle=record.idle) != record.strays:
        return None
    if name(record.groups, record.reserved) != record.names:
        return None
    rows, info = record.result
    return rows, {**info, "curve": quality.trim_curve(points, k)}


__all__ = ["Record", "core_sizes", "replay"]
