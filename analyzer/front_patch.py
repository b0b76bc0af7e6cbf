"""The front end of a run where a few files changed, patched from the last one computed.

When no module's resolution shape changed (``facts.resolution_shape``), the stored
evaluation of every call site still holds; when no changed module looks different to the
frameworks stage (``frameworks.frameworks_view``), that stage's output still holds too.
What differs from the stored front end is then only what is assembled from the changed
modules' own facts: their symbols, the edges leaving them (with their lines) and their
module records. This module takes the stored front end from the stage cache, assembles
those few modules again from the stored evaluation and splices them in. The unchanged
modules' facts are not even read, and nothing is resolved or extracted.

The result is exactly what the full front end gives (``tests/test_front_patch.py``
compares the two documents); whenever a condition does not hold, :func:`patch_front`
returns ``None`` and the run computes the front end in full.

The stage cache holds, per file layout (the paths, modules and skipped files of a tree), a
``layout`` entry naming the last front end of that layout computed in full, with what a
patch needs to find its way in it: every file's facts key and resolution shape, how many
call sites and import statements each module has (to slice the evaluation), and how many
symbols and edges at the head of the front end came from resolution (the frameworks
stage's follow). A patched front end is not stored: the next run patches the same base
again, with every file changed since (up to ``stage_cache.MAX_CHANGED``), which costs
less than writing a front end of a million-line tree each time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from analyzer.facts import ModuleFacts
from analyzer.model import ModuleInfo

LAYOUT = "layout"  # the stage-cache entry of a file layout


def layout_key(inputs) -> str:
    """What makes two runs' files line up one to one: paths, modules, packages and skipped
    files, in order, with the analyzer's own code."""
    from analyzer.stage_cache import code_key, digest

    files = (f"{rel}|{module}|{int(is_package)}" for rel, module, is_package, _source in inputs.tasks)
    return digest(*code_key(), *files, *(f"skipped|{rel}|{reason}" for rel, reason in inputs.skipped))


def layout_record(keys: list[str], facts: list[ModuleFacts], resolution, resolution_key: str) -> dict[str, Any]:
    """The ``layout`` entry of a front end just computed, less the key of its ``front``
    entry (``resolution``: its :class:`~analyzer.resolve.Resolution`, whose symbols and
    edges head the document's)."""
    return {
        "keys": list(keys),
        "shapes": [_shape(f) if f.error is None else None for f in facts],
        "sites": [resolution.site_counts.get(f.module, 0) if f.error is None else 0 for f in facts],
        "imports": [len(f.imports) if f.error is None else 0 for f in facts],
        "resolution": resolution_key,
        "symbols": len(resolution.symbols),
        "edges": len(resolution.edges),
    }


def _shape(m: ModuleFacts) -> str:
    from analyzer.facts import resolution_shape

    return m.shape or resolution_shape(m)


def patch_front(stages, inputs,
                facts_of: Callable[[list[int], list[str]], tuple[Callable[[], dict[str, ModuleFacts]], bool]],
                front: Callable[[str], dict[str, Any] | None]) -> dict[str, Any] | None:
    """The front end of ``inputs`` as keyword arguments for ``Analysis`` (less root and
    tool), patched from the one the ``layout`` entry names; ``None`` when it cannot be.

    ``facts_of(indices, earlier)`` starts getting, by facts-cache key, the facts of the
    files at ``indices`` of ``inputs.tasks`` (parsing those not cached) and the cached facts
    under the ``earlier`` keys: it answers ``(wait, parsing)``, where ``wait()`` gives them
    and ``parsing`` says whether workers are parsing meanwhile. ``front(key)`` is the
    unpacked ``front`` entry under ``key``, or ``None``."""
    from analyzer.frameworks import frameworks_view
    from analyzer.stage_cache import changed_since

    layout = stages.get(LAYOUT, layout_key(inputs))
    changed = changed_since(layout.get("keys"), inputs.keys) if isinstance(layout, dict) else None
    if not changed:
        return None
    wait, parsing = facts_of(changed, [layout["keys"][i] for i in changed])
    # the stored parts load while the workers parse (on a refused patch, that load is lost:
    # a fraction of the full front end that follows)
    stored = _stored_parts(stages, layout, front) if parsing else None
    facts = wait()
    pairs = []
    for i in changed:
        old, new = facts.get(layout["keys"][i]), facts.get(inputs.keys[i])
        if old is None or new is None or old.error is not None or new.error is not None:
            return None  # a module that does not parse has no symbols to splice
        if _shape(new) != layout["shapes"][i] or _shape(old) != layout["shapes"][i]:
            return None  # resolution reads something else now: evaluate again
        if frameworks_view(old) != frameworks_view(new):
            return None  # the frameworks stage reads something else now: run it again
        pairs.append((i, old, new))
    parts, packed = stored or _stored_parts(stages, layout, front)
    if parts is None or packed is None:
        return None
    from analyzer.resolve import Evaluation

    try:
        return _splice(parts, layout, inputs, pairs, Evaluation.unpack(packed))
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def _stored_parts(stages, layout, front) -> tuple[dict[str, Any] | None, Any]:
    """The front end the ``layout`` entry names, and the stored evaluation it was resolved with."""
    return front(layout["front"]), stages.get("resolve", layout["resolution"])


