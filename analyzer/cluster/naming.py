"""Stable, meaningful service names from the packages of their members.

A service is named after the package segment below the root package that holds most of its
lines (``shop.orders.services`` -> ``orders``). When two services would share a name, the
larger keeps it and the other takes its dominant second-level segment (``admin-reports``),
then a number. Names are lowercase DNS labels (``[a-z0-9-]``) so the scaffold can use them
for folders, containers and Kubernetes objects. Nothing depends on set order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from analyzer.cluster.weights import common_root
from analyzer.model import SHARED

_BAD = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``Catalog_Admin`` -> ``catalog-admin``; empty input gives ``service``."""
    out = _BAD.sub("-", text.lower()).strip("-")
    return out[:50].rstrip("-") or "service"


def _segments(module: str, root: str) -> list[str]:
    rest = module[len(root) + 1:] if root and module.startswith(root + ".") else module
    if root and module == root:
        rest = module.rsplit(".", 1)[-1]
    return rest.split(".")


def name_services(
    groups: Sequence[Iterable[str]],
    module_of: Mapping[str, str],
    size_of: Mapping[str, float],
    reserved: Mapping[int, str] | None = None,
    root: str | None = None,
) -> list[str]:
    """One name per group (same order). ``reserved`` fixes names by group index (pinned
    services keep the name the user gave)."""
    reserved = dict(reserved or {})
    if root is None:
        root = common_root({m for m in module_of.values() if m})
    tallies: list[tuple[dict[str, float], dict[str, float]]] = []
    weights = []
    for g in groups:
        first: dict[str, float] = defaultdict(float)
        second: dict[str, float] = defaultdict(float)
        total = 0.0
        for node in g:
            module = module_of.get(node)
            if not module:
                continue
            w = float(size_of.get(node, 1.0)) + 1.0
            segs = _segments(module, root)
            first[segs[0]] += w
            if len(segs) > 1:
                second[f"{segs[0]}-{segs[1]}"] += w
            total += w
        tallies.append((first, second))
        weights.append(total)

    def best(tally: Mapping[str, float]) -> str | None:
        return slug(min(tally.items(), key=lambda kv: (-kv[1], kv[0]))[0]) if tally else None

    taken = set(reserved.values()) | {slug(SHARED)}
    names: dict[int, str] = dict(reserved)
    # larger services choose first; ties by their smallest member, never by set order
    order = sorted(
        (i for i in range(len(groups)) if i not in reserved),
        key=lambda i: (-weights[i], min(groups[i], default="")),
    )
    for i in order:
        first, second = tallies[i]
        candidates = [best(first), best(second)]
        name = next((c for c in candidates if c and c not in taken), None)
        if name is None:
            base = candidates[0] or "service"
            n = 2
            while f"{base}-{n}" in taken:
                n += 1
            name = f"{base}-{n}"
        taken.add(name)
        names[i] = name
    return [names[i] for i in range(len(groups))]


__all__ = ["name_services", "slug"]
