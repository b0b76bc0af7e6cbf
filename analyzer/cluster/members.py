"""Members as users write them (module names, symbol ids, entity ids) mapped to units.

Plans, pins and ``together`` / ``apart`` / ``shared`` lists name *members*: a module (its
top-level code and everything defined in it, and the modules below it unless they are named
themselves), a class or function, a method (placed with its class: a unit cannot be split),
or an entity (``entity:...``). When several members cover one unit the most specific — the
longest dotted match — wins, so a plan can put a module in one service and one of its
classes in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from analyzer.model import ENTITY, ENTRY, Symbol

ENTITY_PREFIX = "entity:"


@dataclass(frozen=True)
class MemberIndex:
    """What members can name in one analysis."""

    units: frozenset[str]  # module top levels, classes, top-level functions
    entities: frozenset[str]  # entity ids (``entity:...``)
    unit_of: Mapping[str, str]  # any symbol id -> its unit
    prefixes: frozenset[str]  # every dotted prefix of a unit id (packages included)

    @classmethod
    def build(cls, symbols: Iterable[Symbol], entity_ids: Iterable[str] = ()) -> MemberIndex:
        from analyzer.graph import unit_map

        symbols = list(symbols)
        unit_of = unit_map(symbols)
        units = unit_ids(symbols, unit_of)
        entities = frozenset({s.id for s in symbols if s.kind == ENTITY} | set(entity_ids))
        prefixes = set()
        for u in units:
            parts = u.split(".")
            for i in range(1, len(parts) + 1):
                prefixes.add(".".join(parts[:i]))
        return cls(units=units, entities=entities, unit_of=unit_of, prefixes=frozenset(prefixes))

    def normalize(self, member: str) -> str | None:
        """The key a member stands for: a unit, a dotted prefix, or an entity id; ``None`` when
        the member names nothing in this analysis."""
        member = member.strip()
        if member in self.entities:
            return member
        if ENTITY_PREFIX + member in self.entities and member not in self.prefixes:
            return ENTITY_PREFIX + member
        if member in self.prefixes:
            return member
        unit = self.unit_of.get(member)
        if unit is not None and unit in self.units:
            return unit
        return None

    def lookup(self, node: str, table: Mapping[str, str]) -> tuple[str, str] | None:
        """``(member, label)`` of the most specific member in ``table`` covering ``node``."""
        key = node
        while True:
            if key in table:
                return key, table[key]
            if "." not in key or key.startswith(ENTITY_PREFIX):
                return None
            key = key.rsplit(".", 1)[0]

    def expand(self, table: Mapping[str, str], nodes: Iterable[str] | None = None) -> dict[str, str]:
        """node -> label for every unit (and entity) covered by a member of ``table``.

        ``table`` maps normalized members to labels (service names).
        """
        out: dict[str, str] = {}
        if not table:
            return out
        for node in sorted(self.units | self.entities if nodes is None else nodes):
            hit = self.lookup(node, table)
            if hit is not None:
                out[node] = hit[1]
        return out


def unit_ids(symbols: Iterable[Symbol], unit_of: Mapping[str, str]) -> frozenset[str]:
    """The units (``MemberIndex.units``) from a ``unit_map`` already at hand."""
    kinds = {s.id: s.kind for s in symbols}
    return frozenset(u for s, u in unit_of.items() if s == u and kinds[s] not in (ENTITY, ENTRY))


__all__ = ["ENTITY_PREFIX", "MemberIndex", "unit_ids"]
