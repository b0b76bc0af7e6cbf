"""What Peewee, Tortoise and MongoEngine models have in common, found without importing them.

A model is a project class with the library's model base among the outside bases of its
MRO (``peewee.Model``, ``tortoise.models.Model``, ``mongoengine.Document``). Its relation
fields are calls of the library's relation field classes in the class body; the target is
the first argument (``ForeignKeyField(User)``), or a string naming a model by class name
(``"models.User"``, ``"User"``, ``"self"``), resolved once all are known: the model of that
name in the same module, else the only one of that name among the library's models. Each library module says which bases, which field classes, how
tables are named and which models are abstract.
"""

from __future__ import annotations

from typing import ClassVar

from analyzer.frameworks.program import Program, outside
from analyzer.frameworks.registry import Model, Registry, RelationField, model_entity_id


class LibraryModels:
    FRAMEWORK = ""
    ROOTS: frozenset[str] = frozenset()  # top-level packages the project imports the library from
    MODEL_BASES: frozenset[str] = frozenset()  # last names of the model base classes
    NOT_MODEL_BASES: frozenset[str] = frozenset()  # last names of bases that make a class no entity
    RELATIONS: ClassVar[dict[str, str]] = {}  # relation field class last name -> fk | o2o | m2m
    TARGET = "model"  # keyword of the target argument (first positional)
    REVERSE: str | None = None  # keyword naming the accessor on the target
    MANAGERS: frozenset[str] = frozenset()  # class attributes that stand for the rows (``objects``)
    CLASS_QUERIES = False  # the model class serves the query API itself (``User.select()``)

    def __init__(self, prog: Program, reg: Registry) -> None:
        self.prog = prog
        self.reg = reg
        self.model_classes: list[str] = []
        self.raw_fields: list[tuple[str, str, RelationField]] = []  # (entity, declaring class, field)
        self._flags: dict[str, bool] = {}

    # -- which classes are models ------------------------------------------------------
    def _library(self, path: str | None) -> bool:
        return bool(path) and path.split(".")[0] in self.ROOTS  # type: ignore[union-attr]

    def is_model(self, cls: str) -> bool:
        hit = self._flags.get(cls)
        if hit is not None:
            return hit
        lasts = set()
        for v in self.prog.r.external_bases(cls):
            path = outside(v)
            if self._library(path):
                lasts.add(path.rsplit(".", 1)[-1])  # type: ignore[union-attr]
        result = bool(lasts & self.MODEL_BASES) and not lasts & self.NOT_MODEL_BASES
        self._flags[cls] = result
        return result

    def declares_fields(self, cls: str) -> bool:
        """Does the body of ``cls`` itself declare a field of the library (``CharField()``)?"""
        prog = self.prog
        module = prog.module_of(cls)
        return any(self._library(path) and path.rsplit(".", 1)[-1].endswith(("Field", "Key"))  # type: ignore
                   for _, b in prog.body_calls(cls) for path in map(outside, prog.targets(module, b.call)))

    def meta(self, cls: str, name: str) -> object:
        """A literal of the class's own ``class Meta``."""
        meta = f"{cls}.Meta"
        if self.prog.kind(meta) != "class":
            return None
        return self.prog.class_literal(meta, name, inherit=False)

    # -- per library -------------------------------------------------------------------
    def abstract(self, cls: str) -> bool:
        return False

    def table(self, cls: str) -> str | None:
        raise NotImplementedError

    def default_reverse(self, cls: str, kind: str) -> str | None:
        """The accessor on the target when the field names none."""
        return None

    def target_arg(self, call):
        """The argument naming the related model."""
        return self.prog.arg(call, 0, self.TARGET)

    def shares_parent(self, cls: str) -> bool:
        """A subclass of a concrete model that stores its rows with its parent's."""
        return False

    # -- collection --------------------------------------------------------------------
    def collect(self) -> None:
        prog = self.prog
        if not prog.uses(*self.ROOTS):
            return
        for q in sorted(q for q, d in prog.defs.items() if d.kind == "class" and not q.endswith(".Meta")):
            if self.is_model(q):
                self.model_classes.append(q)
        for q in self.model_classes:
            self._entity(q)
        for q in self.model_classes:
            self._fields(q)

    def _entity(self, cls: str) -> str | None:
        reg = self.reg
        known = reg.entity_of_class(cls)
        if known is not None:
            return known
        prog = self.prog
        d = prog.defs[cls]
        abstract = self.abstract(cls)
        if not abstract and self.shares_parent(cls):
            for b in prog.r.bases(cls):
                if b.startswith("d:") and self.is_model(b[2:]):
                    pe = self._entity(b[2:])
                    if pe is not None and not reg.models[pe].abstract:
                        reg.alias(cls, pe)
                        return pe
        eid = model_entity_id(cls)
        reg.add(Model(id=eid, name=d.name, table=None if abstract else self.table(cls), cls=cls,
                      module=prog.module_of(cls), framework=self.FRAMEWORK, line=d.line, abstract=abstract,
                      managers=set(self.MANAGERS), class_queries=self.CLASS_QUERIES))
        return eid

    def _fields(self, cls: str) -> None:
        prog = self.prog
        eid = self.reg.entity_of_class(cls)
        if eid is None:
            return
        module = prog.module_of(cls)
        for name, b in prog.body_calls(cls):
            found = self._relation_call(module, b.call)
            if found is not None:
                index, kind = found
                self._relation(eid, cls, module, name, index, b.line, kind)

    def _relation_call(self, module: str, index: int) -> tuple[int, str] | None:
        """The relation field call a field binding is (its call index and kind), else None."""
        for v in sorted(self.prog.targets(module, index)):
            path = outside(v)
            if self._library(path):
                kind = self.RELATIONS.get(path.rsplit(".", 1)[-1])  # type: ignore[union-attr]
                if kind:
                    return index, kind
        return None

    def _relation(self, eid: str, cls: str, module: str, name: str, index: int, line: int, kind: str) -> None:
        prog = self.prog
        call = prog.call(module, index)
        to = self.target_arg(call)
        raw: str | None = None
        target: str | None = None
        if to is not None:
            lit = prog.literal(module, call.scope, to)
            if isinstance(lit, str):
                raw = lit
            elif to.expr:
                for v in sorted(prog.r.eval(call.scope, to.expr)):
                    if v.startswith("d:") and self.is_model(v[2:]):
                        target = self._entity(v[2:])
                        break
                if target is None:
                    raw = to.expr
        reverse = prog.literal(module, call.scope, prog.arg(call, None, self.REVERSE)) if self.REVERSE else None
        if reverse is None:
            reverse = self.default_reverse(cls, kind)
        self.raw_fields.append((eid, cls, RelationField(
            name=name, target=target, kind=kind, line=line, module=module,
            reverse=reverse if isinstance(reverse, str) and reverse and not reverse.startswith("+") else None,
            raw=raw)))

    # -- linking -----------------------------------------------------------------------
    def link(self) -> None:
        """Resolve the targets named by strings, give each concrete model the fields of its
        ancestors (and of the subclasses sharing its rows), record relations and accessors."""
        reg = self.reg
        declared: dict[str, list[RelationField]] = {}
        for eid, cls, f in self.raw_fields:
            target = f.target
            if target is None and f.raw:
                local = f"{self.prog.module_of(cls)}.{f.raw.strip().rsplit('.', 1)[-1]}"
                if f.raw == "self":
                    target = eid
                elif local in self.model_classes:  # a model of the same module first
                    target = self.reg.entity_of_class(local)
                else:
                    target = self.resolve_ref(f.raw)
                if target is None:
                    reg.unresolved_relations.append((eid, f.raw))
                    continue
            if target is None:
                continue
            declared.setdefault(cls, []).append(RelationField(f.name, target, f.kind, f.line, f.module, f.reverse,
                                                              f.raw))
        sharing: dict[str, list[str]] = {}
        for q in self.model_classes:
            eid = reg.entity_of_class(q)
            if eid is not None and reg.models[eid].cls != q:
                sharing.setdefault(eid, []).append(q)
        for m in sorted(reg.models.values(), key=lambda m: m.id):
            if m.framework != self.FRAMEWORK or not m.cls:
                continue
            owners = [c for c in self.prog.r.mro(m.cls) if c in declared] if not m.abstract else [m.cls]
            owners += sharing.get(m.id, [])
            for c in owners:
                for f in declared.get(c, ()):
                    target = f.target
                    if target is None or target not in reg.models:
                        continue
                    m.fields.setdefault(f.name, f)
                    if m.abstract:
                        continue
                    if f.reverse:
                        reg.models[target].reverse.setdefault(f.reverse, m.id)
                    if target != m.id:
                        reg.relate(m.id, target, f.line, f.kind)

    def resolve_ref(self, raw: str) -> str | None:
        """A model named by class name, alone or after an app label (``"models.User"``),
        unique among the library's concrete models."""
        name = raw.strip().rsplit(".", 1)[-1]
        found = [m.id for m in self.reg.models.values() if m.framework == self.FRAMEWORK and m.cls and m.name == name]
        if not found:
            found = [m.id for m in self.reg.models.values()
                     if m.framework == self.FRAMEWORK and m.cls and m.name.lower() == name.lower()]
        return found[0] if len(found) == 1 else None
