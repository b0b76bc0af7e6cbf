"""SQLAlchemy models and tables: declarative classes, ``Table(...)`` objects, foreign keys
and relationships, found without importing SQLAlchemy.

A declarative base is a class that directly extends ``DeclarativeBase`` (or is decorated
with ``as_declarative``), the result of ``declarative_base()`` / ``registry().generate_base()``,
Flask-SQLAlchemy's ``db.Model``, or SQLModel's ``SQLModel`` with ``table=True``. Every
project class below a base is a model, except bases themselves and ``__abstract__`` classes.
A base a library makes (advanced-alchemy, Flask-AppBuilder) is not seen: below an outside
class, a class with a table name and SQLAlchemy columns (its own or its ancestors') is a model.
A base's ``@declared_attr __tablename__`` returning ``cls.__name__[.lower()]`` names each
model's table. A subclass without its own ``__tablename__`` below a mapped model is single-table
inheritance and shares its parent's entity; with its own table it is joined inheritance
and gets a relation to its parent.
"""

from __future__ import annotations

import re

from analyzer.facts import annotation_items, annotation_members, is_template
from analyzer.frameworks.program import Program, outside, tail
from analyzer.frameworks.registry import Model, Registry, RelationField, model_entity_id, table_entity_id

FRAMEWORK = "sqlalchemy"
_ROOTS = frozenset({"sqlalchemy", "flask_sqlalchemy", "sqlmodel"})
_BASE_CLASSES = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})
_BASE_FACTORIES = frozenset({"declarative_base", "generate_base"})
_RELATIONSHIPS = frozenset({"relationship", "relation", "dynamic_loader", "Relationship"})
_COLUMNS = frozenset({"Column", "mapped_column", "column_property", "Field"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """Flask-SQLAlchemy's default table name: ``OrderLine`` -> ``order_line``."""
    return _CAMEL.sub("_", name).lower()


def _sqla(path: str | None) -> bool:
    return bool(path) and path.split(".")[0] in _ROOTS  # type: ignore[union-attr]


def is_sqla_callable(values, lasts: frozenset[str] | set[str]) -> bool:
    for v in values:
        path = outside(v)
        if _sqla(path) and path.rsplit(".", 1)[-1] in lasts:  # type: ignore[union-attr]
            return True
    return False


# Flask-SQLAlchemy's plain model class: ``db.Model`` is made from it (or from a project
# subclass given as ``model_class=`` / ``declarative_base(cls=...)``); subclassing it maps nothing
_FLASK_MODEL_MIXINS = frozenset({"flask_sqlalchemy.model.Model", "flask_sqlalchemy.Model"})


class SqlAlchemyModels:
    def __init__(self, prog: Program, reg: Registry) -> None:
        self.prog = prog
        self.reg = reg
        self.model_classes: list[str] = []
        self._kind: dict[str, str | None] = {}
        self.raw_fields: list[tuple[str, str, RelationField]] = []  # (entity, class, field)
        self.fk_sites: list[tuple[str, str, int, str]] = []  # (entity, module, call index, class scope)

    # -- classification ----------------------------------------------------------------
    def flavour(self, cls: str) -> str | None:
        """``declarative`` / ``flask`` / ``sqlmodel`` when ``cls`` is below a declarative base."""
        if cls in self._kind:
            return self._kind[cls]
        prog = self.prog
        found = None
        for v in sorted(prog.all_bases(cls)):
            path = outside(v)
            if not _sqla(path):
                continue
            last = path.rsplit(".", 1)[-1]
            if v.startswith("x:") and last in _BASE_CLASSES or v.startswith("xi:") and last in _BASE_FACTORIES:
                found = "declarative"
            elif path.startswith("flask_sqlalchemy.") and last == "Model":
                found = "flask"
            elif path.startswith("sqlmodel.") and last == "SQLModel":
                found = "sqlmodel"
            if found:
                break
        if found is None:
            for c in prog.r.mro(cls):
                if self._decorated(c, "as_declarative") or self._decorated(c, "mapped"):
                    found = "declarative"
                    break
        if found is None and self._library_model(cls):
            found = "declarative"
        self._kind[cls] = found
        return found

    def _library_model(self, cls: str) -> bool:
        """A model of a declarative base that a library makes and we cannot see into
        (advanced-alchemy's ``UUIDBase``, Flask-AppBuilder's ``Model``): a class below an
        outside class, with a table name and SQLAlchemy columns, its own or its project
        ancestors'."""
        prog = self.prog
        if not any(v.startswith("x:") for v in prog.all_bases(cls)):
            return False
        mro = [c for c in prog.r.mro(cls) if c in prog.defs]
        if not any(isinstance(prog.class_literal(c, "__tablename__", inherit=False), str)
                   or prog.bindings(c, "__table__") for c in mro):
            return False
        return any(self._has_columns(c) for c in mro)

    def _has_columns(self, cls: str) -> bool:
        prog = self.prog
        module = prog.module_of(cls)
        return any(is_sqla_callable(prog.targets(module, b.call), _COLUMNS | _RELATIONSHIPS)
                   for _, b in prog.body_calls(cls))

    def _decorated(self, cls: str, name: str) -> bool:
        d = self.prog.defs.get(cls)
        if d is None:
            return False
        parent = self.prog.parent_scope(cls)
        for dec in d.decorators:
            if dec.expr and dec.expr.rsplit(".", 1)[-1] == name and \
                    any(_sqla(outside(v)) for v in self.prog.r.eval(parent, dec.expr)):
                return True
        return False

    def is_base(self, cls: str) -> bool:
        """A declarative base itself (it maps nothing)."""
        prog = self.prog
        d = prog.defs[cls]
        parent = prog.parent_scope(cls)
        for b in d.bases:
            if not b:
                continue
            for v in prog.r.eval(parent, b):
                path = outside(v)
                if v.startswith("x:") and _sqla(path) and path.rsplit(".", 1)[-1] in _BASE_CLASSES:  # type: ignore
                    return True
                if v.startswith("x:") and path in _FLASK_MODEL_MIXINS:
                    return True  # the project's ``model_class=`` for db.Model, a mixin mapping nothing
        return self._decorated(cls, "as_declarative")

    # -- collection --------------------------------------------------------------------
    def collect(self) -> None:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return
        for q in sorted(q for q, d in prog.defs.items() if d.kind == "class"):
            flavour = self.flavour(q)
            if flavour is None or self.is_base(q):
                continue
            if flavour == "sqlmodel" and not self._sqlmodel_table(q):
                continue
            self.model_classes.append(q)
        for q in self.model_classes:
            self._entity(q)
        for q in self.model_classes:
            self._fields(q)
        self._foreign_keys()
        self._tables()
        self._imperative()

    def _foreign_keys(self) -> None:
        """``ForeignKey(...)`` calls in model class bodies (inside ``mapped_column``/``Column``)."""
        prog = self.prog
        owners = {}
        for q in self.model_classes:
            eid = self.reg.entity_of_class(q)
            if eid is not None and self.reg.models[eid].cls == q:
                owners[q] = eid
        for module in sorted({prog.module_of(q) for q in owners}):
            for i, c in enumerate(prog.facts[module].calls):
                eid = owners.get(c.scope)
                if eid is not None and tail(c.callee) == "ForeignKey" and \
                        is_sqla_callable(prog.targets(module, i), {"ForeignKey"}):
                    self.fk_sites.append((eid, module, i, c.scope))

    def _sqlmodel_table(self, cls: str) -> bool:
        for c in self.prog.r.mro(cls):
            d = self.prog.defs.get(c)
            if d and any(k.keyword == "table" and k.value is True for k in d.keywords):
                return True
        return False

    def _entity(self, cls: str) -> str | None:
        reg = self.reg
        known = reg.entity_of_class(cls)
        if known is not None:
            return known
        if cls not in self.model_classes:
            return None
        prog = self.prog
        d = prog.defs[cls]
        module = prog.module_of(cls)
        own = prog.class_literal(cls, "__tablename__", inherit=False)
        table = own if isinstance(own, str) else self._table_of(cls)
        parents = [b[2:] for b in prog.r.bases(cls) if b.startswith("d:") and b[2:] in self.model_classes]
        abstract = prog.class_literal(cls, "__abstract__", inherit=False) is True
        if table is None and not abstract:
            for p in parents:
                pe = self._entity(p)
                if pe is not None and not reg.models[pe].abstract:
                    reg.alias(cls, pe)  # single-table inheritance: the parent's rows
                    return pe
            inherited = prog.class_literal(cls, "__tablename__")
            if isinstance(inherited, str):
                table = inherited
            elif (declared := self._declared_table(cls)) is not None:
                table = declared
            elif self.flavour(cls) == "flask" and "__tablename__" not in prog.methods_in_mro(cls):
                table = snake(d.name)
            elif self.flavour(cls) == "sqlmodel":
                table = d.name.lower()
        eid = model_entity_id(cls)
        reg.add(Model(id=eid, name=d.name, table=None if abstract else table, cls=cls, module=module,
                      framework=FRAMEWORK, line=d.line, abstract=abstract, managers={"query"}))
        if not abstract:
            for p in parents:
                pe = self._entity(p)
                if pe is not None and pe != eid and not reg.models[pe].abstract:
                    reg.relate(eid, pe, d.line, "parent")
        return eid

    def _declared_table(self, cls: str) -> str | None:
        """A base's ``@declared_attr def __tablename__(cls)`` run for ``cls``: it returns a
        literal, ``cls.__name__`` or ``cls.__name__.lower()`` (SQLAlchemy calls it once per
        mapped class, with that class)."""
        prog = self.prog
        method = prog.methods_in_mro(cls).get("__tablename__")
        d = prog.defs.get(method) if method is not None else None
        if d is None or not d.params:
            return None
        name = prog.defs[cls].name
        own = f"{d.params[0].name}.__name__"
        for b in prog.bindings(method, "<return>"):
            if isinstance(b.value, str) and not is_template(b.value):
                return b.value
            if b.expr == own:
                return name
            if b.expr == f"{own}.lower()":
                return name.lower()
        return None

    def _table_of(self, cls: str) -> str | None:
        """``__table__ = Table("name", ...)`` in the class body."""
        prog = self.prog
        module = prog.module_of(cls)
        for b in prog.bindings(cls, "__table__"):
            if b.call is not None and is_sqla_callable(prog.targets(module, b.call), {"Table"}):
                name = prog.literal_str(module, cls, prog.arg(prog.call(module, b.call), 0, "name"))
                if name:
                    return name
        return None

    def _fields(self, cls: str) -> None:
        prog = self.prog
        reg = self.reg
        eid = reg.entity_of_class(cls)
        if eid is None or reg.models[eid].cls != cls:
            return
        module = prog.module_of(cls)
        for name, b in prog.body_calls(cls):
            if is_sqla_callable(prog.targets(module, b.call), _RELATIONSHIPS):
                self._relationship(eid, cls, module, name, b)

    def _relationship(self, eid: str, cls: str, module: str, name: str, b) -> None:
        prog = self.prog
        call = prog.call(module, b.call)
        arg = prog.arg(call, 0, "argument")
        raw = None
        target = None
        if arg is not None:
            lit = prog.literal(module, cls, arg)
            if isinstance(lit, str):
                raw = lit
            elif arg.expr:
                target = self._class_entity(cls, arg.expr)
        if target is None and raw is None and b.annotation:
            # ``Mapped[list["Item"]]``: the related class is the items' (one, or a union's first)
            related = annotation_members(annotation_items(b.annotation) or b.annotation)[0]
            target = self._class_entity(cls, related)
            if target is None:
                raw = related
        back = prog.literal(module, cls, prog.arg(call, None, "back_populates"))
        if not isinstance(back, str):
            back = prog.literal(module, cls, prog.arg(call, None, "backref"))
        secondary = None
        sec = prog.arg(call, None, "secondary")
        if sec is not None:
            lit = prog.literal(module, cls, sec)
            if isinstance(lit, str):
                secondary = lit
            elif sec.expr:
                secondary = self._table_var(cls, sec.expr)
        self.raw_fields.append((eid, cls, RelationField(
            name=name, target=target, kind="relationship", line=b.line, module=module,
            reverse=back if isinstance(back, str) else None, raw=raw, secondary=secondary)))

    def _class_entity(self, cls: str, expr: str) -> str | None:
        """The entity of a class named in the body of ``cls`` (evaluated where ``cls`` is)."""
        return self._entity_of_expr(self.prog.parent_scope(cls), expr)

    def _entity_of_expr(self, scope: str, expr: str) -> str | None:
        for v in sorted(self.prog.r.eval(scope, expr)):
            if v.startswith("d:"):
                e = self._entity(v[2:])
                if e:
                    return e
        return None

    def _table_var(self, scope: str, expr: str) -> str | None:
        key = self.prog.locate(scope, expr)
        site = self.prog.binding_call(key) if key else None
        if site is None:
            return None
        module, index = site
        call = self.prog.call(module, index)
        name = self.prog.literal_str(module, call.scope, self.prog.arg(call, 0, "name"))
        return name

    def _tables(self) -> None:
        """``Table("name", metadata, Column(..., ForeignKey("t.id")))`` objects."""
        prog = self.prog
        factories: set[str] = set()
        for site in prog.named(["Table"]):
            module, i, c = site.module, site.index, site.call
            if not is_sqla_callable(prog.targets(module, i), {"Table"}):
                continue
            if not self._table_site(module, i, c) and self._forwards_its_name(c):
                factories.add(c.scope)
        for factory in sorted(factories):
            for site in prog.named([factory.rsplit(".", 1)[-1]]):
                if f"d:{factory}" in prog.targets(site.module, site.index):
                    self._table_site(site.module, site.index, site.call)

    def _forwards_its_name(self, c) -> bool:
        """Is this ``Table(...)`` call a project function's, handing on the name it was
        given (buildbot's ``sautils.Table(*args, **kwargs)`` returns ``sa.Table(*args,
        **kwargs)`` and defines every table through it)?"""
        d = self.prog.defs.get(c.scope)
        if d is None or d.kind not in ("function", "method") or not d.params or not c.args:
            return False
        first = c.args[0]
        if first.keyword is not None or not first.expr:
            return False
        if first.star == 1:
            return any(p.kind == "var_positional" and p.name == first.expr for p in d.params)
        return not first.star and d.params[0].name == first.expr

    def _table_site(self, module: str, i: int, c) -> bool:
        """Register the table a call with a literal name makes; whether it had one."""
        prog = self.prog
        reg = self.reg
        name = prog.literal_str(module, c.scope, prog.arg(c, 0, "name"))
        if not name:
            return False
        owner = reg.model_of_table(name)
        eid = owner or reg.table_entity(name, module, c.line, framework=FRAMEWORK)
        reg.table_sites[(module, i)] = eid
        first = c.first if c.first is not None else i
        for j in range(first, i):
            if is_sqla_callable(prog.targets(module, j), {"ForeignKey"}):
                self.fk_sites.append((eid, module, j, c.scope))
        return True

    def _imperative(self) -> None:
        """Classic (imperative) mappings, ``registry.map_imperatively(Package, package_table)``
        and ``mapper(Package, package_table)`` (ckan): the class maps the table's entity, so
        its rows and queries are that entity's."""
        prog = self.prog
        reg = self.reg
        for site in prog.named(["map_imperatively", "mapper"]):
            module, i, c = site.module, site.index, site.call
            if not is_sqla_callable(prog.targets(module, i), {"map_imperatively", "mapper"}):
                continue
            cls_arg, table_arg = prog.arg(c, 0, "class_"), prog.arg(c, 1, "local_table")
            if cls_arg is None or table_arg is None or not cls_arg.expr or not table_arg.expr:
                continue
            classes = sorted(v[2:] for v in prog.r.eval(c.scope, cls_arg.expr)
                             if v.startswith("d:") and prog.kind(v[2:]) == "class")
            key = prog.locate(c.scope, table_arg.expr)
            made = prog.binding_call(key) if key else None
            eid = reg.table_sites.get(made) if made is not None else None
            if eid is None or len(classes) != 1 or classes[0] in reg.by_class:
                continue
            m = reg.models[eid]
            if m.cls is None:
                m.cls, m.name = classes[0], classes[0].rsplit(".", 1)[-1]
            reg.alias(classes[0], eid)

    # -- linking -----------------------------------------------------------------------
    def link(self) -> None:
        prog = self.prog
        reg = self.reg
        by_name: dict[str, set[str]] = {}
        for m in reg.models.values():
            if m.framework == FRAMEWORK and m.cls:
                by_name.setdefault(m.name, set()).add(m.id)
        for eid, module, index, scope in self.fk_sites:
            call = prog.call(module, index)
            arg = prog.arg(call, 0, "column")
            target = None
            lit = prog.literal(module, scope, arg)
            if isinstance(lit, str):
                parts = lit.split(".")
                if len(parts) >= 2:
                    target = reg.model_of_table(parts[-2])
                    if target is None:
                        reg.unresolved_relations.append((eid, lit))
            elif arg is not None and arg.expr and "." in arg.expr:
                target = self._entity_of_expr(scope, arg.expr.rsplit(".", 1)[0])
            if target is not None:
                reg.relate(eid, target, call.line, "fk")
        fk_pairs = {frozenset((s, t)) for s, t, _, kind in reg.relations if kind == "fk"}
        pending: list[tuple[str, RelationField]] = []
        for eid, cls, f in self.raw_fields:
            target = f.target or self._resolve_name(f.raw, cls, by_name)
            f = RelationField(f.name, target, f.kind, f.line, f.module, f.reverse, f.raw,
                              self._secondary(f.secondary, f.module, f.line))
            reg.models[eid].fields[f.name] = f
            if target is None:
                pending.append((eid, f))
        # ``relationship(back_populates="x")`` without a target: the other side names it
        for eid, f in pending:
            found = None
            if f.reverse:
                for other in sorted(reg.models.values(), key=lambda m: m.id):
                    g = other.fields.get(f.reverse)
                    if g is not None and g.target == eid and g.reverse == f.name:
                        found = other.id
                        break
            if found is None:
                if f.raw:
                    reg.unresolved_relations.append((eid, f.raw))
                continue
            reg.models[eid].fields[f.name] = RelationField(f.name, found, f.kind, f.line, f.module, f.reverse,
                                                            f.raw, f.secondary)
        for m in sorted(reg.models.values(), key=lambda m: m.id):
            if m.framework != FRAMEWORK:
                continue
            for f in sorted(m.fields.values(), key=lambda f: f.name):
                if f.target is None:
                    continue
                if f.reverse and f.target in reg.models:
                    reg.models[f.target].reverse.setdefault(f.reverse, m.id)
                if f.secondary:
                    reg.relate(m.id, f.secondary, f.line, "m2m")
                elif frozenset((m.id, f.target)) not in fk_pairs and f.target != m.id:
                    reg.relate(m.id, f.target, f.line, "relationship")

    def resolve_ref(self, raw: str) -> str | None:
        """A model named by class name (unique among SQLAlchemy models) or dotted path."""
        if "." in raw:
            q = self.prog.resolve_dotted(raw)
            return self.reg.entity_of_class(q) if q else None
        found = [m.id for m in self.reg.models.values() if m.framework == FRAMEWORK and m.cls and m.name == raw]
        return found[0] if len(found) == 1 else None

    def _resolve_name(self, raw: str | None, cls: str, by_name: dict[str, set[str]]) -> str | None:
        if not raw:
            return None
        name = raw.strip()
        if "." in name:
            q = self.prog.resolve_dotted(name)
            if q is not None:
                return self.reg.entity_of_class(q)
            name = name.rsplit(".", 1)[-1]
        if not name.isidentifier():
            return None
        module = self.prog.module_of(cls)
        local = self.reg.entity_of_class(f"{module}.{name}")
        if local:
            return local
        same = by_name.get(name, set())
        return next(iter(same)) if len(same) == 1 else None

    def _secondary(self, secondary: str | None, module: str, line: int) -> str | None:
        if not secondary:
            return None
        table = secondary.rsplit(".", 1)[-1]
        return self.reg.table_entity(table, module, line, FRAMEWORK)


__all__ = ["SqlAlchemyModels", "snake", "table_entity_id"]
