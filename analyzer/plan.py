"""The editable plan (``msa-plan/1``, TOML): a decomposition a person can read and change.

``write_plan`` lists each service's members compactly (a module name stands for every unit
below it when they all sit in one service); ``load_plan`` expands members back to units
against an analysis — the most specific (longest) member wins — and checks everything,
naming the file and the place of each problem; ``apply_plan`` swaps a plan into an analysis
and re-scores it.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import PlanError
from analyzer.model import PLAN_SCHEMA, SHARED, Decomposition, Service

TOP_KEYS = ("schema", "algorithm", "service", "shared")
SERVICE_KEYS = ("name", "members", "entities", "pinned", "description")
SHARED_KEYS = ("members",)


@dataclass(frozen=True)
class PlanService:
    name: str
    members: tuple[str, ...]
    entities: tuple[str, ...] = ()
    pinned: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanDoc:
    """A plan as written, before it is checked against an analysis."""

    path: str
    services: tuple[PlanService, ...]
    shared: tuple[str, ...] = ()
    algorithm: str = "plan"


def _summary(problems: list[str], limit: int = 6) -> str:
    """Problems joined on one line; past ``limit`` only their number is given."""
    head = "; ".join(problems[:limit])
    return head if len(problems) <= limit else f"{head}; and {len(problems) - limit} more"


# -- reading -----------------------------------------------------------------------------------


def _strings(value, where: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where} must be a list of non-empty strings")
        return ()
    return tuple(v.strip() for v in value)


def read_plan(path: Path) -> PlanDoc:
    """Parse and shape-check a plan file (no analysis needed)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(f"{path}: no such plan file") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path}: malformed TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot read plan ({exc})") from None
    problems: list[str] = []
    for key in sorted(data):
        if key not in TOP_KEYS:
            problems.append(f"unknown key {key!r} (known: {', '.join(TOP_KEYS)})")
    schema = data.get("schema", PLAN_SCHEMA)
    if schema != PLAN_SCHEMA:
        problems.append(f"schema {schema!r} is not supported (expected {PLAN_SCHEMA!r})")
    raw_services = data.get("service", [])
    if not isinstance(raw_services, list) or not all(isinstance(s, dict) for s in raw_services):
        problems.append("'service' must be an array of tables ([[service]])")
        raw_services = []
    services = []
    names: set[str] = set()
    for i, raw in enumerate(raw_services):
        name = raw.get("name")
        where = f"service {name!r}" if isinstance(name, str) and name else f"service #{i + 1}"
        for key in sorted(raw):
            if key not in SERVICE_KEYS:
                problems.append(f"{where}: unknown key {key!r} (known: {', '.join(SERVICE_KEYS)})")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: needs a non-empty 'name'")
            continue
        if name in names:
            problems.append(f"{where}: the name is used twice")
        if name == SHARED:
            problems.append(f"{where}: {SHARED!r} is reserved for the shared library")
        names.add(name)
        members = _strings(raw.get("members", []), f"{where}: 'members'", problems)
        entities = _strings(raw.get("entities", []), f"{where}: 'entities'", problems)
        pinned = _strings(raw.get("pinned", []), f"{where}: 'pinned'", problems)
        services.append(PlanService(name=name, members=members, entities=entities, pinned=pinned))
    shared_raw = data.get("shared", {})
    shared: tuple[str, ...] = ()
    if not isinstance(shared_raw, dict):
        problems.append("'shared' must be a table with 'members'")
    else:
        for key in sorted(shared_raw):
            if key not in SHARED_KEYS:
                problems.append(f"shared: unknown key {key!r} (known: members)")
        shared = _strings(shared_raw.get("members", []), "shared: 'members'", problems)
    algorithm = data.get("algorithm", "plan")
    if not isinstance(algorithm, str):
        problems.append("'algorithm' must be a string")
        algorithm = "plan"
    if problems:
        raise PlanError(f"{path}: " + _summary(problems))
    return PlanDoc(path=str(path), services=tuple(services), shared=shared, algorithm=algorithm)


# -- against an analysis -------------------------------------------------------------------------


def _normalize_entity(name: str, entities: Iterable[str]) -> str | None:
    entities = set(entities)
    if name in entities:
        return name
    if "entity:" + name in entities:
        return "entity:" + name
    return None


