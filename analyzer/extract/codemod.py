"""The libcst codemods that turn a monolith module into its copy inside one service.

One transformer pass over the statements the plan keeps:

- imports (absolute, relative, star, inside functions) are rewritten to the service's
  layout: ``shop.orders.services`` -> ``orders_service.ported.shop.orders.services``, shared
  modules -> ``orders_service.vendor.shop.common.helpers``;
- in the vendored shared library, statements that use another service's code (and the names
  they bind, transitively, in the scope they bind them) are pruned;
- SQLAlchemy models drop foreign keys to tables other services own and relationships to
  their entities (the data lives in another database now); a Django model's ``ForeignKey`` or
  ``OneToOneField`` to another service's model becomes the id column it was
  (``customer_id = models.BigIntegerField(...)``) and its ``ManyToManyField`` goes;
- strings that name code (dotted paths in settings) point at the copy when the code is here,
  and entries of a literal list/tuple (or a call in one: ``include("x.urls")``) or of a dict
  that name another service's code are dropped;
- classes and functions copied from another service are marked with a comment.

Every change is reported as a :class:`~analyzer.extract.model.Removal` with its line.
Nothing is executed or imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from analyzer.extract.inventory import ModuleInventory, NameUse, Parsed, dotted, is_type_checking
from analyzer.extract.model import ModulePlan, Removal
from analyzer.facts import absolute

_ORM_RELATION = frozenset({"relationship", "relation"})
_TYPING_WORDS = frozenset({"Mapped", "Optional", "List", "list", "Set", "set", "Union", "DynamicMapped",
                           "WriteOnlyMapped", "dict", "Dict", "None"})


class _Body:
    """A function body the pass is inside, for pruning by Python's scopes: ``free`` are the
    names it reads from around it (all others are its parameters and locals), ``pruned`` its
    own names that a pruned statement or a removed import bound. A parameter is bound on
    every call: a pruned statement that binds it again (``query = query.join(m)`` in a loop
    that goes) leaves it bound."""

    __slots__ = ("_free", "is_package", "module", "node", "params", "pruned")

    def __init__(self, node: cst.FunctionDef, module: str, is_package: bool) -> None:
        self.node, self.module, self.is_package = node, module, is_package
        self.params = frozenset(p.name.value for p in _params(node))
        self.pruned: set[str] = set()
        self._free: frozenset[str] | None = None

    @property
    def free(self) -> frozenset[str]:
        """Computed when a statement first reads a pruned name: most bodies never do."""
        if self._free is None:
            use = NameUse(self.module, self.is_package)
            self.node.visit(use)
            self._free = frozenset(use.loads)
        return self._free


@dataclass(frozen=True, slots=True)
class CopyContext:
    """What the codemod needs to know beyond the module itself."""

    service: str  # slug
    package: str  # ``orders_service``
    source_path: str  # path of the module in the monolith (for reports)
    local: Callable[[str], str]  # monolith dotted module -> dotted module inside the service
    is_monolith: Callable[[str], bool]
    strings: dict[str, str | None]  # code-naming string -> replacement (None: another service's)
    foreign_tables: frozenset[str]  # tables owned by other services
    foreign_entities: frozenset[str]  # model class names owned by other services only
    entity_classes: frozenset[str]  # names of the kept classes that are entities
    replica_note: dict[str, str]  # replicated unit -> owning service slug
    # one-word Django app names (``name = "catalog"`` of an AppConfig) -> the copy here
    app_names: dict[str, str] = field(default_factory=dict)
    # line of a route registration in this module (``app.add_url_rule(...)``) whose handler
    # another service serves -> what the report says of it
    foreign_routes: dict[int, str] = field(default_factory=dict)
    # line of an item of a top-level list that calls a stub's method on import
    # (``path("add/", views.UserAdd.as_view())``) -> why it goes
    stub_items: dict[int, str] = field(default_factory=dict)
    # ``model = ...`` of a Meta (a ModelForm's, a FilterSet's) as written -> the model's fields
    # that became an ``<name>_id`` column here, and its many-to-many fields that went
    meta_fields: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    # a library the monolith holds below the release the service's stack needs -> the module
    # of the newer release that keeps the older API (``pydantic`` -> ``pydantic.v1``)
    library_renames: dict[str, str] = field(default_factory=dict)


def one_line(node: cst.CSTNode, limit: int = 140) -> str:
    text = " ".join(cst.Module(body=[]).code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _module_expr(name: str) -> cst.Attribute | cst.Name:
    parts = name.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for p in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(p))
    return node


def _bare_dotted_imports(inventory: ModuleInventory, cc: CopyContext) -> dict[str, str]:
    """Monolith modules a module imports bare and dotted (``import searx.plugins``, no
    ``as``: the inventory's ``loads``), each with the dotted name of its copy in this service."""
    return {b.loads: cc.local(b.loads) for st in inventory.statements for b in st.imports
            if b.loads is not None and cc.is_monolith(b.loads)}


def _loads(node: cst.CSTNode, module: str, is_package: bool) -> set[str]:
    use = NameUse(module, is_package)
    node.visit(use)
    return use.loads


def _header_loads(node: cst.CSTNode, module: str, is_package: bool) -> set[str]:
    """Names a compound statement needs before running its body (test, iterable, decorators...)."""
    parts: list[cst.CSTNode] = []
    if isinstance(node, (cst.If, cst.While)):
        parts = [node.test]
    elif isinstance(node, cst.For):
        parts = [node.iter]
    elif isinstance(node, cst.With):
        parts = [i.item for i in node.items]
    elif isinstance(node, cst.FunctionDef):  # its annotations: see _annotations
        parts = [*(d.decorator for d in node.decorators), *(p.default for p in _params(node) if p.default)]
    elif isinstance(node, cst.ClassDef):
        parts = [*(d.decorator for d in node.decorators), *(a.value for a in (*node.bases, *node.keywords))]
    out: set[str] = set()
    for p in parts:
        out |= _loads(p, module, is_package)
    return out


def _params(node: cst.FunctionDef) -> list[cst.Param]:
    p = node.params
    return [*p.posonly_params, *p.params, *p.kwonly_params,
            *(x for x in (p.star_arg, p.star_kwarg) if isinstance(x, cst.Param))]


def _annotations(node: cst.FunctionDef) -> list[cst.Annotation]:
    """A def's parameter and return annotations: evaluated when the def runs, but only kept
    (a string does as well, unless something asks for the type hints)."""
    out = [p.annotation for p in _params(node) if p.annotation is not None]
    return out + ([node.returns] if node.returns is not None else [])


class _Quote(cst.CSTTransformer):
    """The annotations that name pruned code, as strings (``current_user: "DispatchUser"``)."""

    def __init__(self, pruned: Callable[[set[str]], set[str]], module: str, is_package: bool) -> None:
        super().__init__()
        self.pruned = pruned
        self.module = module
        self.is_package = is_package

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        return False

    def leave_Annotation(self, original: cst.Annotation, updated: cst.Annotation):
        if isinstance(original.annotation, cst.SimpleString) or \
                not self.pruned(_loads(original, self.module, self.is_package)):
            return updated
        code = cst.Module(body=[]).code_for_node(original.annotation)
        return updated.with_changes(annotation=cst.SimpleString(repr(" ".join(code.split()))))


_OTHER_HANDLER = ("a logging handler of another service's code (`{handler}`): a `logging.NullHandler` here, so "
                  "the records it took go nowhere in this service; send them to that service")
_OLDER_API = ("`{module}` is now `{renamed}`: the monolith runs a release below the one the service's stack "
              "needs, and that release keeps the older API there")


class ModuleCopy(cst.CSTTransformer):
    """One pass of every rewrite over a module whose top-level statements are already chosen."""

    def __init__(self, parsed: Parsed, plan: ModulePlan, cc: CopyContext) -> None:
        super().__init__()
        self.parsed = parsed
        self.module = parsed.inventory.module
        self.is_package = parsed.inventory.is_package
        self.plan = plan
        self.cc = cc
        self.pruned = set(plan.pruned)
        self.removals: list[Removal] = []
        self.depth = 0
        self.quoted: set[int] = set()  # defs whose annotations name pruned code (see _Quote)
        self.bodies: list[_Body] = []  # the function bodies the pass is inside, innermost last
        self.classes: list[str] = []
        self.changed_names = False
        self.doomed: set[int] = set()
        self.dicts = 0  # dict displays the pass is inside
        self.arg_tuples: set[int] = set()  # tuples handed to a call as an argument
        self.displays: list[bool] = [False]  # per list, set or tuple the pass is inside: is it such a tuple
        # the source line of each statement this pass made in an entity class's body (by the
        # identity of the new node), for what a later pass over the copy reports of it
        self.lines: dict[int, int] = {}
        # monolith modules imported bare and dotted (``import searx.plugins``) -> their copy:
        # the code reaches them as ``searx.plugins.Plugin``, rewritten to the copy's full name
        self.dotted_imports = _bare_dotted_imports(parsed.inventory, cc)
        self.in_import = 0

    # -- reporting --------------------------------------------------------------------------------
    def _removed(self, original: cst.CSTNode, what: str, reason: str) -> None:
        line = self.lines.get(id(original)) or self.parsed.line(original)
        self.removals.append(Removal(self.cc.service, self.module, f"{self.cc.source_path}:{line}", what, reason))

    # -- scopes -----------------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        entered = self._enter(node)  # decorators and defaults: in the scope around
        if entered and self.pruned and any(self._pruned_of(_loads(a, self.module, self.is_package))
                                           for a in _annotations(node)):
            self.quoted.add(id(node))
        if self.pruned:
            self.bodies.append(_Body(node, self.module, self.is_package))
        return entered

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        self.classes.append(node.name.value)
        return self._enter(node)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef):
        self.depth -= 1
        if self.depth == 0 and self.cc.foreign_entities:
            # ``@event.listens_for(UserToRecipe, "after_delete")``: the owner's listener (mealie)
            updated = self._without_foreign_registrations(original, updated)
        if self.pruned:
            self.bodies.pop()
        if id(original) in self.quoted:  # in the scope around it, as its header
            quote = _Quote(self._pruned_of, self.module, self.is_package)
            updated = updated.with_changes(params=updated.params.visit(quote),
                                           returns=updated.returns.visit(quote) if updated.returns else None)
            self._removed(original, f"def {original.name.value}(...)", "its annotations name another service's code: "
                                                                       "kept as strings (shared library copy)")
        return self._compound(original, self._mark(updated))

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef):
        self.depth -= 1
        self.classes.pop()
        if self.depth == 0 and self.cc.foreign_entities:
            updated = self._without_foreign_registrations(original, updated)
        return self._compound(original, self._mark(updated))

    def _without_foreign_registrations(self, original, updated):
        """A top-level def without the decorators that hand another service's model to a call."""
        kept = [d for d in updated.decorators if self._foreign_entity_argument(d.decorator) is None]
        for d in original.decorators:
            entity = self._foreign_entity_argument(d.decorator)
            if entity is not None:
                self._removed(d, f"@{one_line(d.decorator)}", _REGISTERS.format(entity=entity))
        return updated.with_changes(decorators=kept) if len(kept) != len(updated.decorators) else updated

    def _stub_receiver(self, node: cst.BaseExpression) -> str | None:
        """The stub of this copy a top-level call is made on: ``RecipeCategoryResponse.
        model_rebuild()`` after the class became a stub (mealie's schemas), or a method of
        another service's model; run on import, it raised in every service holding the copy."""
        if not isinstance(node, cst.Call):
            return None
        if isinstance(node.func, cst.Attribute):
            root = node.func.value
            while isinstance(root, cst.Attribute):
                root = root.value
            if isinstance(root, cst.Name):
                name = root.value
                entry = self.plan.facade.get(name)
                if (entry is not None and entry.kind == "stub") or name in self.cc.foreign_entities:
                    return name
        # and a call of its argument (CTFd's ``ns.schema_model("Award", AwardResponse.apidoc())``)
        return next((found for arg in node.args if (found := self._stub_receiver(arg.value)) is not None), None)

    def _foreign_entity_argument(self, node: cst.BaseExpression) -> str | None:
        """Another service's model handed to a call (``admin.site.register(Alert, AlertAdmin)``,
        ``@admin.register(Alert)``): in the copy it is a stub, and the call fails on import."""
        if not isinstance(node, cst.Call):
            return None
        for arg in node.args:
            name = (dotted(arg.value) or "").rsplit(".", 1)[-1] if isinstance(arg.value, (cst.Name, cst.Attribute)) \
                else None
            if name in self.cc.foreign_entities:
                return name
        return None

    def _mark(self, node):
        owner = self.cc.replica_note.get(node.name.value) if self.depth == 0 else None
        if owner is None:
            return node
        comment = cst.EmptyLine(comment=cst.Comment(
            f"# Replicated from the {owner} service by msa-analyzer: no database access, no shared module state."))
        return node.with_changes(leading_lines=[*node.leading_lines, comment])

    # -- pruning in the shared library -----------------------------------------------------------------
    def _pruned_of(self, names: set[str]) -> set[str]:
        """The names among ``names`` that are pruned where they are read: a function's
        parameters and locals are its own (a pruned local of one function, or a module-level
        name pruned, says nothing of a parameter of the same name elsewhere: Dispatch's
        ``get_all(*, db_session, model)`` lost its body to a ``for model, join in ...`` pruned
        in another function)."""
        out: set[str] = set()
        if not names & self.pruned and not any(names & body.pruned for body in self.bodies):
            return out  # the cheap test first: most statements read no pruned name
        for name in names:
            for body in reversed(self.bodies):
                if name not in body.free:
                    if name in body.pruned:
                        out.add(name)
                    break
            else:
                if name in self.pruned:
                    out.add(name)
        return out

    def _lost(self, name: str) -> None:
        """An import binding ``name`` was removed: inside a function, that local is gone too."""
        if self.bodies:
            self.bodies[-1].pruned.add(name)

    def _enter(self, node: cst.CSTNode) -> bool:
        """A compound statement whose header uses a pruned name goes whole: its body is not visited."""
        if self.pruned and self._pruned_of(_header_loads(node, self.module, self.is_package)):
            self.doomed.add(id(node))
            self._prune(node)
            return False
        return True

    def _compound(self, original, updated):
        if id(original) in self.doomed:
            return cst.RemoveFromParent()
        return updated

    def visit_If(self, node: cst.If) -> bool:
        return self._enter(node)

    def visit_While(self, node: cst.While) -> bool:
        return self._enter(node)

    def visit_For(self, node: cst.For) -> bool:
        return self._enter(node)

    def visit_With(self, node: cst.With) -> bool:
        return self._enter(node)

    def _prune(self, original: cst.CSTNode) -> None:
        use = NameUse(self.module, self.is_package)
        original.visit(use)
        if self.bodies:  # the names it binds are the function's own
            self.bodies[-1].pruned.update(use.stores - self.bodies[-1].params)
        else:
            fresh = use.stores - self.pruned
            if fresh:
                self.pruned |= fresh
                self.changed_names = True
        self._removed(original, one_line(original), "uses code of another service (shared library copy)")

    def leave_If(self, original: cst.If, updated: cst.If):
        return self._compound(original, updated)

    def leave_While(self, original: cst.While, updated: cst.While):
        return self._compound(original, updated)

    def leave_For(self, original: cst.For, updated: cst.For):
        return self._compound(original, updated)

    def leave_With(self, original: cst.With, updated: cst.With):
        return self._compound(original, updated)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock):
        if not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
        return updated

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        result = self._leave_line(original, updated)
        if self._in_entity() and isinstance(result, cst.SimpleStatementLine):
            self.lines[id(result)] = self.parsed.line(original)
        return result

    def _leave_line(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if (self.cc.foreign_routes or self.cc.stub_items) and len(updated.body) == 1 \
                and isinstance(original.body[0], cst.Expr) \
                and isinstance(original.body[0].value, cst.Call):
            line = self.parsed.line(original.body[0].value)
            route = self.cc.foreign_routes.get(line) or self.cc.stub_items.get(line)
            if route is not None:
                self._removed(original, one_line(original), route)
                return cst.RemoveFromParent()
        if self.depth == 0 and self.cc.foreign_entities and len(updated.body) == 1 \
                and isinstance(updated.body[0], cst.Expr):
            entity = self._foreign_entity_argument(updated.body[0].value)
            if entity is not None:
                self._removed(original, one_line(original), _REGISTERS.format(entity=entity))
                return cst.RemoveFromParent()
        if self.depth == 0 and len(updated.body) == 1 and isinstance(updated.body[0], cst.Expr):
            stub = self._stub_receiver(updated.body[0].value)
            if stub is not None:
                self._removed(original, one_line(original), _STUB_CALLED.format(name=stub))
                return cst.RemoveFromParent()
        if len(updated.body) == 1 and isinstance(updated.body[0], cst.ImportFrom):
            split = self._import_from(original.body[0], updated.body[0])
            if split is not None:
                if not split:
                    return cst.RemoveFromParent()
                if len(split) == 1:
                    return updated.with_changes(body=[split[0]])
                return cst.FlattenSentinel([updated.with_changes(body=[s]) if i == 0 else cst.SimpleStatementLine(
                    body=[s]) for i, s in enumerate(split)])
        if (self.pruned and not any(isinstance(b, (cst.Import, cst.ImportFrom)) for b in updated.body)
                and self._pruned_of(_loads(original, self.module, self.is_package))):
            self._prune(original)
            return cst.RemoveFromParent()
        return updated

    # -- imports ------------------------------------------------------------------------------------
    def _import_from(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> list[cst.ImportFrom] | None:
        level = len(updated.relative)
        target = dotted(updated.module) if updated.module is not None else None
        module = absolute(self.module, self.is_package, level, target)
        if module == "__future__":
            return None
        if level == 0 and not self.cc.is_monolith(module):
            renamed = self._renamed_library(module)
            if renamed is not None:
                self._removed(original, f"from {module} import ...", _OLDER_API.format(module=module, renamed=renamed))
                updated = updated.with_changes(module=_module_expr(renamed))
            if isinstance(updated.names, cst.ImportStar):
                return None if renamed is None else [updated]
            kept = [a for a in updated.names if _bound(a) not in self.pruned]
            if len(kept) == len(updated.names):
                return None if renamed is None else [updated]
            for a in updated.names:
                if _bound(a) in self.pruned:
                    self._lost(_bound(a))
                    self._removed(original, f"import of {module}.{dotted(a.name)}",
                                  "another service's code (shared library copy)")
            if not kept:
                return []
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return [updated.with_changes(names=kept)]
        if isinstance(updated.names, cst.ImportStar):
            return [updated.with_changes(module=_module_expr(self.cc.local(module)), relative=())]
        groups: dict[str, list[cst.ImportAlias]] = {}
        for alias in updated.names:
            name = dotted(alias.name) or ""
            bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            if bound in self.pruned:
                self._lost(bound)
                self._removed(original, f"import of {module}.{name}", "another service's code (shared library copy)")
                continue
            full = f"{module}.{name}"
            parent = self.cc.local(full).rpartition(".")[0] if self.cc.is_monolith(full) else self.cc.local(module)
            groups.setdefault(parent, []).append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        out = []
        for parent, aliases in groups.items():
            aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            out.append(cst.ImportFrom(module=_module_expr(parent), names=aliases, relative=()))
        return out

    def _renamed_library(self, module: str) -> str | None:
        """The module of the newer release standing for ``module`` of an older one the monolith
        holds (``pydantic.fields`` -> ``pydantic.v1.fields``), or ``None``."""
        for old, new in self.cc.library_renames.items():
            if (module == old or module.startswith(old + ".")) and not (module == new or module.startswith(new + ".")):
                return new + module[len(old):]
        return None

    def visit_Import(self, node: cst.Import) -> bool:
        self.in_import += 1
        return True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.in_import += 1
        return True

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        self.in_import -= 1
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute):
        """``searx.plugins.Plugin`` after ``import searx.plugins``: the copy's full name
        (``webapp_service.ported.searx.plugins.Plugin``), which the rewritten import binds. The
        chain's inner part is left first, so the longest imported module matches."""
        if self.in_import or not self.dotted_imports:
            return updated
        name = dotted(updated)
        local = self.dotted_imports.get(name or "")
        return _module_expr(local) if local is not None else updated

    def leave_Import(self, original: cst.Import, updated: cst.Import):
        self.in_import -= 1
        names = []
        for alias in updated.names:
            name = dotted(alias.name) or ""
            bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if (bound or name.split(".")[0]) in self.pruned:
                self._lost(bound or name.split(".")[0])
                self._removed(original, f"import {name}", "another service's code (shared library copy)")
                continue
            if self.cc.is_monolith(name):
                local = self.cc.local(name)
                alias = alias.with_changes(name=_module_expr(local),
                                           asname=alias.asname if bound else cst.AsName(name=cst.Name(name.split(".")[0]))
                                           if "." not in name else None)
            elif (renamed := self._renamed_library(name)) is not None and (bound or "." not in name):
                # ``import pydantic`` -> ``import pydantic.v1 as pydantic`` (a dotted import
                # without a name binds the top package, whose other modules are the newer API's)
                self._removed(original, f"import {name}", _OLDER_API.format(module=name, renamed=renamed))
                alias = alias.with_changes(name=_module_expr(renamed),
                                           asname=alias.asname or cst.AsName(name=cst.Name(name)))
            names.append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        if not names:
            return cst.RemoveFromParent()
        return updated.with_changes(names=names)

    # -- strings that name code -----------------------------------------------------------------------
    def leave_Element(self, original: cst.Element, updated: cst.Element):
        """A string naming another service's code goes from its list; so does an item of a
        top-level list that calls a stub on import (``path("add/", views.UserAdd.as_view())``,
        :func:`analyzer.extract.emit._stub_items`)."""
        if self.depth == 0 and self.cc.stub_items and isinstance(original.value, cst.Call):
            why = self.cc.stub_items.get(self.parsed.line(original.value))
            if why is not None:
                self._removed(original, one_line(original.value), why)
                return cst.RemoveFromParent()
        text = self._foreign_string(original.value)
        if text is not None and not self.displays[-1]:
            what = text if isinstance(original.value, cst.SimpleString) else one_line(original.value)
            self._removed(original, what, "names another service's code: dropped from the list")
            return cst.RemoveFromParent()
        return updated

    # a tuple handed to a call is one value of parts (``include(("wger.core.urls", "core"))``:
    # the URL module and its app name), not a list of items: none of them is dropped, or
    # ``("core",)`` failed with "not enough values to unpack" on import
    def visit_Arg(self, node: cst.Arg) -> None:
        if isinstance(node.value, cst.Tuple):
            self.arg_tuples.add(id(node.value))

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self.displays.append(id(node) in self.arg_tuples)

    def leave_Tuple(self, original: cst.Tuple, updated: cst.Tuple):
        self.displays.pop()
        return updated

    def visit_List(self, node: cst.List) -> None:
        self.displays.append(False)

    def leave_List(self, original: cst.List, updated: cst.List):
        self.displays.pop()
        return updated

    def visit_Set(self, node: cst.Set) -> None:
        self.displays.append(False)

    def leave_Set(self, original: cst.Set, updated: cst.Set):
        self.displays.pop()
        return updated

    def _patterns_of_other_services(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """``i18n_patterns(path("", include("wger.core.urls")), ...)`` at the top level: the
        URL patterns that include another service's URL module, or call a stub on import, go,
        as items of a list do."""
        keep = []
        for before, after in zip(original.args, updated.args, strict=True):
            if not isinstance(before.value, cst.Call):
                keep.append(after)
            elif (why := self.cc.stub_items.get(self.parsed.line(before.value))) is not None:
                self._removed(before, one_line(before.value), why)
            elif self._foreign_string(before.value) is not None:
                self._removed(before, one_line(before.value), "names another service's code: dropped from the list")
            else:
                keep.append(after)
        if len(keep) == len(updated.args):
            return updated
        if keep:
            keep[-1] = keep[-1].with_changes(comma=updated.args[-1].comma)
        return updated.with_changes(args=keep)

    def visit_Dict(self, node: cst.Dict) -> bool:
        self.dicts += 1
        return True

    def leave_Dict(self, original: cst.Dict, updated: cst.Dict):
        self.dicts -= 1
        if self.depth == 0 and self.dicts >= 1:
            return self._handler_of_another_service(original, updated)
        return updated

    def _handler_of_another_service(self, original: cst.Dict, updated: cst.Dict) -> cst.Dict:
        """A ``LOGGING`` handler whose ``"class"`` is another service's code (healthchecks' ``"db":
        {"class": "hc.logs.Handler"}``, which writes the logs service's entity): left in, Django's
        set-up fails on import in every other service; left out, so do the loggers naming it. It
        becomes a ``logging.NullHandler`` that keeps the handler's level, formatter and filters
        (dictConfig's own keys: the others were the class's arguments)."""
        handler = next((e for e in updated.elements if isinstance(e, cst.DictElement)
                        and isinstance(e.key, cst.SimpleString) and e.key.evaluated_value == "class"), None)
        text = self._foreign_string(handler.value) if handler is not None and isinstance(
            handler.value, cst.SimpleString) else None
        if text is None:
            return updated
        kept = [e.with_changes(value=cst.SimpleString('"logging.NullHandler"')) if e is handler else e
                for e in updated.elements if isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
                and e.key.evaluated_value in ("class", "level", "formatter", "filters")]
        if kept and kept[-1] is not updated.elements[-1]:  # the last one's comma, as written
            kept[-1] = kept[-1].with_changes(comma=updated.elements[-1].comma)
        self._removed(original, one_line(original), _OTHER_HANDLER.format(handler=text))
        return updated.with_changes(elements=kept)

    def leave_DictElement(self, original: cst.DictElement, updated: cst.DictElement):
        """``"DEFAULT_PAGINATION_CLASS": "zds.api.pagination.DefaultPagination"`` in a settings
        dict, with the class another service's: the entry goes, as a list's would (the library
        then uses its default); left in, the first use fails with no module ``zds``. Only in a
        dict bound at the top of the module: inside a nested one (a ``LOGGING`` handler's
        ``"class"``) the entry is part of a record the others name, and without it the whole
        configuration fails."""
        text = self._foreign_string(original.value) if self.depth == 0 and self.dicts == 1 else None
        if text is not None:
            self._removed(original, one_line(original), "names another service's code: dropped from the dict")
            return cst.RemoveFromParent()
        return updated

    def _foreign_string(self, value: cst.BaseExpression, depth: int = 0) -> str | None:
        """The string naming another service's code that ``value`` is, or that a call in it is
        handed (``path("v2/", include("modoboa.core.api.v2.urls"))``, an element of a URL list)."""
        if isinstance(value, cst.SimpleString):
            text = value.evaluated_value
            return text if isinstance(text, str) and text in self.cc.strings and self.cc.strings[text] is None else None
        if depth >= 3:
            return None
        if isinstance(value, cst.Call):
            inner = [a.value for a in value.args]
        elif isinstance(value, cst.Tuple):
            inner = [e.value for e in value.elements]
        else:
            return None
        return next((t for t in (self._foreign_string(v, depth + 1) for v in inner) if t is not None), None)

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString):
        text = original.evaluated_value
        if not isinstance(text, str) or text not in self.cc.strings:
            return updated
        new = self.cc.strings[text]
        if new is None or new == text:
            return updated
        quote = original.quote
        return updated.with_changes(value=f"{original.prefix}{quote}{new}{quote}")

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign):
        """``name = "catalog"`` in a class body: a one-word app name, which a plain string
        replacement would also change in ``label = "catalog"``."""
        value = updated.value
        if (not self.cc.app_names or not self.classes or self.depth != len(self.classes)
                or not (self.module.rpartition(".")[2] == "apps" or self.module in self.cc.app_names)
                or len(updated.targets) != 1 or not isinstance(value, cst.SimpleString)):
            return updated
        target = updated.targets[0].target
        new = self.cc.app_names.get(value.evaluated_value) if isinstance(value.evaluated_value, str) else None
        if not isinstance(target, cst.Name) or target.value != "name" or new is None:
            return updated
        return updated.with_changes(value=value.with_changes(value=f"{value.prefix}{value.quote}{new}{value.quote}"))

    # -- ORM models ----------------------------------------------------------------------------------
    def _in_entity(self) -> bool:
        return bool(self.classes) and self.classes[-1] in self.cc.entity_classes

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        if self.depth == 0 and (dotted(original.func) or "").endswith("patterns") \
                and len(original.args) == len(updated.args):
            return self._patterns_of_other_services(original, updated)
        if not self._in_entity():
            return updated
        keep = []
        for arg in updated.args:
            table, cls = _foreign_key_target(arg.value)
            if table is not None and table in self.cc.foreign_tables:
                self._removed(original, one_line(arg.value), f"a foreign key to `{table}`, which another service "
                                                             "owns: the column stays, the constraint goes")
                continue
            if cls is not None and cls in self.cc.foreign_entities:
                # ``ForeignKey(PluginEvent.id)`` reads the class when the model is defined, and
                # here the class is a stub: the model failed on import
                self._removed(original, one_line(arg.value), f"a foreign key to `{cls}`, an entity of another "
                                                             "service: the column stays, the constraint goes")
                continue
            keep.append(arg)
        if len(keep) == len(updated.args):
            return updated
        if keep:
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=keep)


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return dotted(alias.name) or ""


