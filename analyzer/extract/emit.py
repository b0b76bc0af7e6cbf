"""Assemble the extracted tree: module copies, facades, runtime, API and route handlers,
tests, READMEs, MIGRATION.md and the counts in scaffold.json.

It starts from the files the scaffold rendered (``render_files``) and adds or replaces the
ones extraction changes; nothing is written here.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import libcst as cst

from analyzer.analysis import Analysis
from analyzer.extract.codemod import CopyContext, copy_module, relations_to
from analyzer.extract.datafiles import DataFiles
from analyzer.extract.decide import Globals, Planner, module_path
from analyzer.extract.environment import known_values
from analyzer.extract.inventory import dotted, statement_call
from analyzer.extract.model import (
    PORTED,
    VENDOR,
    DataCopy,
    Extraction,
    FacadeEntry,
    ModulePlan,
    Removal,
    ServiceExtraction,
)
from analyzer.extract.program import Program, Target
from analyzer.extract.requirements import (
    at_locked_version,
    held_below,
    monolith_locks,
    monolith_other_requirements,
    monolith_python,
    monolith_requirements,
    normalized,
)
from analyzer.model import SHARED
from analyzer.scaffold import MANIFEST, deploy_files
from analyzer.scaffold.context import ScaffoldContext, ServiceContext
from analyzer.scaffold.render import render


@dataclass(frozen=True, slots=True)
class RuntimeView:
    """What the runtime template needs about the monolith's factories, as local names."""

    app_factory: str | None
    app_factory_module: str
    app_factory_name: str
    session_factory: str | None
    session_factory_module: str
    session_factory_name: str
    session_kind: str  # how a session comes of the factory: decide.CALL, CONTEXT or GENERATOR
    # some moved modules use the app's context on import: the API imports them inside it
    import_in_context: bool = False

    @property
    def bare_app(self) -> bool:
        """Without the monolith's app factory, the moved code that needs an app's context on
        import runs in a bare Flask app."""
        return self.import_in_context and not self.app_factory


def extract_files(doc: Analysis, ctx: ScaffoldContext, files: dict[str, str], program: Program | None = None,
                  ) -> tuple[dict[str, str | bytes], Extraction]:
    """The scaffold's files with the monolith's code moved in; and what the extraction did.
    ``program``: the one the context was built with, whose parses are reused."""
    prog = program or Program(doc)
    g = Globals(prog, ctx)
    out: dict[str, str | bytes] = dict(files)
    services = []
    requirements = monolith_requirements(Path(doc.root))
    locks = monolith_locks(Path(doc.root))
    # code written for pydantic 1 runs on the pydantic 2 of the service's stack as ``pydantic.v1``
    renames = {"pydantic": "pydantic.v1"} if held_below(requirements, locks[1], "pydantic", 2) else {}
    runtime = {_requirement_name(r) for r in requirements}
    others = [r for r in monolith_other_requirements(Path(doc.root)) if _requirement_name(r) not in runtime]
    python = monolith_python(Path(doc.root))
    known = known_values(Path(doc.root))
    cache: dict[tuple, tuple[str, list[Removal]]] = {}
    data_files = DataFiles(prog, (PORTED, VENDOR))
    for svc in ctx.services:
        planner = Planner(g, svc)
        plans = planner.run()
        modules, removals = _module_files(prog, g, svc, plans, ctx.project, cache, renames)
        base = f"services/{svc.slug}"
        for rel, text in modules.items():
            out[f"{base}/{svc.package}/{rel}"] = text
        # an entry script's files are its program's (setup.py reads README.md and requirements.txt)
        data = data_files.for_service({m: p.tree for m, p in plans.items() if m.rpartition(".")[2] not in ENTRY_SCRIPTS})
        operations = planner.operations()
        routes = planner.routes()
        decisions = tuple(sorted(planner.decisions.values(), key=lambda d: (d.target, d.action)))
        names, required = _environment(prog, plans)
        ex = ServiceExtraction(
            slug=svc.slug,
            package=svc.package,
            modules=tuple(sorted((m, p.tree) for m, p in plans.items())),
            replicas=tuple(sorted(f"{m}.{u}" for m, p in plans.items() for u in p.replicas)),
            decisions=decisions,
            calls=planner.call_sites(),
            foreign=planner.foreign_accesses(),
            removals=tuple(sorted(removals, key=lambda r: (r.module, r.source, r.what))),
            operations=operations,
            routes=routes,
            app_factory=g.app_factory if g.local_to(g.app_factory, svc.name) else None,
            session_factory=g.session_factory if g.local_to(g.session_factory, svc.name) else None,
            dependencies=requirements + _imported_from(prog, plans, others),
            data=tuple(DataCopy(i.rel, i.folder, len(i.files), i.size, i.left) for i in data.items),
            environment=known.variables(names, required),
        )
        services.append(ex)
        _service_files(out, ctx, svc, ex, plans, prog, g, locks)
        _python_floor(out, f"services/{svc.slug}", python)
        for rel, (content, at_root, trees) in data.files.items():
            for tree in sorted(trees):
                out.setdefault(f"{base}/{svc.package}/{tree}/{rel}", content)
            if at_root:
                out.setdefault(f"{base}/{rel}", content)
    # the manifests again, now setting the variables the moved code reads
    out.update(deploy_files(ctx, {s.slug: s.environment for s in services}))
    extraction = Extraction(tuple(services), tuple(prog.moved_models))
    out["MIGRATION.md"] = out["MIGRATION.md"].rstrip("\n") + "\n\n" + render(
        "extract/MIGRATION.md.j2", ctx=ctx, x=extraction, summary=extraction.summary())
    out[MANIFEST] = _manifest(out, extraction)
    return dict(sorted(out.items())), extraction


