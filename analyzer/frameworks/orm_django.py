"""Django models: entities, tables, relations and managers, found without importing Django.

A class is a model when an outside base anywhere in its MRO is Django's ``Model`` (or an
abstract user model), or when it extends some outside class and declares Django model
fields (a Wagtail ``Page``, an ``MPTTModel``) or a ``class Meta`` with an option only models
take (``db_table``: a django CMS page extension that adds no field). ``class Meta`` decides the rest:
``abstract = True`` models are not tables (their fields are inherited), ``proxy = True``
models share their concrete model's entity, ``db_table`` names the table, otherwise it is
``<app_label>_<model name lower-case>``. A concrete model extending another concrete model
(multi-table inheritance) gets its own table and a relation to its parent.
"""

from __future__ import annotations

from analyzer.frameworks.program import Program, matches, outside
from analyzer.frameworks.registry import Model, Registry, RelationField, model_entity_id

FRAMEWORK = "django"
_MODEL_LASTS = frozenset({"Model", "AbstractBaseUser", "AbstractUser", "PermissionsMixin", "User", "Group",
                          "Permission", "Site", "ContentType"})
# segments of a library base path whose classes declare fields without being models: forms,
# serializers, django-import-export's resources (``fields.Field(...)`` on a ``ModelResource``)
_NOT_MODEL_SEGMENTS = frozenset({"forms", "serializers", "filters", "filtersets", "wtforms", "marshmallow",
                                 "graphene", "graphene_django", "admin", "views", "widgets", "import_export",
                                 "resources"})
# ``class Meta`` options that only a Django model takes (forms, serializers, filters, tables
# and factories name ``model`` and ``fields``); ``indexes`` and ``constraints`` are left out,
# since Peewee's models take them too
_MODEL_META = frozenset({"db_table", "db_table_comment", "db_tablespace", "unique_together", "index_together",
                         "get_latest_by", "managed", "default_related_name", "order_with_respect_to",
                         "verbose_name_plural", "base_manager_name", "default_manager_name", "select_on_save"})
# outside packages whose classes are another ORM's models or no models at all
_OTHER_ORMS = frozenset({"peewee", "playhouse", "sqlalchemy", "flask_sqlalchemy", "sqlmodel", "mongoengine",
                         "tortoise", "pony", "ormar", "piccolo", "beanie", "odmantic", "pydantic"})


def relation_kind(path: str) -> str | None:
    """fk | o2o | m2m for a field class's dotted path, None for other fields."""
    last = path.rsplit(".", 1)[-1]
    if last.endswith("ManyToManyField") or last in ("TaggableManager", "SortedManyToManyField"):
        return "m2m"
    if last.endswith("OneToOneField"):
        return "o2o"
    if last == "GenericForeignKey":
        return None  # names its content-type and id fields, not a model
    if last.endswith("ForeignKey") or last in ("ParentalKey", "ForeignObject"):
        return "fk"
    return None


def _is_field_path(path: str) -> bool:
    parts = path.split(".")
    last = parts[-1]
    if not (last.endswith("Field") or relation_kind(path)):
        return False
    if _NOT_MODEL_SEGMENTS & set(parts):
        return False
    if parts[0] == "django":
        return "models" in parts
    return "models" in parts or "fields" in parts or relation_kind(path) is not None