def _foreign_key_target(node: cst.BaseExpression) -> tuple[str | None, str | None]:
    """``(table, None)`` for ``ForeignKey("table.column")``, ``(None, class name)`` for
    ``ForeignKey(Model.column)``; ``(None, None)`` for anything else."""
    if not isinstance(node, cst.Call) or (dotted(node.func) or "").rsplit(".", 1)[-1] != "ForeignKey":
        return None, None
    if not node.args:
        return None, None
    first = node.args[0].value
    if isinstance(first, cst.Attribute):
        parts = (dotted(first) or "").split(".")
        return None, (parts[-2] if len(parts) >= 2 else None)
    if not isinstance(first, cst.SimpleString):
        return None, None
    text = first.evaluated_value
    if not isinstance(text, str) or "." not in text:
        return None, None
    return text.rsplit(".", 1)[0], None


def _relationship_targets(stmt: cst.BaseSmallStatement) -> tuple[str | None, set[str]]:
    """(attribute name, class names it relates to) for ``x: Mapped[...] = relationship(...)``."""
    value = getattr(stmt, "value", None)
    if not isinstance(value, cst.Call) or (dotted(value.func) or "").rsplit(".", 1)[-1] not in _ORM_RELATION:
        return None, set()
    names: set[str] = set()
    if value.args and value.args[0].keyword is None:
        first = value.args[0].value
        if isinstance(first, cst.SimpleString) and isinstance(first.evaluated_value, str):
            names.add(first.evaluated_value.split(".")[-1])
        elif isinstance(first, (cst.Name, cst.Attribute)):
            names.add((dotted(first) or "").rsplit(".", 1)[-1])
    target = None
    if isinstance(stmt, cst.AnnAssign):
        target = stmt.target.value if isinstance(stmt.target, cst.Name) else None
        names |= _annotation_classes(stmt.annotation.annotation)
    elif isinstance(stmt, cst.Assign) and isinstance(stmt.targets[0].target, cst.Name):
        target = stmt.targets[0].target.value
    return target, names