def _imported_from(prog: Program, plans: dict[str, ModulePlan], requirements: list[str]) -> tuple[str, ...]:
    """Of the monolith's development, test and optional requirements, those whose package the
    copies here import outside ``if TYPE_CHECKING:`` (by the distribution's own name:
    ``faker``), which the service then needs to import its code."""
    if not requirements:
        return ()
    imported: set[str] = set()
    for module, plan in plans.items():
        if plan.full or plan.units or plan.statements:
            for st in prog.inventory(module).statements:
                imported.update(normalized(b.module.split(".")[0]) for b in st.imports
                                if not b.type_checking and not prog.is_monolith(b.module))
    return tuple(r for r in requirements if _requirement_name(r) in imported)


def _environment(prog: Program, plans: dict[str, ModulePlan]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The environment variables the statements a service keeps read, and those of them read
    with no default: the monolith's deployment set them (Dispatch's config reads
    ``DISPATCH_ENCRYPTION_KEY`` on import, and every service failed without it), so the
    service's README names them."""
    names: set[str] = set()
    required: set[str] = set()
    for module, plan in plans.items():
        inv = prog.inventory(module)
        units = inv.units()
        kept = (range(len(inv.statements)) if plan.full
                else plan.statements | {units[u].index for u in plan.units if u in units})
        for index in kept:
            names |= inv.statements[index].env
            required |= inv.statements[index].env_required
    return tuple(sorted(names)), tuple(sorted(required))


# -- module copies ------------------------------------------------------------------------------------


def _local(prog: Program, plans: dict[str, ModulePlan], package: str):
    def local(dotted: str) -> str:
        if dotted in plans:
            tree = plans[dotted].tree
        elif prog.is_module(dotted):
            tree = VENDOR if prog.top(dotted) == SHARED else PORTED
        else:
            tree = PORTED
        return f"{package}.{tree}.{dotted}"

    return local


def _django_apps(g: Globals, plans: dict[str, ModulePlan], package: str) -> dict[str, str | None]:
    """Each Django app of the monolith (a project package INSTALLED_APPS names) as this
    service's copy of it, or ``None`` when no module of it is copied here. Django finds a
    model's app by the longest installed name its module starts with, so an app whose
    modules are copied goes where its models are (else where most of its modules are)."""
    out: dict[str, str | None] = {}
    model_modules = [e.module for e in g.prog.models.values() if e.module]
    for app in g.django_apps:
        inside = [m for m in plans if m == app or m.startswith(app + ".")]
        if not inside:
            out[app] = None
            continue
        # the tree holding most of its model classes: a models package that is shared
        # library while the modules defining its models are this service's (wger's
        # ``core/models/__init__.py`` and ``core/models/cache.py``) goes with those
        with_models = [plans[m].tree for m in model_modules if m in plans and (m == app or m.startswith(app + "."))]
        models = plans.get(f"{app}.models")
        trees = with_models or ([models.tree] if models is not None else [plans[m].tree for m in inside])
        tree = max(sorted(set(trees)), key=trees.count)
        out[app] = f"{package}.{tree}.{app}"
    return out


def _strings(g: Globals, module: str, plans: dict[str, ModulePlan], service: str, local,
             apps: dict[str, str | None]) -> dict[str, str | None]:
    """Strings of ``module`` that name code: their replacement here (None: another service's code).
    A Django app's name (INSTALLED_APPS, an AppConfig's ``name``) becomes its copy here; a
    one-word app name only in the settings, where it cannot be anything else."""
    prog, settings = g.prog, g.django_settings
    out: dict[str, str | None] = {}
    for ref in prog.references_of(module):
        value = ref.get("value")
        if not isinstance(value, str):
            continue
        if value in apps and ("." in value or module == settings):
            out[value] = apps[value]
            continue
        if "." not in value:
            continue
        if prog.is_module(value):
            here = value in plans and prog.top(value) in (service, SHARED)
            out[value] = local(value) if here else None
            continue
        head, _, name = value.rpartition(".")
        if not prog.is_module(head):
            continue
        plan = plans.get(head)
        here = plan is not None and (name in plan.units or (plan.full and prog.place(head, name) in (service, SHARED)
                                                              and not prog.inventory(head).units().get(name)))
        out[value] = f"{local(head)}.{name}" if here else None
        if not here and ref.get("kind") == "installed-app":
            # an app config another service keeps (it could not be copied): the app's copy here
            # is installed with Django's default config, so that its models still have an app
            out[value] = apps.get(g.app_package(value) or "")
    return out


def _foreign_routes(prog: Program, g: Globals, service: str) -> dict[str, dict[int, str]]:
    """Route registrations made by a call (``app.add_url_rule("/favicon_proxy", view_func=...)``)
    whose handler another service serves, by module and line: in this service's copy the
    handler is a stub, and registering it fails on import (searxng's ``webapp``). The gateway
    sends the route to the service that serves it."""
    out: dict[str, dict[int, str]] = {}
    for r in prog.doc.routes:
        if r.kind != "http" or not r.handler or not r.module or not r.line:
            continue
        home = prog.unit_of(r.handler)
        owner = prog.place(*home) if home is not None else SHARED
        if owner in (service, SHARED):
            continue
        verbs = "|".join(r.methods) or "ANY"
        out.setdefault(r.module, {})[r.line] = (f"registers `{verbs} {r.path}`, a route the {g.slug(owner)} "
                                                f"service serves (the gateway sends it there)")
    return out


