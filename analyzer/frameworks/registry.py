"""The entities found in a program, and what is known about each.

Filled by the ORM detectors (Django, SQLAlchemy, Peewee, Tortoise, MongoEngine) and by the raw-SQL pass, read by the
access analysis: which class is which entity, which table belongs to which entity, which
attribute of an entity leads to another entity (foreign keys, relationships, reverse
accessors), and which manager / queryset classes serve which entities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.model import Entity

TABLE_PREFIX = "entity:table:"


def model_entity_id(qualname: str) -> str:
    return f"entity:{qualname}"


def table_entity_id(table: str) -> str:
    return f"{TABLE_PREFIX}{table.lower()}"


@dataclass(frozen=True, slots=True)
class RelationField:
    """An attribute of a model that leads to another entity."""

    name: str
    target: str | None  # entity id, once resolved
    kind: str  # fk | o2o | m2m | relationship | parent
    line: int
    module: str
    reverse: str | None = None  # accessor on the target leading back
    raw: str | None = None  # the target as written (``"app.Model"``), for later resolution
    secondary: str | None = None  # association table entity (SQLAlchemy ``secondary=``)
    declared: bool = True  # False for relations implied by inheritance


@dataclass(slots=True)
class Model:
    """An entity under construction (mutable until the registry is frozen into Entities)."""

    id: str
    name: str
    table: str | None
    cls: str | None
    module: str | None
    framework: str
    line: int = 0
    abstract: bool = False
    app_label: str | None = None
    fields: dict[str, RelationField] = field(default_factory=dict)
    reverse: dict[str, str] = field(default_factory=dict)  # accessor -> source entity id
    managers: set[str] = field(default_factory=lambda: {"objects", "_default_manager", "_base_manager"})
    class_queries: bool = False  # the class serves the query API itself (Peewee's ``User.select()``)


def _unnamed(model: Model) -> bool:
    """A model class whose table the analysis cannot name (see Registry.model_of_table)."""
    return model.table is None and bool(model.cls) and not model.abstract


class Registry:
    def __init__(self) -> None:
        self.models: dict[str, Model] = {}
        self.by_class: dict[str, str] = {}  # class qualname -> entity id (proxies -> concrete)
        self.by_table: dict[str, str] = {}  # lower-case table name -> entity id
        self.manager_classes: dict[str, set[str]] = {}  # manager/queryset class -> entity ids
        self.table_sites: dict[tuple[str, int], str] = {}  # (module, call index of Table(...)) -> id
        self.relations: list[tuple[str, str, int, str]] = []  # (source, target, line, kind)
        self.unresolved_relations: list[tuple[str, str]] = []  # (source entity, target as written)
        self.outside_relations: list[tuple[str, str]] = []  # to models outside the project
        self._unnamed: dict[str, list[str]] | None = None  # see model_of_table

    # -- building ----------------------------------------------------------------------
    def add(self, model: Model) -> Model:
        existing = self.models.get(model.id)
        if existing is not None:
            return existing
        self.models[model.id] = model
        if _unnamed(model):
            self._unnamed = None  # rebuilt when next asked; a table entity never enters it
        if model.cls:
            self.by_class[model.cls] = model.id
        if model.table and not model.abstract:
            self.by_table.setdefault(model.table.lower(), model.id)
        return model

    def alias(self, cls: str, entity: str) -> None:
        """A class that stands for another class's entity (proxy, single-table subclass)."""
        self.by_class[cls] = entity

    def model_of_table(self, table: str) -> str | None:
        """The model a table name stands for: the one mapped to it, else the one model whose
        table is computed at run time (``__tablename__`` a project function of the class
        name) and whose class name is the table's without underscores, in the singular or
        the plural (``individual_contact`` -> IndividualContact, ``incidents`` -> Incident)."""
        key = table.lower()
        found = self.by_table.get(key)
        if found is not None:
            return found
        if self._unnamed is None:
            self._unnamed = {}
            for m in self.models.values():
                if _unnamed(m):
                    self._unnamed.setdefault(m.name.lower(), []).append(m.id)
        plain = key.replace("_", "")
        for name in (plain, plain[:-1] if plain.endswith("s") else None,
                     plain[:-2] if plain.endswith("es") else None):
            hits = self._unnamed.get(name) if name else None
            if hits is not None:
                return hits[0] if len(hits) == 1 else None
        return None

    def table_entity(self, table: str, module: str | None, line: int, framework: str = "sql") -> str:
        """The entity of a table name: the model mapped to it, else a table entity."""
        key = table.lower()
        found = self.model_of_table(key)
        if found is not None:
            return found
        eid = table_entity_id(key)
        self.add(Model(id=eid, name=key, table=key, cls=None, module=module, framework=framework, line=line,
                       managers=set()))
        return eid

    def relate(self, source: str, target: str, line: int, kind: str) -> None:
        self.relations.append((source, target, line, kind))

    # -- queries -----------------------------------------------------------------------
    def entity_of_class(self, cls: str) -> str | None:
        return self.by_class.get(cls)

    def model(self, entity: str) -> Model | None:
        return self.models.get(entity)

    def framework(self, entity: str) -> str | None:
        m = self.models.get(entity)
        return m.framework if m else None

    def entities(self) -> list[Entity]:
        return [
            Entity(id=m.id, name=m.name, table=m.table, model=m.cls, module=m.module, framework=m.framework,
                   line=m.line, abstract=m.abstract)
            for m in sorted(self.models.values(), key=lambda m: m.id)
        ]