def _annotation_classes(node: cst.BaseExpression) -> set[str]:
    out: set[str] = set()

    class Collect(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> bool:
            if n.value not in _TYPING_WORDS:
                out.add(n.value)
            return False

        def visit_SimpleString(self, n: cst.SimpleString) -> bool:
            text = n.evaluated_value
            if isinstance(text, str):
                try:
                    inner = cst.parse_expression(text)
                except cst.ParserSyntaxError:
                    return False
                inner.visit(self)
            return False

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            out.add(n.attr.value)
            return False

    node.visit(Collect())
    return out


class DropRelations(cst.CSTTransformer):
    """Removes, from the bodies of entity classes, relationships to entities of other services."""

    def __init__(self, copy: ModuleCopy) -> None:
        super().__init__()
        self.copy = copy
        self.classes: list[str] = []
        self.ids: list[set[str]] = []  # per class: the relations it turned into id columns

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.classes.append(node.name.value)
        self.ids.append(set())
        return True

    def leave_ClassDef(self, original, updated):
        self.classes.pop()
        ids = self.ids.pop()
        if not ids:
            return updated
        # the model's Meta names its fields (``unique_together``, ``indexes``, ``ordering``):
        # a relation that became an id column is named by the column's attribute now, or
        # Django stops at "Job has no field named 'repository'" (treeherder)
        body = [st.visit(_RenameFields(ids)) if isinstance(st, cst.ClassDef) and st.name.value == "Meta" else st
                for st in updated.body.body]
        return updated.with_changes(body=updated.body.with_changes(body=body))

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if not self.classes or self.classes[-1] not in self.copy.cc.entity_classes or len(original.body) != 1:
            return updated
        django = _django_relation(updated.body[0], self.copy.cc.foreign_entities)
        if django is not None:
            return self._django_relation(original, updated, *django)
        attr, names = _relationship_targets(original.body[0])
        foreign = sorted(names & self.copy.cc.foreign_entities)
        if attr is None or not foreign:
            return updated
        self.copy._removed(original, one_line(original), f"a relationship to `{foreign[0]}`, an entity of another "
                                                         "service: load it through that service instead")
        return cst.RemoveFromParent()

    def _django_relation(self, original, updated, attr: str, call: cst.Call, target: str):
        """A Django relation to another service's model: the many-to-many goes (its join table
        with it); a foreign key or one-to-one keeps its column as a plain id. Made with the
        related model, the field would fail when the class is defined: the model is a stub."""
        kind = (dotted(call.func) or "").rsplit(".", 1)[-1]
        if kind == "ManyToManyField" or kind not in _DJANGO_RELATIONS:
            self.copy._removed(original, one_line(original), f"a many-to-many relation to `{target}`, an entity of "
                                                             "another service: keep the ids through that service")
            return cst.RemoveFromParent()
        kept = [a for a in call.args if a.keyword is not None and a.keyword.value in _ID_KEYWORDS]
        if kind == "OneToOneField" and not any(a.keyword.value in ("unique", "primary_key") for a in kept):
            kept.append(cst.Arg(keyword=cst.Name("unique"), value=cst.Name("True")))
        if not any(a.keyword.value == "db_index" for a in kept):
            kept.append(cst.Arg(keyword=cst.Name("db_index"), value=cst.Name("True")))
        kept = [a.with_changes(equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                               comma=cst.MaybeSentinel.DEFAULT) for a in kept]
        if isinstance(call.func, cst.Attribute):
            func: cst.BaseExpression = call.func.with_changes(attr=cst.Name("BigIntegerField"))
        else:  # ``ForeignKey`` imported bare: the field class, without an import of its own
            func = cst.parse_expression('__import__("django.db.models").db.models.BigIntegerField')
        field = cst.Call(func=func, args=kept)
        self.copy._removed(original, one_line(original), f"a {kind} to `{target}`, an entity of another service: "
                                                         f"its column stays as the id `{attr}_id`")
        self.ids[-1].add(attr)
        stmt = updated.body[0]
        assign = cst.Assign(targets=[cst.AssignTarget(cst.Name(f"{attr}_id"))], value=field)
        return updated.with_changes(body=[assign.with_changes(semicolon=getattr(stmt, "semicolon", cst.MaybeSentinel.DEFAULT))])


_STUB_CALLED = ("calls a method of `{name}` on import, and `{name}` is a stub here (another service's, or it "
                "reads one when it is defined)")
_REGISTERS = ("hands another service's model `{entity}` (a stub here) to a call made on import: its "
              "registration belongs with that service")


def relations_to(node: cst.ClassDef, foreign: frozenset[str]) -> tuple[frozenset[str], frozenset[str]] | None:
    """What :class:`DropRelations` does to a model class's relations to the models ``foreign``
    names: (the fields that become an ``<name>_id`` column, the many-to-many fields that go),
    or ``None`` when it changes none."""
    ids, gone = set(), set()
    for line in node.body.body:
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            relation = _django_relation(line.body[0], foreign)
            if relation is not None:
                kind = (dotted(relation[1].func) or "").rsplit(".", 1)[-1]
                (gone if kind == "ManyToManyField" or kind not in _DJANGO_RELATIONS else ids).add(relation[0])
    return (frozenset(ids), frozenset(gone)) if ids or gone else None


class _OtherMetas(cst.CSTTransformer):
    """The ``Meta`` of a class built on a model whose relations the copy rewrote (a
    ``ModelForm``'s ``fields = ["child", "name"]``, a django-filter ``FilterSet``'s): its field
    names follow the model, or Django stops on import with "Unknown field(s) (child)"
    (babybuddy's ``TimerForm``, wger's forms and filters)."""

    def __init__(self, models: dict[str, tuple[frozenset[str], frozenset[str]]]) -> None:
        super().__init__()
        self.models = models

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef):
        if updated.name.value != "Meta":
            return updated
        model = next((small.value for line in updated.body.body if isinstance(line, cst.SimpleStatementLine)
                      for small in line.body if isinstance(small, cst.Assign) and len(small.targets) == 1
                      and isinstance(small.targets[0].target, cst.Name) and small.targets[0].target.value == "model"),
                     None)
        fields = self.models.get(dotted(model) or "") if model is not None else None
        if fields is None:
            return updated
        return _without_field_classes(updated, fields[0] | fields[1]).visit(
            _RenameFields(set(fields[0]), set(fields[1])))


