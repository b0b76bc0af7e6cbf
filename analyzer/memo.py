"""Memoization with a cycle guard, for the frameworks stage's evaluator of values.

The frameworks stage (expressions to ORM types) follows bindings, imports, returns and
calls that can lead back to themselves; so does the resolver, whose own variant
(``Resolver._remember``) also tells values that may change between the rounds of its flow
fixed point from those that cannot. Each result is computed once per key; a key met again while it is still being
computed counts as empty instead of recursing forever, which is the usual fixed-point
approximation of flow-insensitive analyses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

_EMPTY: frozenset[str] = frozenset()


def memoized(memo: dict, busy: set, key: Hashable, compute: Callable[..., Any], *args: Any,
             shared: dict | None = None) -> frozenset[str]:
    """``frozenset(compute(*args))`` stored in ``memo`` under ``key``. ``busy`` holds the
    keys being computed (one set may serve several memos); ``shared`` maps each result to
    one canonical copy, so that equal results of a large tree take memory once."""
    hit = memo.get(key)
    if hit is not None:
        return hit
    mark = (id(memo), key)
    if mark in busy:
        return _EMPTY
    busy.add(mark)
    try:
        result = frozenset(compute(*args))
    finally:
        busy.discard(mark)
    if shared is not None:
        result = shared.setdefault(result, result)
    memo[key] = result
    return result