# calls that mount a router, blueprint or app of routes into another one
ROUTE_INCLUDERS = frozenset({"include_router", "register_blueprint", "mount", "include_app"})


def _foreign_includes(prog: Program, g: Globals, plans: dict[str, ModulePlan]) -> dict[str, dict[int, str]]:
    """Top-level calls that mount another service's router in a copy here (mealie's
    ``router.include_router(users.router)`` in ``routes/__init__.py``), by module and line:
    the router is a stub here and mounting it failed on import. The gateway sends its routes
    to the service that serves them."""
    out: dict[str, dict[int, str]] = {}
    for module, parsed, st in _kept_statements(prog, plans, ("other",)):
        call = statement_call(parsed.tree.body[st.index])
        if call is None or not isinstance(call.func, cst.Attribute) \
                or call.func.attr.value not in ROUTE_INCLUDERS or not call.args:
            continue
        stub = _stubbed_here(prog, plans, module, call.args[-1].value if call.func.attr.value == "mount"
                             else call.args[0].value)
        if stub is not None:
            owner = g.slug(prog.place(stub.module, stub.name or ""))
            out.setdefault(module, {})[parsed.line(call)] = (
                f"mounts `{stub.qualname}`, routes the {owner} service serves (the gateway sends them there)")
    return out


def _kept_statements(prog: Program, plans: dict[str, ModulePlan], kinds: tuple[str, ...]):
    """(module, its parse, statement) for each top-level statement of these kinds that this
    service's copies keep."""
    for module, plan in plans.items():
        if not (plan.full or plan.statements):
            continue
        parsed = prog.parsed(module)
        for st in parsed.inventory.statements:
            if st.kind in kinds and (plan.full or st.index in plan.statements):
                yield module, parsed, st


def _stub_items(prog: Program, g: Globals, plans: dict[str, ModulePlan],
               routes: dict[str, dict[int, str]]) -> dict[str, dict[int, str]]:
    """Items of a top-level list, and top-level calls, that call a method of a stub here, by
    module and line (babybuddy's ``urlpatterns = [path("users/add/", views.UserAdd.as_view()),
    ...]`` where ``UserAdd`` is a stub), and calls handed a class stubbed here: evaluated on
    import, each failed the whole module, so it is left out. A route another service serves
    says so; its reverse() name then resolves in that service only."""
    out: dict[str, dict[int, str]] = {}
    for module, parsed, st in _kept_statements(prog, plans, ("assign", "other")):
        node = parsed.tree.body[st.index]
        for small in node.body if isinstance(node, cst.SimpleStatementLine) else ():
            value = getattr(small, "value", None)
            if isinstance(small, cst.Expr) and isinstance(value, cst.Call):
                items = [value]
            elif isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)) \
                    and isinstance(value, (cst.List, cst.Tuple)):  # ``urlpatterns += [...]`` too
                items = [e.value for e in value.elements]
            elif isinstance(small, (cst.Assign, cst.AugAssign)) and isinstance(value, cst.Call) \
                    and (dotted(value.func) or "").endswith("patterns"):  # ``i18n_patterns(path(...))``
                items = [a.value for a in value.args]
            else:
                continue
            for item in items:
                how = "calls a method of `{name}` on import, a stub here (the {owner} service's)"
                stub = _stub_called(prog, plans, module, item)
                if stub is None and isinstance(small, cst.Expr):
                    # DRF's ``router.register(r"bmi", views.BMIViewSet)`` reads the view set's queryset
                    how = "hands `{name}`, a stub here (the {owner} service's), to a call on import"
                    stub = _stub_class_handed(prog, plans, module, item)
                if stub is None:
                    continue
                line = parsed.line(item)
                owner = g.slug(prog.place(stub.module, stub.name or ""))
                out.setdefault(module, {})[line] = routes.get(module, {}).get(line) or how.format(
                    name=stub.qualname, owner=owner)
    return out


def _stub_class_handed(prog: Program, plans: dict[str, ModulePlan], module: str, call: cst.Call) -> Target | None:
    """A class stubbed here that ``call`` is handed as an argument."""
    for arg in call.args:
        t = _stubbed_here(prog, plans, module, arg.value) if isinstance(arg.value, (cst.Name, cst.Attribute)) else None
        unit = prog.inventory(t.module).units().get(t.name or "") if t is not None else None
        if unit is not None and unit.kind == "class":
            return t
    return None


def _stub_called(prog: Program, plans: dict[str, ModulePlan], module: str,
                 expr: cst.BaseExpression) -> Target | None:
    """The stub here that ``expr`` calls a method of while it is evaluated (``views.UserAdd.
    as_view()``, also in a call's arguments: ``path("add/", views.UserAdd.as_view())``)."""
    if not isinstance(expr, cst.Call):
        return None
    if isinstance(expr.func, cst.Attribute):
        stub = _stubbed_here(prog, plans, module, expr.func.value)
        if stub is not None:
            return stub
    return next((t for a in expr.args if (t := _stub_called(prog, plans, module, a.value)) is not None), None)