def _without_field_classes(meta: cst.ClassDef, names: frozenset[str]) -> cst.ClassDef:
    """A ``Meta``'s ``field_classes`` without the fields that became an id column or went:
    a model choice field forced on the id column failed the form's class ("missing 1
    required positional argument: 'queryset'", Tandoor's ``InviteLinkForm``)."""
    lines = []
    for line in meta.body.body:
        small = line.body[0] if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 else None
        if isinstance(small, cst.Assign) and isinstance(small.value, cst.Dict) and len(small.targets) == 1 \
                and isinstance(small.targets[0].target, cst.Name) and small.targets[0].target.value == "field_classes":
            kept = [e for e in small.value.elements if not (
                isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) and e.key.evaluated_value in names)]
            if len(kept) != len(small.value.elements):
                line = line.with_changes(body=[small.with_changes(value=_no_trailing_comma(
                    small.value, small.value.with_changes(elements=kept)))])
        lines.append(line)
    return meta.with_changes(body=meta.body.with_changes(body=lines))


class _RenameFields(cst.CSTTransformer):
    """Field names in strings (``"repository"``, ``"-repository"``) -> the id column's
    attribute; a list's or tuple's item naming a field that went is left out."""

    def __init__(self, names: set[str], gone: set[str] = frozenset()) -> None:
        super().__init__()
        self.names = names
        self.gone = gone

    def _gone(self, value: cst.BaseExpression) -> bool:
        return isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str) \
            and value.evaluated_value.lstrip("-+") in self.gone

    def leave_Element(self, original: cst.Element, updated: cst.Element):
        return cst.RemoveFromParent() if self._gone(original.value) else updated

    def leave_DictElement(self, original: cst.DictElement, updated: cst.DictElement):
        return cst.RemoveFromParent() if self._gone(original.key) else updated

    def leave_List(self, original: cst.List, updated: cst.List):
        return _no_trailing_comma(original, updated)

    def leave_Tuple(self, original: cst.Tuple, updated: cst.Tuple):
        return _no_trailing_comma(original, updated)

    def leave_Dict(self, original: cst.Dict, updated: cst.Dict):
        return _no_trailing_comma(original, updated)

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString):
        text = updated.evaluated_value
        if not isinstance(text, str):
            return updated
        sign = text[:1] if text[:1] in "-+" else ""
        if text[len(sign):] not in self.names:
            return updated
        return updated.with_changes(value=f"{updated.prefix}{updated.quote}{text}_id{updated.quote}")