def resolve_plan(doc: PlanDoc, analysis) -> Decomposition:
    """Check a plan against an analysis and expand its members to units."""
    from analyzer.cluster.members import MemberIndex
    from analyzer.cluster.ownership import place_models
    from analyzer.interfaces import service_of

    index = MemberIndex.build(analysis.symbols, (e.id for e in analysis.entities))
    listed = [(s.name, m) for s in doc.services for m in s.members] + [(SHARED, m) for m in doc.shared]
    if listed and all(index.normalize(m) is None for _, m in listed):
        raise PlanError(
            f"{doc.path}: none of its members exists in the analysis of {analysis.root} "
            "(a plan for another repository?)"
        )
    problems: list[str] = []
    table: dict[str, str] = {}
    origin: dict[str, str] = {}
    for svc, member in listed:
        where = "shared" if svc == SHARED else f"service {svc!r}"
        key = index.normalize(member)
        if key is None:
            problems.append(f"{where}: member {member!r} matches no module, symbol or entity")
            continue
        if key in table and table[key] != svc:
            other = "shared" if table[key] == SHARED else f"service {table[key]!r}"
            problems.append(f"{where}: member {member!r} is also in {other} (as {origin[key]!r})")
            continue
        table[key] = svc
        origin[key] = member
    entity_pins: dict[str, str] = {}
    for s in doc.services:
        for ent in s.entities:
            eid = _normalize_entity(ent, index.entities)
            if eid is None:
                problems.append(f"service {s.name!r}: entity {ent!r} is not an entity of the analysis")
            elif eid in entity_pins and entity_pins[eid] != s.name:
                problems.append(f"service {s.name!r}: entity {ent!r} is also owned by {entity_pins[eid]!r}")
            else:
                entity_pins[eid] = s.name
    if problems:
        raise PlanError(f"{doc.path}: " + _summary(problems))

    placed = index.expand(table, index.units)
    members: dict[str, list[str]] = defaultdict(list)
    shared: list[str] = []
    unlisted = 0
    for unit in sorted(index.units):
        svc = placed.get(unit)
        if svc is None:
            unlisted += 1
            shared.append(unit)  # a unit no member covers is library code until placed
        elif svc == SHARED:
            shared.append(unit)
        else:
            members[svc].append(unit)
    pinned = {s.name: {index.normalize(p) for p in s.pinned} - {None} for s in doc.services}
    services = [
        Service(
            name=s.name,
            members=tuple(members.get(s.name, ())),
            pinned=tuple(sorted(u for u in members.get(s.name, ()) if u in pinned[s.name])),
        )
        for s in doc.services
    ]
    draft = Decomposition(services=tuple(services), shared=tuple(shared), algorithm=doc.algorithm)
    # a model class the plan places keeps its place, and its entity's rows follow it; one it
    # leaves unlisted goes to its entity's owner, as clustering would put it
    owner, _, moves = place_models(analysis, service_of(analysis, draft), [s.name for s in services], index,
                                   held=placed, pinned=entity_pins)
    moved = {cls: there for cls, _, there in moves}
    owned: dict[str, list[str]] = defaultdict(list)
    for ent, svc in owner.items():
        owned[svc].append(ent)
    return Decomposition(
        services=tuple(
            dataclasses.replace(s, members=tuple(sorted([*s.members, *(c for c, t in moved.items() if t == s.name)])),
                                entities=tuple(sorted(owned.get(s.name, ()))))
            for s in sorted(services, key=lambda s: s.name)
        ),
        shared=tuple(u for u in shared if u not in moved),
        algorithm=doc.algorithm,
        params={"plan": doc.path, "unlisted_units": unlisted},
    )


def load_plan(path: Path, analysis) -> Decomposition:
    """Read a plan file and expand it against ``analysis`` (``PlanError`` on any problem)."""
    return resolve_plan(read_plan(path), analysis)


def apply_plan(analysis, path: Path):
    """A copy of ``analysis`` with the plan's decomposition and freshly computed metrics."""
    from analyzer.metrics import score

    decomposition = load_plan(path, analysis)
    clustering = dict(analysis.clustering)
    clustering.update({"plan": str(path), "k": len(decomposition.services)})
    return dataclasses.replace(
        analysis, decomposition=decomposition, metrics=score(analysis, decomposition), clustering=clustering
    )


# -- writing ----------------------------------------------------------------------------------------


def compact_members(assignment: Mapping[str, str]) -> dict[str, list[str]]:
    """label -> members, where a unit id stands for every unit below it when all of them (and
    it) share one label. Loading the result with most-specific-wins gives ``assignment`` back."""
    children: dict[str, set[str]] = defaultdict(set)
    for unit in assignment:
        parts = unit.split(".")
        for i in range(1, len(parts)):
            children[".".join(parts[:i])].add(".".join(parts[: i + 1]))
    labels_below: dict[str, set[str]] = {}

    def below(node: str) -> set[str]:
        if node in labels_below:
            return labels_below[node]
        found = {assignment[node]} if node in assignment else set()
        for child in children.get(node, ()):
            found |= below(child)
        labels_below[node] = found
        return found

    out: dict[str, list[str]] = defaultdict(list)

    def emit(node: str, inherited: str | None) -> None:
        labels = below(node)
        if node in assignment and len(labels) == 1:
            label = assignment[node]
            if label != inherited:
                out[label].append(node)
            return
        here = inherited
        if node in assignment:
            if assignment[node] != inherited:
                out[assignment[node]].append(node)
            here = assignment[node]
        for child in sorted(children.get(node, ())):
            emit(child, here)

    roots = sorted({u.split(".", 1)[0] for u in assignment})
    for r in roots:
        emit(r, None)
    return {label: sorted(members) for label, members in out.items()}


def plan_text(decomposition: Decomposition) -> str:
    import tomli_w

    compact = compact_members(decomposition.assignment())
    services = []
    for s in sorted(decomposition.services, key=lambda s: s.name):
        entry = {"name": s.name, "members": compact.get(s.name, []), "entities": sorted(s.entities)}
        if s.pinned:
            entry["pinned"] = sorted(s.pinned)
        services.append(entry)
    doc = {"schema": PLAN_SCHEMA, "algorithm": decomposition.algorithm, "service": services,
           "shared": {"members": compact.get(SHARED, [])}}
    header = (
        "# msa plan: edit members (module names or symbol ids; the most specific wins), then\n"
        "# 'msa score PLAN' or 'msa report ANALYSIS --plan PLAN'.\n"
    )
    return header + tomli_w.dumps(doc)


def write_plan(decomposition: Decomposition, path: Path) -> None:
    """Write the plan atomically (a crash leaves the old file, never half a file)."""
    from analyzer.fsutil import write_text_atomic

    write_text_atomic(Path(path), plan_text(decomposition))


__all__ = ["PlanDoc", "PlanService", "apply_plan", "compact_members", "load_plan", "plan_text",
           "read_plan", "resolve_plan", "write_plan"]