def _stubbed_here(prog: Program, plans: dict[str, ModulePlan], module: str,
                  expr: cst.BaseExpression) -> Target | None:
    """The monolith name ``expr`` (``router``, ``users.router``) reads in ``module`` when this
    service's copy of it is a stub, else ``None``."""
    t = _named(prog, module, expr)
    entry = plans[t.module].facade.get(t.name) if t is not None and t.module in plans else None
    return t if entry is not None and entry.kind == "stub" else None


def _named(prog: Program, module: str, expr: cst.BaseExpression) -> Target | None:
    """The module-level name of the monolith that ``expr`` (``Timer``, ``models.Timer``)
    reads in ``module``, or ``None``."""
    parts = (dotted(expr) or "").split(".")
    if not parts[0]:
        return None
    t = prog.resolve(module, parts[0])
    for part in parts[1:]:
        if t.kind != "module":
            return None
        t = prog.resolve(t.module, part) if prog.is_module(t.module) else t
    return t if t.kind in ("var", "unit") and t.name else None


def _relations_gone(prog: Program, plans: dict[str, ModulePlan],
                    foreign: frozenset[str]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each model class copied here whose relations to other services' models the copy
    rewrites: its qualified name -> (the fields that become an ``<name>_id`` column, the
    many-to-many fields that go). See :class:`analyzer.extract.codemod.DropRelations`."""
    own: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for module, plan in plans.items():
        inventory = prog.inventory(module) if plan.units else None
        for name in sorted(plan.units):
            if f"{module}.{name}" not in prog.models:
                continue
            node = prog.parsed(module).tree.body[inventory.units()[name].index]
            gone = relations_to(node, foreign) if isinstance(node, cst.ClassDef) else None
            if gone is not None:
                own[f"{module}.{name}"] = gone

    def inherited(cls: str, seen: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
        # a model has the fields of the abstract models it derives from (wger's ``license`` of
        # ``AbstractLicenseModel``)
        ids, gone = own.get(cls, (frozenset(), frozenset()))
        for base in prog.bases.get(cls, ()):
            if base not in seen and base in prog.models:
                more = inherited(base, seen | {base})
                ids, gone = ids | more[0], gone | more[1]
        return ids, gone

    if not own:
        return {}
    out = {}
    for cls in prog.models:
        ids, gone = inherited(cls, frozenset({cls}))
        if ids or gone:
            out[cls] = (ids, gone)
    return out


def _meta_fields(prog: Program, module: str, relations: dict[str, tuple[frozenset[str], frozenset[str]]],
                 ) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """The ``model = ...`` expressions of the inner ``Meta`` classes of ``module`` (a
    ``ModelForm``, a django-filter ``FilterSet``, a serializer) that name a model whose
    relations the copy rewrites, as written -> what :func:`_relations_gone` says of it."""
    out: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for node in prog.parsed(module).tree.body:
        for meta in node.body.body if isinstance(node, cst.ClassDef) else ():
            if not isinstance(meta, cst.ClassDef) or meta.name.value != "Meta":
                continue
            for line in meta.body.body:
                for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                            and isinstance(small.targets[0].target, cst.Name) \
                            and small.targets[0].target.value == "model":
                        t = _named(prog, module, small.value)
                        if t is not None and t.qualname in relations:
                            out[dotted(small.value) or ""] = relations[t.qualname]
    return out


# stands for the service's package while a module is copied, so one copy serves every service
# that needs the same code (the shared library is copied into each of them)
_PACKAGE = "__msa_service_package__"


def _module_files(prog: Program, g: Globals, svc: ServiceContext, plans: dict[str, ModulePlan], project: str,
                  cache: dict[tuple, tuple[str, list[Removal]]], renames: dict[str, str] | None = None,
                  ) -> tuple[dict[str, str], list[Removal]]:
    files: dict[str, str] = {}
    removals: list[Removal] = []
    local = _local(prog, plans, svc.package)
    generic = _local(prog, plans, _PACKAGE)
    owned_names: dict[str, set[str]] = {}
    for e in prog.doc.entities:
        if e.model:
            owned_names.setdefault(e.name, set()).add(prog.entity_owner.get(e.id, SHARED))
    # and the classes that are an entity's rows too: a single-table subclass (CTFd's
    # ``ChallengeFiles(Files)``), which a relationship names as its target just the same
    for cls, e in prog.models.items():
        owned_names.setdefault(cls.rpartition(".")[2], set()).add(prog.entity_owner.get(e.id, SHARED))
    foreign_entities = frozenset(n for n, owners in owned_names.items() if svc.name not in owners)
    foreign_tables = frozenset(t for t, o in prog.table_owner.items() if o not in (svc.name, SHARED))
    apps = _django_apps(g, plans, _PACKAGE)
    app_names = {a: copy for a, copy in apps.items() if copy is not None and "." not in a}
    foreign_routes = _foreign_routes(prog, g, svc.name)
    for module, lines in _foreign_includes(prog, g, plans).items():
        foreign_routes.setdefault(module, {}).update(lines)
    stub_items = _stub_items(prog, g, plans, foreign_routes)
    relations = _relations_gone(prog, plans, foreign_entities)
    # a copy names the modules it imports by their tree here, which is the one their owner
    # gives them unless this service placed them otherwise (wger's settings, the utils
    # service's own code, are vendored by every other service): one copy serves the services
    # that place them alike
    trees = frozenset((m, p.tree) for m, p in plans.items()
                      if p.tree != (VENDOR if prog.top(m) == SHARED else PORTED))
    for module in sorted(plans):
        plan = plans[module]
        info = prog.modules[module]
        rel = f"{plan.tree}/{module_path(module, info.is_package)}"
        entries = sorted(plan.facade.values(), key=lambda e: e.name)
        if plan.units or plan.statements or plan.full:
            entity_classes = frozenset(u for u in plan.units if f"{module}.{u}" in prog.models)
            meta_fields = _meta_fields(prog, module, relations) if relations else {}
            strings = _strings(g, module, plans, svc.name, generic, apps)
            replicas = {u: g.slug(prog.place(module, u)) for u in plan.replicas}
            key = (module, plan.tree, plan.full, frozenset(plan.units), frozenset(plan.statements),
                   frozenset(plan.pruned), frozenset(plan.exports) | frozenset(plan.facade),
                   frozenset(e.name for e in plan.facade.values() if e.kind == "stub"),
                   tuple(sorted(strings.items())), tuple(sorted(replicas.items())), entity_classes,
                   tuple(sorted(app_names.items())), tuple(sorted(foreign_routes.get(module, {}).items())),
                   tuple(sorted(stub_items.get(module, {}).items())), tuple(sorted(meta_fields.items())),
                   (foreign_tables, foreign_entities) if entity_classes else None)
            key += (trees,)
            hit = cache.get(key)
            if hit is None:
                cc = CopyContext(
                    service="", package=_PACKAGE, source_path=info.path, local=generic,
                    is_monolith=prog.is_monolith, strings=strings, foreign_tables=foreign_tables,
                    foreign_entities=foreign_entities, entity_classes=entity_classes, replica_note=replicas,
                    app_names=app_names, foreign_routes=foreign_routes.get(module, {}),
                    stub_items=stub_items.get(module, {}), meta_fields=meta_fields,
                    library_renames=renames or {},
                )
                hit = cache[key] = copy_module(prog.parsed(module), plan, cc, header="")
            body, removed = hit
            header = (f"Copied from the {project} monolith ({info.path}) by msa-analyzer: imports rewritten to the "
                      f"{svc.slug} service's layout" + ("." if plan.full else
                                                         "; only the code this service owns or uses is kept."))
            text = f"# {header}\n" + body.replace(_PACKAGE, svc.package)
            if entries:
                facade = _facade(svc, module, entries, project, local, standalone=False)
                _check_syntax(facade, f"{svc.package}/{rel}")
                text = _after_imports(text, facade)
            if plan.converters:
                text = _after_imports(text, _converter_registrations(plan.converters, local))
            removals.extend(dataclasses.replace(r, service=svc.slug) for r in removed)
        else:
            text = _facade(svc, module, entries, project, local, standalone=True)
            _check_syntax(text, f"{svc.package}/{rel}")
        files[rel] = text
    for tree in (PORTED, VENDOR):
        files.setdefault(f"{tree}/__init__.py", _package_doc(svc, tree, project)
                         + (_DJANGO_FIRST.format(package=svc.package) if g.django_settings else ""))
    for rel in list(files):
        parts = PurePosixPath(rel).parts
        for i in range(2, len(parts)):
            init = "/".join(parts[:i]) + "/__init__.py"
            if init not in files:
                files[init] = _package_doc(svc, parts[0], project) + _package_first(
                    svc, plans, parts[0], ".".join(parts[1:i]), files)
    return dict(sorted(files.items())), removals


def _converter_registrations(converters: dict[str, str], local) -> str:
    """Registers the URL converters a copied URL module uses that the module registering them
    in the monolith does not here (:meth:`Planner._register_url_converters`); one already
    registered is left as it is."""
    lines = ["# -- Registered by msa-analyzer: URL converters the monolith registers elsewhere -----------------",
             "from django.urls import converters as _msa_converters, register_converter as _msa_register_converter"]
    for name, qualname in sorted(converters.items()):
        module, _, cls = qualname.rpartition(".")
        lines += [f"from {local(module)} import {cls} as _msa_{cls}",
                  f"if {name!r} not in _msa_converters.get_converters():",
                  f"    _msa_register_converter(_msa_{cls}, {name!r})"]
    return "\n".join(lines) + "\n"


def _package_first(svc: ServiceContext, plans: dict[str, ModulePlan], tree: str, package: str,
                   files: dict[str, str]) -> str:
    """For a package that only holds modules in this tree while the monolith's package
    (its ``__init__``) is copied into the other tree: an import of that copy. The monolith runs
    a package's ``__init__`` before any module in it, and code relies on that order: mealie's
    shared ``schema/recipe/__init__.py`` imports its modules in an order that breaks their
    cycles; imported first, a ported ``recipe_timeline_events.py`` reached that ``__init__``
    through a third module and failed on a partially initialized module. An ``__init__`` that
    fails here (CTFd's ``utils/helpers/__init__.py`` registers ``@current_app.url_defaults``,
    which needs the app context the monolith imports it in) does not take the module with it:
    the import only orders, and the ``__init__``'s own import test reports its failure."""
    plan = plans.get(package)
    if plan is None or plan.tree == tree:
        return ""
    copy = files.get(f"{plan.tree}/{package.replace('.', '/')}/__init__.py", "")
    if not any(line.startswith(("import ", "from ")) for line in copy.splitlines()):
        return ""  # an __init__ importing nothing sets no order
    return (f"\nimport contextlib\n\n"
            f"# the monolith runs this package's __init__ (copied into {plan.tree}/) before any module in it; where\n"
            f"# it cannot run here (it needs the monolith's app context on import), its own import test says so\n"
            f"with contextlib.suppress(Exception):\n"
            f"    import {svc.package}.{plan.tree}.{package}  # noqa: F401\n")


# Modules whose import runs a program (packaging, a server, a management command) or needs a
# build or task tool the service does not install (ihatemoney's Hatch hook ``hatch_build.py``
# imports hatchling): copied, but not imported by the service's import test.
ENTRY_SCRIPTS = frozenset({"setup", "manage", "conftest", "wsgi", "asgi", "__main__", "hatch_build", "noxfile",
                           "fabfile", "pavement"})


def _after_imports(text: str, facade: str) -> str:
    """The module with its facade placed after its leading imports, before the first other
    statement: the module's own top-level code (a class body's ``model = Order``, a
    ``Dispatcher = get_class(...)``) may use what the facade provides."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        tree = None
    first = None
    for i, stmt in enumerate(tree.body if tree is not None else ()):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # the docstring
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        break
    if first is None:
        return text.rstrip("\n") + "\n\n\n" + facade
    lines = text.splitlines(keepends=True)
    head, rest = "".join(lines[: first - 1]).rstrip("\n"), "".join(lines[first - 1:])
    return head + "\n\n\n" + facade.rstrip("\n") + "\n\n\n" + rest


# the roots of the copied trees set Django up before any moved module is imported: models,
# admin and views need the app registry, and the service's own code (health, clients) need not
_DJANGO_FIRST = """
from {package}.django_setup import configure

configure()
"""


def _package_doc(svc: ServiceContext, tree: str, project: str) -> str:
    what = ("code the " + svc.slug + " service owns, or uses from other services") if tree == PORTED else \
        "the shared library, vendored"
    return f'"""Package of the {project} monolith\'s {what} (msa-analyzer extract)."""\n'


def _check_syntax(text: str, where: str) -> None:
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError as exc:  # pragma: no cover - a bug of the extraction, not of the input
        raise RuntimeError(f"extraction produced invalid Python in {where}: {exc}") from None


def _signature(params) -> str:
    parts: list[str] = []
    star = False
    last_posonly = max((i for i, p in enumerate(params) if p.kind == "positional_only"), default=-1)
    for i, p in enumerate(params):
        default = "=_msa_wire.UNSET" if p.has_default else ""
        if p.kind == "var_positional":
            parts.append(f"*{p.name}")
            star = True
        elif p.kind == "var_keyword":
            parts.append(f"**{p.name}")
        elif p.kind == "keyword_only":
            if not star:
                parts.append("*")
                star = True
            parts.append(f"{p.name}{default}")
        else:
            parts.append(f"{p.name}{default}")
        if i == last_posonly:
            parts.append("/")
    return ", ".join(parts)


def _facade(svc: ServiceContext, module: str, entries: list[FacadeEntry], project: str, local,
            standalone: bool) -> str:
    proxies, stubs, dependencies, reexports = [], [], [], []
    clients: set[str] = set()
    for e in entries:
        if e.kind == "proxy" and e.proxy is not None:
            p = e.proxy
            clients.add(p.client_module)
            payload = []
            for w in p.params:
                if w.field is None:
                    continue
                value = f"list({w.name})" if w.kind == "var_positional" else w.name
                payload.append(f"{json.dumps(w.field)}: {value}")
            spread = next((w.name for w in p.params if w.kind == "var_keyword"), None)
            proxies.append({
                "name": e.name, "signature": _signature(p.params), "owner": e.owner, "target": e.target,
                "path": p.path, "client_class": p.client_class, "client_module": p.client_module, "method": p.method,
                "request_model": p.request_model, "payload": "{" + ", ".join(payload) + "}",
                "plain": sorted(w.field for w in p.params if w.field and w.plain), "result_plain": p.result_plain,
                "spread": spread, "refused": {w.field: w.refused for w in p.params if w.refused and w.field},
                "notes": list(e.notes), "is_async": e.is_async,
            })
        elif e.kind == "stub":
            stubs.append({"name": e.name, "target": e.target, "owner": e.owner, "reason": e.reason,
                          "signature": _signature(e.params) if e.params is not None else None,
                          "is_async": e.is_async})
        elif e.kind == "dependency":
            dependencies.append({"name": e.name, "target": e.target, "owner": e.owner, "reason": e.reason})
        elif e.kind == "reexport" and e.source_module:
            reexports.append({"module": local(e.source_module), "source": e.target.rsplit(".", 1)[-1],
                              "name": e.name})
    return render("extract/facade.py.j2", s=svc, module=module, project=project, standalone=standalone,
                  wire=bool(proxies or stubs or dependencies), client_modules=sorted(clients), proxies=proxies,
                  stubs=stubs, dependencies=dependencies, reexports=reexports)


# -- service files ------------------------------------------------------------------------------------


def _service_files(out: dict[str, str | bytes], ctx: ScaffoldContext, svc: ServiceContext, ex: ServiceExtraction,
                   plans: dict[str, ModulePlan], prog: Program, g: Globals,
                   locks: tuple[str, dict[str, str]] = ("", {})) -> None:
    base = f"services/{svc.slug}"
    pkg = f"{base}/{svc.package}"
    local = _local(prog, plans, svc.package)
    # the copies the tests import: not the entry scripts, nor a script that acts on import
    # (the monolith runs those, it never imports them: they are compiled instead)
    importable: list[tuple[str, str]] = []
    scripts: dict[str, str] = {}  # the script's file in the service -> what makes it one
    for m, tree in ex.modules:
        if m.rpartition(".")[2] in ENTRY_SCRIPTS:
            continue
        why = prog.runs_as_script(m)
        if why is None:
            importable.append((m, f"{svc.package}.{tree}.{m}"))
        else:
            scripts[f"{svc.package}/{tree}/{module_path(m, prog.modules[m].is_package)}"] = why
    # modules that use the app's context locals on import: the monolith imports them inside
    # its app's context, and so do the service and its tests
    app_context = {copy: why for m, copy in importable if (why := prog.needs_app_context(m))}
    rt = RuntimeView(
        import_in_context=bool(app_context),
        app_factory=ex.app_factory,
        app_factory_module=local(ex.app_factory.rpartition(".")[0]) if ex.app_factory else "",
        app_factory_name=ex.app_factory.rpartition(".")[2] if ex.app_factory else "",
        session_factory=ex.session_factory,
        session_factory_module=local(ex.session_factory.rpartition(".")[0]) if ex.session_factory else "",
        session_factory_name=ex.session_factory.rpartition(".")[2] if ex.session_factory else "",
        session_kind=g.session_kind,
    )
    env = {"ctx": ctx, "o": ctx.options, "s": svc, "x": rt, "ex": ex}
    out[f"{pkg}/wire.py"] = render("extract/wire.py.j2", **env)
    out[f"{pkg}/runtime.py"] = render("extract/runtime.py.j2", **env)
    op_ports = {o.func: o for o in ex.operations}
    out[f"{pkg}/api.py"] = render("extract/api.py.j2", ports=op_ports, ported=[o for o in ex.operations if o.ported],
                                  stubs=any(not o.ported for o in ex.operations), **env)
    route_ports = {r.func: r for r in ex.routes}
    if svc.routes:
        out[f"{pkg}/routes.py"] = render("extract/routes.py.j2", ports=route_ports,
                                         stubs=any(not r.ported for r in ex.routes), **env)
        out[f"{base}/tests/test_routes.py"] = render("extract/test_routes.py.j2", ports=route_ports, **env)
    if svc.operations:
        out[f"{base}/tests/test_api.py"] = render("extract/test_api.py.j2", ports=op_ports, **env)
    copies = sorted(copy for _m, copy in importable)
    # a module whose import fails in the monolith too is expected to fail here, and says why
    broken = {copy: why for m, copy in importable if (why := prog.broken_import(m))}
    out[f"{base}/tests/test_extracted.py"] = render("extract/test_extracted.py.j2", modules=copies, broken=broken,
                                                    app_context=sorted(app_context.items()),
                                                    scripts=sorted(scripts.items()),
                                                    django=g.django_settings is not None, **env)
    tested = [v for v in ex.environment if v.test is not None]
    if tested:  # set before conftest.py imports the moved code
        out[f"{base}/tests/__init__.py"] = render("extract/tests_init.py.j2", variables=tested, **env)
    settings = dict(ex.modules).get(g.django_settings) if g.django_settings else None
    if settings is not None:
        owner = g.user_model_owner()
        elsewhere = owner is not None and owner not in (svc.name, SHARED)
        out[f"{pkg}/django_setup.py"] = render("extract/django_setup.py.j2", settings=g.django_settings,
                                               settings_copy=f"{svc.package}.{settings}.{g.django_settings}",
                                               user_model_elsewhere=g.user_model if elsewhere else None, **env)
    out[f"{base}/README.md"] = out[f"{base}/README.md"].rstrip("\n") + "\n\n" + render(
        "extract/README.md.j2", **env)
    out[f"{base}/pyproject.toml"] = _lint_own_code_only(
        add_dependencies(out[f"{base}/pyproject.toml"], ex.dependencies, locks), svc.package)


SERVICE_PYTHON = (3, 11)  # the services' own floor: templates/service/pyproject.toml.j2
IMAGE_PYTHON = (3, 12)  # the Python of templates/service/Dockerfile.j2's base image


def _python_floor(out: dict[str, str | bytes], base: str, python: tuple[int, int] | None) -> None:
    """The service's ``requires-python`` and base image raised to the Python the monolith
    declares, when that is newer: the moved code may use its syntax (fiduswriter's nested
    f-string quotes need 3.12; it declares 3.13) and its pinned requirements may need it."""
    if python is None:
        return
    version = f"{python[0]}.{python[1]}"
    if python > SERVICE_PYTHON:
        pyproject = out[f"{base}/pyproject.toml"]
        out[f"{base}/pyproject.toml"] = pyproject.replace(
            'requires-python = ">={}.{}"'.format(*SERVICE_PYTHON), f'requires-python = ">={version}"', 1)
    dockerfile = out.get(f"{base}/Dockerfile")
    if python > IMAGE_PYTHON and dockerfile is not None:
        out[f"{base}/Dockerfile"] = dockerfile.replace(
            "FROM python:{}.{}-slim".format(*IMAGE_PYTHON), f"FROM python:{version}-slim", 1)


def _lint_own_code_only(pyproject: str, pkg: str) -> str:
    """The code moved in keeps the monolith's style: ruff checks what the scaffold wrote."""
    anchor = 'target-version = "py311"\n'
    if anchor not in pyproject:
        return pyproject
    exclude = (f'# the code copied from the monolith keeps its own style\n'
               f'extend-exclude = ["{pkg}/ported", "{pkg}/vendor"]\n')
    return pyproject.replace(anchor, anchor + exclude, 1)


def _requirement_name(spec: str) -> str:
    name = spec
    for sep in "<>=!~;[ (":
        name = name.split(sep, 1)[0]
    return normalized(name.strip())


# What the service's own code installs (templates/service/pyproject.toml.j2, with its test
# extra) and what those packages require in turn: a monolith's pin of one of these would
# clash with the scaffold's own floors (redash pins an older python-dotenv than
# pydantic-settings wants), and a pip that cannot resolve installs nothing
SERVICE_STACK = frozenset({
    "fastapi", "starlette", "uvicorn", "websockets", "pydantic", "pydantic-core", "pydantic-settings",
    "python-dotenv", "typing-extensions", "typing-inspection", "annotated-types", "annotated-doc", "anyio",
    "sniffio", "idna", "exceptiongroup", "httpx", "httpx2", "httpcore", "h11", "certifi", "tenacity", "pybreaker",
    "click", "colorama", "pytest", "pluggy", "iniconfig", "packaging", "pygments", "tomli", "py-consul",
})


def add_dependencies(pyproject: str, extra: tuple[str, ...],
                     locks: tuple[str, dict[str, str]] = ("", {})) -> str:
    """The service's pyproject.toml with the monolith's requirements added to its dependencies:
    at the versions of the monolith's lock file (``locks``: its name and pins) when it has one,
    except the packages the service's own stack needs too."""
    lock_file, locked = locks
    lines = pyproject.splitlines(keepends=True)
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == "dependencies = [")
        end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "]")
    except StopIteration:
        return pyproject
    have = {_requirement_name(json.loads(ln.strip().rstrip(","))) for ln in lines[start + 1:end]
            if ln.strip().startswith('"')}
    new = []
    for d in extra:
        name = _requirement_name(d)
        if name in have:
            continue
        at_lock = at_locked_version(d, locked) if name not in SERVICE_STACK else None
        if at_lock is not None:
            new.append(f"    {json.dumps(at_lock)},  # the release {lock_file} locks, and its patch releases\n")
            continue
        if name in SERVICE_STACK:
            loose, why = loosen_pin(d), "at least that version, so the service's own dependencies resolve"
        else:
            loose, why = same_series(d), "that version's release series: the copied code was written for it"
        if loose == d:
            why = "the monolith's requirement: the copied code needs it"
        new.append(f"    {json.dumps(loose)},  # {why}\n")
    return "".join(lines[:end] + new + lines[end:])