def _no_trailing_comma(original, updated):
    """A display whose last items went keeps no comma after its new last one (``["a", ]``)."""
    if len(updated.elements) == len(original.elements) or not updated.elements:
        return updated
    last = updated.elements[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return updated.with_changes(elements=[*updated.elements[:-1], last])


# what a relation's id column keeps of the relation's arguments
_ID_KEYWORDS = frozenset({"null", "blank", "db_column", "db_index", "primary_key", "unique", "default", "editable",
                          "verbose_name", "help_text", "db_comment"})
_DJANGO_RELATIONS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})


def _django_relation(stmt: cst.BaseSmallStatement, foreign: frozenset[str]) -> tuple[str, cst.Call, str] | None:
    """(attribute, call, related model) for ``attr = models.ForeignKey(Model, ...)`` (or a
    one-to-one, a many-to-many; the model by name, dotted, or as ``"app.Model"``) when the
    related model, or the model a many-to-many goes ``through``, is an entity of another
    service."""
    if not isinstance(stmt, (cst.Assign, cst.AnnAssign)) or not isinstance(stmt.value, cst.Call):
        return None
    target = stmt.targets[0].target if isinstance(stmt, cst.Assign) and len(stmt.targets) == 1 else \
        stmt.target if isinstance(stmt, cst.AnnAssign) else None
    call = stmt.value
    if not isinstance(target, cst.Name):
        return None
    # a many-to-many of a library's field class through a model of the project (django-taggit's
    # ``tags = TaggableManager(through=Tagged)``): a stub ``Tagged`` failed the model's class
    through = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "through"), None)
    if isinstance(through, (cst.Name, cst.Attribute)) and (dotted(through) or "").rsplit(".", 1)[-1] in foreign:
        return target.value, call, (dotted(through) or "").rsplit(".", 1)[-1]
    if (dotted(call.func) or "").rsplit(".", 1)[-1] not in _DJANGO_RELATIONS:
        return None
    to = next((a.value for a in call.args if a.keyword is None), None) or \
        next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "to"), None)
    if isinstance(to, cst.SimpleString) and isinstance(to.evaluated_value, str):
        name = to.evaluated_value.rsplit(".", 1)[-1]
    elif isinstance(to, (cst.Name, cst.Attribute)):
        name = (dotted(to) or "").rsplit(".", 1)[-1]
    else:
        return None
    return (target.value, call, name) if name in foreign else None