class DjangoModels:
    """Finds the Django models of a program and links their relations."""

    def __init__(self, prog: Program, reg: Registry) -> None:
        self.prog = prog
        self.reg = reg
        self.flags: dict[str, bool] = {}
        self.labels = _AppLabels(prog)
        self.raw_fields: list[tuple[str, str, RelationField]] = []  # (entity, declaring class, field)
        self.model_classes: list[str] = []
        self.by_label: dict[tuple[str, str], str] = {}  # (app label, model name) lower-case -> entity
        self.by_name: dict[str, set[str]] = {}

    # -- which classes are models ------------------------------------------------------
    def is_model(self, cls: str) -> bool:
        hit = self.flags.get(cls)
        if hit is not None:
            return hit
        self.flags[cls] = False
        prog = self.prog
        ext = [outside(v) for v in prog.r.external_bases(cls)]
        ext = [p for p in ext if p]
        result = False
        for path in ext:
            parts = path.split(".")
            if parts[0] == "django" and (parts[-1] in _MODEL_LASTS or
                                         (parts[-1].startswith("Abstract") and "models" in parts)):
                result = True
                break
        # a base a library makes (not Django's own ``Func``, ``Aggregate``, ``Lookup``...)
        if not result and ext and not any(_NOT_MODEL_SEGMENTS & set(p.split(".")) or p.startswith("django.")
                                          for p in ext):
            mro = prog.r.mro(cls)
            result = any(self._declares_fields(c) for c in mro) or (
                not any(p.split(".", 1)[0] in _OTHER_ORMS for p in ext)
                and any(self._model_meta(c) for c in mro))
        self.flags[cls] = result
        return result

    def _declares_fields(self, cls: str) -> bool:
        prog = self.prog
        module = prog.module_of(cls)
        return any(path and _is_field_path(path)
                   for _, b in prog.body_calls(cls) for path in map(outside, prog.targets(module, b.call)))

    def _model_meta(self, cls: str) -> bool:
        """Does ``cls`` have a ``class Meta`` naming an option only models take?"""
        meta = f"{cls}.Meta"
        if self.prog.kind(meta) != "class":
            return False
        return any(self.prog.bindings(meta, name) for name in _MODEL_META)

    # -- collection --------------------------------------------------------------------
    def collect(self) -> None:
        prog = self.prog
        if not prog.uses("django"):
            return
        classes = sorted(q for q, d in prog.defs.items() if d.kind == "class" and not q.endswith(".Meta"))
        for q in classes:
            if self.is_model(q):
                self.model_classes.append(q)
        for q in self.model_classes:
            self._entity(q)
        for q in self.model_classes:
            self._fields(q)

    def _meta(self, cls: str, name: str) -> object:
        meta = f"{cls}.Meta"
        if self.prog.kind(meta) != "class":
            return None
        return self.prog.class_literal(meta, name, inherit=False)

    def _entity(self, cls: str) -> str | None:
        """The entity id of a model class (creating it), following proxies to the concrete model."""
        reg = self.reg
        known = reg.entity_of_class(cls)
        if known is not None:
            return known
        prog = self.prog
        d = prog.defs[cls]
        module = prog.module_of(cls)
        parents = [b[2:] for b in prog.r.bases(cls) if b.startswith("d:") and self.is_model(b[2:])]
        if self._meta(cls, "proxy") is True:
            for p in parents:
                target = self._entity(p)
                if target is not None and not reg.models[target].abstract:
                    reg.alias(cls, target)
                    return target
        abstract = self._meta(cls, "abstract") is True
        label = self._meta(cls, "app_label")
        label = label if isinstance(label, str) else self.labels.label(module)
        table = self._meta(cls, "db_table")
        if not isinstance(table, str):
            table = None if abstract else f"{label}_{d.name.lower()}"
        eid = model_entity_id(cls)
        reg.add(Model(id=eid, name=d.name, table=table, cls=cls, module=module, framework=FRAMEWORK, line=d.line,
                      abstract=abstract, app_label=label))
        if not abstract:
            for p in parents:
                pe = self._entity(p)
                if pe is not None and not reg.models[pe].abstract and pe != eid:
                    reg.relate(eid, pe, d.line, "parent")
                    reg.models[eid].fields.setdefault(
                        f"{reg.models[pe].name.lower()}_ptr",
                        RelationField(f"{reg.models[pe].name.lower()}_ptr", pe, "parent", d.line, module,
                                      reverse=d.name.lower(), declared=False))
                    reg.models[pe].reverse.setdefault(d.name.lower(), eid)
        return eid

    def _fields(self, cls: str) -> None:
        prog = self.prog
        reg = self.reg
        eid = reg.entity_of_class(cls)
        if eid is None or reg.models[eid].cls != cls:
            return  # a proxy: its fields are its concrete model's
        module = prog.module_of(cls)
        for name, b in prog.body_calls(cls):
            call = prog.call(module, b.call)
            targets = prog.targets(module, b.call)
            kind = self._relation_kind(targets)
            if kind is not None:
                self._relation(eid, cls, module, name, call, b.line, kind)
            elif self._is_manager(module, b.call, targets, eid):
                reg.models[eid].managers.add(name)

    def _relation_kind(self, targets) -> str | None:
        for v in sorted(targets):
            path = outside(v)
            if path:
                kind = relation_kind(path)
                if kind:
                    return kind
            elif v.startswith("d:") and self.prog.kind(v[2:]) == "class":
                for ext in self.prog.r.external_bases(v[2:]):
                    p = outside(ext)
                    kind = relation_kind(p) if p else None
                    if kind:
                        return kind
        return None

    def _relation(self, eid: str, cls: str, module: str, name: str, call, line: int, kind: str) -> None:
        prog = self.prog
        to = prog.arg(call, 0, "to")
        raw: str | None = None
        target: str | None = None
        if to is not None:
            lit = prog.literal(module, call.scope, to)
            if isinstance(lit, str):
                raw = lit
            elif to.expr:
                library = None
                for v in sorted(prog.r.eval(call.scope, to.expr)):
                    if v.startswith("d:"):
                        target = self._entity(v[2:]) if self.is_model(v[2:]) else None
                        if target:
                            break
                    path = outside(v)
                    if path == "django.conf.settings.AUTH_USER_MODEL":
                        setting = prog.setting("AUTH_USER_MODEL")
                        raw = setting if isinstance(setting, str) else "auth.User"
                    elif path is not None and v.startswith("x:"):
                        library = path  # ``ForeignKey(ContentType)``: a model of a library
                if target is None and raw is None:
                    raw = library or to.expr
        related = prog.literal(module, call.scope, prog.arg(call, None, "related_name"))
        field = RelationField(name=name, target=target, kind=kind, line=line, module=module,
                              reverse=related if isinstance(related, str) else None, raw=raw,
                              secondary=self._through(module, call) if kind == "m2m" else None)
        self.raw_fields.append((eid, cls, field))

    def _through(self, module: str, call) -> str | None:
        """A many-to-many field's ``through=`` model: its entity, or the reference as written
        (``"extras.TaggedItem"``), resolved with the other references."""
        prog = self.prog
        through = prog.arg(call, None, "through")
        if through is None:
            return None
        lit = prog.literal(module, call.scope, through)
        if isinstance(lit, str):
            return lit
        for v in sorted(prog.r.eval(call.scope, through.expr)) if through.expr else ():
            if v.startswith("d:") and self.is_model(v[2:]):
                return self._entity(v[2:])
        return None

    def _is_manager(self, module: str, index: int, targets, eid: str) -> bool:
        prog = self.prog
        call = prog.call(module, index)
        callee = call.callee or ""
        qs_class = None
        if callee.endswith(".as_manager"):
            qs_class = self._project_class(call.scope, callee[: -len(".as_manager")])
        elif callee.endswith(".from_queryset()"):
            inner = prog.receiver_site(module, index)
            if inner is not None:
                a = prog.arg(prog.call(module, inner), 0, "queryset_class")
                qs_class = self._project_class(call.scope, a.expr if a else None)
        if qs_class is not None:
            self.reg.manager_classes.setdefault(qs_class, set()).add(eid)
            return True
        for v in targets:
            path = outside(v)
            if path and path.rsplit(".", 1)[-1].endswith("Manager") and not relation_kind(path):
                return True
            if v.startswith("d:") and prog.kind(v[2:]) == "class" and _is_manager_class(prog, v[2:]):
                self.reg.manager_classes.setdefault(v[2:], set()).add(eid)
                for qs in self._queryset_bases(v[2:]):
                    self.reg.manager_classes.setdefault(qs, set()).add(eid)
                return True
        return False

    def _queryset_bases(self, cls: str) -> list[str]:
        """The project querysets a manager class is made from in its bases
        (``class CommentManager(models.Manager.from_queryset(CommentQuerySet))``): their
        methods are the manager's, which the resolver cannot see through the call."""
        prog = self.prog
        out: list[str] = []
        for c in prog.r.mro(cls):
            d = prog.defs.get(c)
            if d is None or not any(b and b.endswith(".from_queryset()") for b in d.bases):
                continue
            module, parent = prog.module_of(c), prog.parent_scope(c)
            for index, call in enumerate(prog.facts[module].calls):
                if (call.scope == parent and d.line <= call.line <= d.end_line
                        and (call.callee or "").endswith(".from_queryset")):
                    a = prog.arg(call, 0, "queryset_class")
                    qs = self._project_class(parent, a.expr if a else None)
                    if qs is not None:
                        out.append(qs)
        return out

    def _project_class(self, scope: str, expr: str | None) -> str | None:
        if not expr:
            return None
        for v in sorted(self.prog.r.eval(scope, expr)):
            if v.startswith("d:") and self.prog.kind(v[2:]) == "class":
                return v[2:]
        return None

    # -- linking -----------------------------------------------------------------------
    def link(self) -> None:
        """Resolve field targets, inherit abstract fields, record relations and accessors."""
        reg = self.reg
        by_label: dict[tuple[str, str], str] = {}
        by_name: dict[str, set[str]] = {}
        for m in reg.models.values():
            if m.framework == FRAMEWORK and m.cls:
                by_label[((m.app_label or "").lower(), m.name.lower())] = m.id
                by_name.setdefault(m.name.lower(), set()).add(m.id)
        self.by_label = by_label
        self.by_name = by_name
        declared: dict[str, list[RelationField]] = {}
        labels = {label for label, _ in by_label}
        for eid, cls, f in self.raw_fields:
            target = f.target or self.resolve_ref(f.raw, eid)
            if target is None:
                if f.raw and "." in f.raw and f.raw.split(".")[0].lower() not in labels:
                    reg.outside_relations.append((eid, f.raw))  # ``auth.User``: not in the project
                elif f.raw:
                    reg.unresolved_relations.append((eid, f.raw))
                continue
            through = f.secondary
            if through is not None and not through.startswith(model_entity_id("")):
                through = self.resolve_ref(through, eid)
            declared.setdefault(cls, []).append(
                RelationField(f.name, target, f.kind, f.line, f.module, f.reverse, f.raw, through))
        # concrete models get their own fields plus those of abstract ancestors
        for m in sorted(reg.models.values(), key=lambda m: m.id):
            if m.framework != FRAMEWORK or not m.cls:
                continue
            for c in self.prog.r.mro(m.cls):
                owner = reg.entity_of_class(c)
                if c != m.cls and (owner is None or not reg.models[owner].abstract):
                    continue
                for f in declared.get(c, ()):
                    if f.name in m.fields:
                        continue
                    target = m.id if f.raw == "self" else f.target
                    reverse = self._reverse_name(f, m)
                    m.fields[f.name] = RelationField(f.name, target, f.kind, f.line, f.module, reverse, f.raw,
                                                     f.secondary)
                    if m.abstract or target is None:
                        continue
                    reg.relate(m.id, target, f.line, f.kind)
                    if reverse and target in reg.models:
                        reg.models[target].reverse.setdefault(reverse, m.id)

    def resolve_ref(self, raw: str | None, source: str) -> str | None:
        """``"self"``, ``"app.Model"``, ``"Model"`` (same app) or a dotted class path."""
        if not raw:
            return None
        if raw == "self":
            return source
        src = self.reg.models.get(source)
        if "." in raw:
            app, _, name = raw.rpartition(".")
            hit = self.by_label.get((app.lower(), name.lower()))
            if hit:
                return hit
            q = self.prog.resolve_dotted(raw)
            if q is not None:
                return self.reg.entity_of_class(q)
            return None
        if src is not None:
            hit = self.by_label.get(((src.app_label or "").lower(), raw.lower()))
            if hit:
                return hit
        same = self.by_name.get(raw.lower(), set())
        return next(iter(same)) if len(same) == 1 else None

    @staticmethod
    def _reverse_name(f: RelationField, model: Model) -> str | None:
        name = f.reverse
        if name is not None:
            if name.endswith("+"):
                return None
            return name.replace("%(class)s", model.name.lower()).replace("%(app_label)s", model.app_label or "")
        if f.kind == "o2o":
            return model.name.lower()
        return f"{model.name.lower()}_set"