_EXACT_PIN = re.compile(r"(?<![=<>!~])==\s*([A-Za-z0-9_.+-]+?)(?:\.\*)?\s*(?=;|$)")


def _exact(spec: str) -> tuple[str, str, str] | None:
    """``(head before the pin, pinned version, marker part)`` of a spec with one exact pin."""
    head, sep, marker = spec.partition(";")
    if head.count("==") != 1 or "," in head or "===" in head:
        return None
    m = _EXACT_PIN.search(head.rstrip())
    if m is None:
        return None
    return head.rstrip()[:m.start()], m.group(1), (" ;" + marker if sep else "")


def loosen_pin(spec: str) -> str:
    """``python-dotenv==0.19.2`` -> ``python-dotenv>=0.19.2``: for a package the service's own
    stack needs too (:data:`SERVICE_STACK`), whose newer release the service may need. Other
    specifiers, compound ones and markers stay as written."""
    exact = _exact(spec)
    if exact is None:
        return spec
    name, version, marker = exact
    return f"{name}>={version}{marker}"


def same_series(spec: str) -> str:
    """``marshmallow==2.20.2`` -> ``marshmallow>=2.20.2,<3``, ``flask-marshmallow==0.10.1`` ->
    ``flask-marshmallow>=0.10.1,<0.11``: the monolith's exact pin opened to the releases of
    its series, which keep the API the copied code calls (CTFd's ``ma.ModelSchema`` is gone
    from flask-marshmallow 0.12 and later) and may add wheels for a newer Python. A version
    that is no plain number stays pinned as it is."""
    exact = _exact(spec)
    if exact is None:
        return spec
    name, version, marker = exact
    parts = version.split(".")
    if not all(p.isdigit() for p in parts):
        return spec
    major = int(parts[0])
    if major > 0:
        upper = str(major + 1)
    elif len(parts) > 1:
        upper = f"0.{int(parts[1]) + 1}"
    else:
        return spec
    return f"{name}>={version},<{upper}{marker}"


def _manifest(files: dict[str, str | bytes], x: Extraction) -> str:
    data = json.loads(files[MANIFEST])
    summary = x.summary()
    data["extract"] = {
        **summary,
        "services": [
            {"slug": s.slug, "modules": len(s.modules), "replicas": len(s.replicas),
             "rewired": s.count("rewired"), "replicated": s.count("replicated"), "stubbed": s.count("stubbed"),
             "operations_ported": sum(1 for o in s.operations if o.ported),
             "operations_stubbed": sum(1 for o in s.operations if not o.ported),
             "routes_ported": sum(1 for r in s.routes if r.ported),
             "routes_stubbed": sum(1 for r in s.routes if not r.ported),
             "foreign_entity_accesses": len(s.foreign)}
            for s in x.services
        ],
    }
    data["files"] = {p: hashlib.sha256(t if isinstance(t, bytes) else t.encode("utf-8")).hexdigest()
                     for p, t in sorted(files.items())
                     if p != MANIFEST}
    return json.dumps(data, indent=2, ensure_ascii=True) + "\n"