def keep_statements(parsed: Parsed, plan: ModulePlan) -> list[cst.BaseStatement]:
    """The top-level statements of the copy, in their original order."""
    inv = parsed.inventory
    out = []
    for st, node in zip(inv.statements, parsed.tree.body, strict=True):
        if st.kind in ("docstring", "future"):
            out.append(node)
        elif st.kind in ("def", "class"):
            if st.binds[0] in plan.units:
                out.append(node)
        elif (plan.full and st.index not in plan.stubbed_statements) or st.index in plan.statements:
            out.append(node)
    return out


def prune_unused_imports(module: cst.Module, keep: set[str], name: str, is_package: bool) -> cst.Module:
    """Drops top-level import aliases nothing in a partial copy uses."""
    used: set[str] = set(keep)
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(b, (cst.Import, cst.ImportFrom))
                                                             for b in stmt.body):
            continue
        use = NameUse(name, is_package)
        stmt.visit(use)
        used |= use.loads
        used |= {a for a, _ in use.attrs}
    body = []
    for stmt in module.body:
        if isinstance(stmt, cst.If) and is_type_checking(stmt):
            stmt = _prune_block_imports(stmt, used)
            if stmt is None:
                continue
        elif isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(b, (cst.Import, cst.ImportFrom))
                                                               for b in stmt.body):
            stmt = _prune_line(stmt, used)
            if stmt is None:
                continue
        body.append(stmt)
    return module.with_changes(body=body)