def _splice(parts, layout, inputs, pairs, evaluation) -> dict[str, Any] | None:
    """``parts`` with the changed modules' symbols, edges and module records replaced."""
    from analyzer.resolve import assemble_module, module_sites

    symbols, edges = parts["symbols"], parts["edges"]
    n_symbols, n_edges = layout["symbols"], layout["edges"]
    res_symbols, res_edges = symbols[:n_symbols], edges[:n_edges]
    tasks = inputs.tasks
    # where each module's call sites start (sites go module by module in name order) and
    # where its import statements start (in file order); modules that failed have neither
    parsed = [i for i, s in enumerate(layout["shapes"]) if s is not None]
    first_site, at = {}, 0
    for i in sorted(parsed, key=lambda i: tasks[i][1]):
        first_site[i], at = at, at + layout["sites"][i]
    first_import, at = {}, 0
    for i in parsed:
        first_import[i], at = at, at + layout["imports"][i]
    if at != len(evaluation.imports) or sum(layout["sites"]) != len(evaluation.targets):
        return None
    owner: dict[str, str] = {}  # symbol id -> module, to prove edge sources are one module's
    for s in res_symbols:
        if owner.setdefault(s.id, s.module) != s.module:
            return None
    drop: set[tuple[str, str, str]] = set()
    added = []
    blocks: dict[str, list] = {}
    for i, old, new in pairs:
        if any(len(module_sites(m)) != layout["sites"][i] or len(m.imports) != layout["imports"][i]
               for m in (old, new)):
            return None
        was = assemble_module(old, evaluation, first_site[i], first_import[i])
        now = assemble_module(new, evaluation, first_site[i], first_import[i])
        own = {s.id for s in now.symbols}
        if any(owner.get(e.source) != old.module for e in was.edges) or any(e.source not in own for e in now.edges):
            return None  # an edge whose source is not the module's own: splice would be unsound
        drop.update((e.source, e.target, e.kind) for e in was.edges)
        added.extend(now.edges)
        blocks[old.module] = now.symbols
    kept = [e for e in res_edges if (e.source, e.target, e.kind) not in drop]
    if len(kept) != len(res_edges) - len(drop):
        return None
    new_res_edges = sorted(kept + added, key=lambda e: (e.source, e.target, e.kind))
    # symbols: each module's block stays where it was (modules in file order)
    new_res_symbols = []
    at = 0
    while at < len(res_symbols):
        module = res_symbols[at].module
        end = at
        while end < len(res_symbols) and res_symbols[end].module == module:
            end += 1
        new_res_symbols.extend(blocks.pop(module, res_symbols[at:end]))
        at = end
    if blocks:
        return None  # a changed module had no block: it defined nothing before
    modules = list(parts["modules"])
    by_name = {m.name: k for k, m in enumerate(modules)}
    for _i, _old, new in pairs:
        modules[by_name[new.module]] = ModuleInfo(new.module, new.path, new.lines, new.sha, new.is_package, None)
    out = dict(parts)
    out["symbols"] = new_res_symbols + symbols[n_symbols:]
    out["edges"] = new_res_edges + edges[n_edges:]
    out["modules"] = modules
    counts = dict(parts["counts"])
    counts["lines"] = sum(m.lines for m in modules)
    counts["symbols"] = dict(sorted(Counter(s.kind for s in out["symbols"]).items()))
    edge_kinds: Counter = Counter()
    for e in out["edges"]:
        edge_kinds[e.kind] += e.weight
    counts["edges"] = dict(sorted(edge_kinds.items()))
    out["counts"] = counts
    return out