def _is_manager_class(prog: Program, cls: str) -> bool:
    for v in prog.all_bases(cls):
        path = outside(v)
        if path and path.split(".")[0] != "" and path.rsplit(".", 1)[-1].endswith(("Manager", "QuerySet")):
            return True
        if path and path.endswith(("as_manager", "from_queryset")):
            return True
    return False


class _AppLabels:
    """Django app labels: from ``INSTALLED_APPS`` and ``AppConfig`` classes when the project
    declares them, else the package that holds the models module."""

    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self._apps: list[tuple[str, str]] | None = None  # (app module, label), longest first

    def _load(self) -> list[tuple[str, str]]:
        prog = self.prog
        apps: dict[str, str] = {}
        for q, d in sorted(prog.defs.items()):
            if d.kind != "class":
                continue
            if not matches(prog.r.external_bases(q), {"django"}, {"AppConfig"}):
                continue
            name = prog.class_literal(q, "name", inherit=False)
            label = prog.class_literal(q, "label", inherit=False)
            if isinstance(name, str):
                apps[name] = label if isinstance(label, str) else name.rsplit(".", 1)[-1]
        for _module, b in prog.setting_values("INSTALLED_APPS"):
            if not isinstance(b.value, tuple):
                continue
            for entry in b.value:
                if not isinstance(entry, str) or entry in apps:
                    continue
                target = prog.resolve_dotted(entry)
                if target is not None and prog.kind(target) == "class":
                    continue  # an AppConfig path: its class was read above
                apps.setdefault(entry, entry.rsplit(".", 1)[-1])
        return sorted(apps.items(), key=lambda kv: (-len(kv[0]), kv[0]))

    def label(self, module: str) -> str:
        if self._apps is None:
            self._apps = self._load()
        for name, label in self._apps:
            if module == name or module.startswith(name + "."):
                return label
        parts = module.split(".")
        if "models" in parts[1:]:
            i = len(parts) - 1 - parts[::-1].index("models")
            return parts[i - 1]
        return parts[-2] if len(parts) > 1 else parts[0]