def _prune_line(stmt: cst.SimpleStatementLine, used: set[str]) -> cst.SimpleStatementLine | None:
    small = []
    for b in stmt.body:
        if isinstance(b, cst.ImportFrom) and dotted(b.module) == "__future__":
            small.append(b)
            continue
        if isinstance(b.names, cst.ImportStar):
            small.append(b)
            continue
        names = []
        for alias in b.names:
            bound = (alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name)
                     else (dotted(alias.name) or "").split(".")[0])
            if bound in used:
                names.append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
        if names:
            small.append(b.with_changes(names=names))
    return stmt.with_changes(body=small) if small else None


def _prune_block_imports(stmt: cst.If, used: set[str]) -> cst.If | None:
    if not isinstance(stmt.body, cst.IndentedBlock):
        return stmt
    body = []
    for s in stmt.body.body:
        if isinstance(s, cst.SimpleStatementLine) and all(isinstance(b, (cst.Import, cst.ImportFrom)) for b in s.body):
            s = _prune_line(s, used)
            if s is None:
                continue
        body.append(s)
    if not body:
        return None
    return stmt.with_changes(body=stmt.body.with_changes(body=body))


def copy_module(parsed: Parsed, plan: ModulePlan, cc: CopyContext, header: str,
                facade: str = "") -> tuple[str, list[Removal]]:
    """The text of the service's copy of one module, and what the copy changed or left out."""
    tree = parsed.tree.with_changes(body=keep_statements(parsed, plan))
    transformer = ModuleCopy(parsed, plan, cc)
    for _ in range(4):  # names bound by pruned statements are pruned too: repeat until stable
        transformer.changed_names = False
        transformer.removals = []
        transformer.lines = {}
        out = tree.visit(transformer)
        if not transformer.changed_names:
            break
    if cc.entity_classes:
        out = out.visit(DropRelations(transformer))
    if cc.meta_fields:
        out = out.visit(_OtherMetas(cc.meta_fields))
    if not plan.full:
        out = prune_unused_imports(out, set(plan.exports) | set(plan.facade), parsed.inventory.module,
                                   parsed.inventory.is_package)
    lines = [cst.EmptyLine(comment=cst.Comment(f"# {line}")) for line in header.splitlines()]
    out = out.with_changes(header=[*lines, *out.header])
    text = out.code
    if facade:
        text = text.rstrip("\n") + "\n\n\n" + facade
    return text, transformer.removals
