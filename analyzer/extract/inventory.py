"""What one module of the monolith binds and uses, read from its source with libcst.

Extraction needs more than the analysis document keeps: which top-level statement binds
which name, which names each definition uses (so a copy can keep exactly what it needs),
which module-level names are mutated (state that must not be duplicated), and every import
with its absolute target. One lean visitor pass per module gives all of it; name scopes are
approximated (a local variable that shadows a module-level name counts as a use of it), which
can only keep an import too many, never lose one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import libcst as cst

from analyzer.facts import absolute

# method names that change the container they are called on
MUTATORS = frozenset({
    "append", "appendleft", "extend", "extendleft", "add", "update", "pop", "popleft", "popitem", "clear",
    "remove", "discard", "insert", "setdefault", "sort", "reverse", "rotate",
})
# calls whose result is a plain value: an assignment made only of these is a constant
PURE_CALLS = frozenset({
    "Decimal", "decimal.Decimal", "frozenset", "tuple", "re.compile", "compile", "TypeVar", "typing.TypeVar",
    "logging.getLogger", "getLogger", "timedelta", "datetime.timedelta", "Path", "namedtuple",
    # registries a module fills on import, which its decorators name (``@register.filter``,
    # ``@receiver(post_unread)``): a copy of a module's units gets its own, since a stub of
    # another service's fails the decorator on import (zds-site's template tag libraries and
    # signals); what another process registers or sends never reached it anyway
    "template.Library", "django.template.Library", "Library", "Signal", "dispatch.Signal", "django.dispatch.Signal",
    # translated labels: Django's and Flask-Babel's choices, ``(("open", _("Open")), ...)``
    "_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "pgettext", "pgettext_lazy", "ngettext_lazy",
    "lazy_gettext", "lazy_pgettext",
    # builtins that make a value of their arguments
    "dict", "list", "set", "sorted", "str", "int", "float", "bool", "len", "range", "enumerate", "zip", "reversed",
    "min", "max", "sum",
})
# methods that make a value of a constant one (``content["verbose_name"].capitalize()``)
PURE_METHODS = frozenset({"capitalize", "lower", "upper", "title", "strip", "lstrip", "rstrip", "replace", "format",
                          "join", "split", "keys", "values", "items", "get", "copy"})
# Django's bases of the classes a model's manager is made of (``objects = Q.as_manager()``)
ROW_BASES = frozenset({"QuerySet", "Manager", "BaseManager"})
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
CONSTANT_NAMES = frozenset({"True", "False", "None", "__name__", "__file__"})


@dataclass(frozen=True, slots=True)
class ImportBinding:
    """One name bound by an import: ``import a.b as x`` (attr None) or ``from a import b as x``."""

    name: str
    module: str  # absolute module
    attr: str | None
    line: int
    type_checking: bool = False
    # ``import a.b.c`` binds ``a`` and imports ``a.b.c`` too: a copy that keeps the statement
    # needs that module (searxng's ``import searx.answerers`` kept for its ``searx``)
    loads: str | None = None


# bases of classes that describe data: pydantic's (v1 and v2), typing's and msgspec's
DATA_SHAPE_BASES = frozenset({"BaseModel", "RootModel", "GenericModel", "TypedDict", "NamedTuple", "Struct"})


@dataclass(frozen=True, slots=True)
class Statement:
    """A top-level statement of a module and what it binds and uses."""

    index: int
    kind: str  # docstring | future | import | def | class | assign | other
    binds: tuple[str, ...]
    refs: frozenset[str]  # free names it loads
    attrs: frozenset[tuple[str, str]]  # ``name.attr`` loads
    imports: tuple[ImportBinding, ...]  # every import inside it (nested ones too)
    constant: bool = False  # an assignment of a plain value (literal or pure call)
    type_checking: bool = False  # ``if TYPE_CHECKING:`` block
    main_guard: bool = False  # ``if __name__ == "__main__":`` block: runs only as a script
    dataclass: bool = False
    enum: bool = False
    rows: bool = False  # a Django queryset or manager class: a model's ``objects`` is made of it
    rows_like: bool = False  # derives from a class named like one (django-model-utils' ``InheritanceManager``)
    model_like: bool = False  # derives from a data-shape base: pydantic's ``BaseModel``, ``TypedDict``...
    maker: str = ""  # an instance a library makes of constants: the library callable's dotted name
    defined_with: frozenset[str] = frozenset()  # a class: the free names its body loads while it is defined
    # a class: the ``name.attr`` it loads while it is defined (``class C(sqlitedb.SQLiteAppl)``)
    defined_with_attrs: frozenset[tuple[str, str]] = frozenset()
    decorated_with: frozenset[str] = frozenset()  # a def or class: the names its decorators start from
    chains: frozenset[tuple[str, ...]] = frozenset()  # ``searx.plugins.Plugin`` loads: three names or more
    # a FastAPI dependency alias: ``CurrentUser = Annotated[User, Depends(get_current_user)]``
    dependency: bool = False
    depends: frozenset[str] = frozenset()  # names it hands to ``Depends(...)`` (``Depends(get_current_role)``)
    env: frozenset[str] = frozenset()  # environment variables it reads (``os.environ["DB_URL"]``, ``config("KEY")``)
    env_required: frozenset[str] = frozenset()  # ... of which read with no default
    stars: tuple[str, ...] = ()  # modules the statement star-imports


@dataclass(frozen=True, slots=True)
class ModuleInventory:
    module: str
    is_package: bool
    statements: tuple[Statement, ...]
    mutated: frozenset[str]  # module-level names changed after import (state)
    stars: tuple[str, ...]  # modules star-imported at top level
    all_names: tuple[str, ...] | None  # ``__all__`` when it is a literal list/tuple
    configured: frozenset[str] = frozenset()  # module-level names top-level statements set up further

    def per_process(self, name: str) -> bool:
        """State a copy may hold on its own: bound only to literals and changed only inside
        functions (a registry a decorator fills, a cache), so that the binding alone is its
        whole start. Module state is per process already when the monolith runs several
        workers, as its servers do."""
        binders = self.binders(name)
        return bool(binders) and all(b.constant for b in binders) and name not in self.configured

    def binders(self, name: str) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if name in s.binds)

    def units(self) -> dict[str, Statement]:
        """Top-level classes and functions by name (the last definition wins)."""
        return {s.binds[0]: s for s in self.statements if s.kind in ("def", "class")}


def dotted(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr.value}" if head else None
    return None


def statement_call(node: cst.CSTNode) -> cst.Call | None:
    """The call a statement that is one expression makes (``register_converter(C, "x")``)."""
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1 and isinstance(node.body[0], cst.Expr) \
            and isinstance(node.body[0].value, cst.Call):
        return node.body[0].value
    return None


def is_type_checking(node: cst.If) -> bool:
    return dotted(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def is_main_guard(node: cst.CSTNode) -> bool:
    """``if __name__ == "__main__":`` (either way round)."""
    if not isinstance(node, cst.If) or not isinstance(node.test, cst.Comparison):
        return False
    test = node.test
    if len(test.comparisons) != 1 or not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = (test.left, test.comparisons[0].comparator)
    names = [dotted(x) for x in sides]
    strings = [x.evaluated_value for x in sides if isinstance(x, cst.SimpleString)]
    return "__name__" in names and strings == ["__main__"]


class _Scope:
    """A function, lambda, comprehension or class body met inside the subtree: the names it
    loads that it does not bind itself go to the scope around it."""

    __slots__ = ("kind", "loads", "outer", "stores")

    def __init__(self, kind: str) -> None:
        self.kind = kind  # function | comprehension | class
        self.loads: set[str] = set()
        self.stores: set[str] = set()
        self.outer: set[str] = set()  # declared ``global`` or ``nonlocal``: not bound here


class _AnnotationStrings(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[str] = []

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return (dotted(node.value) or "").rpartition(".")[2] != "Literal"

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        text = node.evaluated_value
        if isinstance(text, str) and text.strip():
            self.found.append(text.strip())
        return False


def _env_read(node: cst.Call | cst.Subscript) -> tuple[str, bool] | None:
    """The environment variable a call or subscript reads, and whether it has no default:
    ``os.environ["DB_URL"]`` (required), ``os.environ.get("DB_URL")``, ``os.getenv("DB_URL")``
    (not a WSGI ``environ``, which is the request's),
    and the settings readers that take one by name (starlette's and python-decouple's
    ``config("SECRET_KEY", ...)``, django-environ's and environs' ``env("DEBUG")``,
    ``env.bool("DEBUG")``; required without a ``default`` or a second argument), whose names
    are in capitals by convention."""
    if isinstance(node, cst.Subscript):
        # ``os.environ`` only: a WSGI callable's own ``environ["PATH_INFO"]`` is the request's
        if dotted(node.value) != "os.environ" or len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = node.slice[0].slice.value
        reader, required = "environ", True
    else:
        if not node.args:
            return None
        name = dotted(node.func) or ""
        if name in ("getenv", "os.getenv", "os.environ.get"):
            reader, required = "environ", False
        elif name in ("config", "env") or name.startswith("env."):
            reader = "settings"
            positional = [a for a in node.args if a.keyword is None]
            required = len(positional) == 1 and not any(a.keyword is not None and a.keyword.value == "default"
                                                         for a in node.args)
        else:
            return None
        key = node.args[0].value
    text = key.evaluated_value if isinstance(key, cst.SimpleString) else None
    if not isinstance(text, str) or not text or (reader == "settings" and not _ENV_NAME.match(text)):
        return None
    return text, required


def _env_prefix(cls: cst.ClassDef) -> str:
    """A settings class's ``env_prefix``: ``model_config = SettingsConfigDict(env_prefix="X_")``
    or, in pydantic 1, ``class Config: env_prefix = "X_"``."""
    for stmt in cls.body.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Config":
            for inner in stmt.body.body:
                for small in inner.body if isinstance(inner, cst.SimpleStatementLine) else ():
                    if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and
                                                             t.target.value == "env_prefix" for t in small.targets):
                        text = small.value.evaluated_value if isinstance(small.value, cst.SimpleString) else None
                        if isinstance(text, str):
                            return text
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            target = small.targets[0].target if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                else small.target if isinstance(small, cst.AnnAssign) else None
            if isinstance(target, cst.Name) and target.value == "model_config" and isinstance(small.value, cst.Call):
                for arg in small.value.args:
                    if arg.keyword is not None and arg.keyword.value == "env_prefix" \
                            and isinstance(arg.value, cst.SimpleString):
                        text = arg.value.evaluated_value
                        return text if isinstance(text, str) else ""
    return ""


def _settings_fields(cls: cst.ClassDef, prefix: str) -> tuple[set[str], set[str]]:
    """The environment variables a pydantic-settings class reads: one per annotated field,
    named by the field with the class's ``env_prefix`` (``prefix``), in capitals (the match
    is not case sensitive); required when the field has no default. A private field
    (``_cache``), a ``ClassVar`` and ``model_config`` are none."""
    names: set[str] = set()
    required: set[str] = set()
    for stmt in cls.body.body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if not isinstance(small, cst.AnnAssign) or not isinstance(small.target, cst.Name):
                continue
            field = small.target.value
            annotation = small.annotation.annotation
            if isinstance(annotation, cst.Subscript):
                annotation = annotation.value
            head = (dotted(annotation) or "").rpartition(".")[2]
            if field.startswith("_") or field == "model_config" or head == "ClassVar":
                continue
            name = (prefix + field).upper()
            if not _ENV_NAME.match(name):
                continue
            names.add(name)
            if small.value is None:
                required.add(name)
    return names, required


def _dependency_alias(value: cst.BaseExpression | None) -> bool:
    """``Annotated[User, Depends(get_current_user)]`` (or ``Security(...)``): a type FastAPI
    reads to call the dependency for each request that names it."""
    if not isinstance(value, cst.Subscript) or (dotted(value.value) or "").rpartition(".")[2] != "Annotated":
        return False
    for element in value.slice[1:]:
        index = element.slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.Call) \
                and (dotted(index.value.func) or "").rpartition(".")[2] in ("Depends", "Security"):
            return True
    return False


def _expression(text: str) -> cst.BaseExpression | None:
    """``text`` parsed as an expression, or ``None``: a string that is no code loads nothing."""
    try:
        return cst.parse_expression(text)
    except Exception:  # noqa: BLE001 - libcst raises several kinds on what is not an expression
        return None


def forward_references(node: cst.BaseExpression) -> list[str]:
    """The strings of an annotation that stand for code (``"Foo | None"``, ``list["Foo"]``),
    not those of a ``Literal[...]``, which are values."""
    if isinstance(node, (cst.Name, cst.Attribute)):
        return []  # most annotations: no string in them
    strings = _AnnotationStrings()
    node.visit(strings)
    return strings.found


class NameUse(cst.CSTVisitor):
    """Loads, stores, ``name.attr`` uses, imports and mutations inside one subtree.

    ``loads`` are the free names of the subtree and ``stores`` the names it binds at its own
    level, under Python's scopes: a function's parameters and assigned names are its own, and
    hide the module's names for the whole function; a class body reads a module name until
    it binds its own (``datetime: datetime.datetime`` reads the module), and its methods do
    not see its names. The approximations keep a name rather than lose one (a walrus inside a
    comprehension binds in the comprehension here, not around it)."""

    def __init__(self, module: str, is_package: bool, type_checking: bool = False) -> None:
        self.module = module
        self.is_package = is_package
        self.type_checking = type_checking
        self.loads: set[str] = set()
        self.stores: set[str] = set()
        self._scopes: list[_Scope] = []
        self.attrs: set[tuple[str, str]] = set()
        self.chains: set[tuple[str, ...]] = set()
        self.imports: list[ImportBinding] = []
        self.mutated: set[str] = set()
        self.depends: set[str] = set()  # names handed to FastAPI's ``Depends(...)`` / ``Security(...)``
        self.env: set[str] = set()  # environment variables read (see _env_read)
        self.env_required: set[str] = set()  # ... with no default
        self.env_checked: set[str] = set()  # ... whose presence the code checks first (``"X" in os.environ``)
        self.globals: set[str] = set()
        self.stars: list[str] = []

    # -- scopes ------------------------------------------------------------------------------
    def enter(self, kind: str) -> None:
        self._scopes.append(_Scope(kind))

    def leave(self) -> None:
        scope = self._scopes.pop()
        free = scope.loads if scope.kind == "class" else scope.loads - (scope.stores - scope.outer)
        # a function, comprehension or class body does not see the names of a class around it
        at = len(self._scopes)
        while at and self._scopes[at - 1].kind == "class":
            at -= 1
        for name in free:
            self._load(name, at)

    def _load(self, name: str, at: int) -> None:
        if not at:
            self.loads.add(name)
            return
        scope = self._scopes[at - 1]
        if scope.kind != "class" or name not in scope.stores:  # a class reads its own name once bound
            scope.loads.add(name)

    def _store(self, name: str) -> None:
        if not self._scopes:
            self.stores.add(name)
            return
        scope = self._scopes[-1]
        scope.stores.add(name)
        if name in scope.outer and name in self.globals:
            self.stores.add(name)

    # -- loads -------------------------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> bool:
        self._load(node.value, len(self._scopes))
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name):
            self.attrs.add((node.value.value, node.attr.value))
        elif (name := dotted(node)) is not None:
            self.chains.add(tuple(name.split(".")))  # ``a.b.c.d`` gives it and, inside, ``a.b.c``
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def _env(self, node: cst.Call | cst.Subscript) -> None:
        read = _env_read(node)
        if read is not None:
            self.env.add(read[0])
            if read[1]:
                self.env_required.add(read[0])

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        self._env(node)
        return True

    def visit_Comparison(self, node: cst.Comparison) -> bool:
        """``"DISPATCH_BUILD" in os.environ``: the code checks before it reads, so the
        variable is read with a default after all."""
        if len(node.comparisons) == 1 and isinstance(node.comparisons[0].operator, cst.In) \
                and dotted(node.comparisons[0].comparator) == "os.environ" and isinstance(node.left, cst.SimpleString):
            name = node.left.evaluated_value
            if isinstance(name, str) and name:
                self.env.add(name)
                self.env_checked.add(name)
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        self._env(node)
        if node.args and isinstance(node.args[0].value, cst.Name) \
                and (dotted(func) or "").rpartition(".")[2] in ("Depends", "Security"):
            self.depends.add(node.args[0].value.value)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in MUTATORS:
            self.mutated.add(func.value.value)
        elif isinstance(func, cst.Name) and func.value == "next" and node.args and isinstance(node.args[0].value,
                                                                                              cst.Name):
            self.mutated.add(node.args[0].value.value)
        return True

    # -- definitions ---------------------------------------------------------------------------
    def _parameters(self, params: cst.Parameters) -> list[str]:
        """Visits the annotations and defaults (in the scope around) and gives the names."""
        names = []
        for p in (*params.posonly_params, *params.params, *params.kwonly_params):
            names.append(p.name.value)
            if p.annotation is not None:
                p.annotation.visit(self)
            if p.default is not None:
                p.default.visit(self)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                names.append(star.name.value)
                if star.annotation is not None:
                    star.annotation.visit(self)
        return names

    def visit_Param(self, node: cst.Param) -> bool:  # outside a def or lambda (not met in practice)
        self._store(node.name.value)
        if node.annotation is not None:
            node.annotation.visit(self)
        if node.default is not None:
            node.default.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._store(node.name.value)
        for d in node.decorators:
            d.visit(self)
        names = self._parameters(node.params)
        if node.returns is not None:
            node.returns.visit(self)
        self._function(names, node.body)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self._function(self._parameters(node.params), node.body)
        return False

    def _function(self, parameters: list[str], body: cst.CSTNode) -> None:
        """A function's or lambda's body, in a scope of its own where its parameters are bound."""
        self.enter("function")
        for name in parameters:
            self._store(name)
        body.visit(self)
        self.leave()

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._store(node.name.value)
        for d in node.decorators:
            d.visit(self)
        for a in (*node.bases, *node.keywords):
            a.visit(self)
        self.enter("class")
        node.body.visit(self)
        self.leave()
        return False

    def _comprehension(self, node) -> bool:
        # the first iterable is evaluated around the comprehension, the rest inside it
        node.for_in.iter.visit(self)
        self.enter("comprehension")
        self.target(node.for_in.target)
        for cond in node.for_in.ifs:
            cond.visit(self)
        if node.for_in.inner_for_in is not None:
            node.for_in.inner_for_in.visit(self)
        if isinstance(node, cst.DictComp):
            node.key.visit(self)
            node.value.visit(self)
        else:
            node.elt.visit(self)
        self.leave()
        return False

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

    def visit_Global(self, node: cst.Global) -> bool:
        for item in node.names:
            self.globals.add(item.name.value)
            self.mutated.add(item.name.value)
            if self._scopes:
                self._scopes[-1].outer.add(item.name.value)
        return False

    def visit_Nonlocal(self, node: cst.Nonlocal) -> bool:
        if self._scopes:
            self._scopes[-1].outer.update(item.name.value for item in node.names)
        return False

    def visit_If(self, node: cst.If) -> bool:
        if is_type_checking(node):
            node.test.visit(self)  # the ``TYPE_CHECKING`` a kept block reads needs its import (mealie)
            saved, self.type_checking = self.type_checking, True
            node.body.visit(self)
            self.type_checking = saved
            if node.orelse is not None:
                node.orelse.visit(self)
            return False
        return True

    # -- stores ----------------------------------------------------------------------------------
    def target(self, node: cst.BaseExpression, aug: bool = False) -> None:
        if isinstance(node, cst.Name):
            if aug:
                self._load(node.value, len(self._scopes))
                self.mutated.add(node.value)
            self._store(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for el in node.elements:
                self.target(el.value)
        elif isinstance(node, cst.StarredElement):
            self.target(node.value)
        elif isinstance(node, cst.Subscript):
            if isinstance(node.value, cst.Name):
                self.mutated.add(node.value.value)
            node.value.visit(self)
            for s in node.slice:
                s.visit(self)
        else:
            node.visit(self)

    # the value before the targets: a class body reads the module's ``x`` in ``x = x + 1``
    def visit_Assign(self, node: cst.Assign) -> bool:
        node.value.visit(self)
        for t in node.targets:
            self.target(t.target)
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        self.target(node.target)
        return False

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        """A string in an annotation is a forward reference (``settings: "UserSettingsRead |
        None"``): pydantic's ``update_forward_refs`` and ``typing.get_type_hints`` look its
        names up in the module, so they are loads too (Dispatch's replicated ``UserRead``
        lost ``UserSettingsRead``, which only a string named)."""
        node.annotation.visit(self)
        for text in forward_references(node.annotation):
            expr = _expression(text)
            if expr is not None:
                expr.visit(self)
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        node.annotation.visit(self)
        if node.value is not None:
            node.value.visit(self)
        self.target(node.target)
        return False

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        self.target(node.target, aug=True)
        node.value.visit(self)
        return False

    def visit_Del(self, node: cst.Del) -> bool:
        self.target(node.target)
        return False

    def visit_For(self, node: cst.For) -> bool:
        node.iter.visit(self)
        self.target(node.target)
        node.body.visit(self)
        if node.orelse is not None:
            node.orelse.visit(self)
        return False

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        self.target(node.target)
        node.iter.visit(self)
        for cond in node.ifs:
            cond.visit(self)
        if node.inner_for_in is not None:
            node.inner_for_in.visit(self)
        return False

    def visit_WithItem(self, node: cst.WithItem) -> bool:
        node.item.visit(self)
        if node.asname is not None:
            self.target(node.asname.name)
        return False

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        if node.type is not None:
            node.type.visit(self)
        if node.name is not None:
            self.target(node.name.name)
        node.body.visit(self)
        return False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> bool:
        node.value.visit(self)
        self.target(node.target)
        return False

    # -- imports -----------------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            name = dotted(alias.name) or ""
            bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if bound:  # import a.b as x: x is the module a.b
                self.imports.append(ImportBinding(bound, name, None, 0, self.type_checking))
                self._store(bound)
            else:  # import a.b: binds a
                head = name.split(".")[0]
                self.imports.append(ImportBinding(head, head, None, 0, self.type_checking,
                                                  name if name != head else None))
                self._store(head)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        level = len(node.relative)
        target = dotted(node.module) if node.module is not None else None
        module = absolute(self.module, self.is_package, level, target)
        if module == "__future__":
            return False
        if isinstance(node.names, cst.ImportStar):
            self.stars.append(module)
            return False
        for alias in node.names:
            name = dotted(alias.name) or ""
            bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.imports.append(ImportBinding(bound, module, name, 0, self.type_checking))
            self._store(bound)
        return False


def _constant(value: cst.BaseExpression | None, names: frozenset[str] | set[str] = frozenset()) -> bool:
    """A literal, or containers, comprehensions and pure calls over literals and the module's
    other constants (``names``): safe to copy into another service."""
    if value is None:
        return False

    class Check(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.ok = True
            self.bound: set[str] = set()  # the targets of the comprehensions met

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            self.ok = False
            return False

        def visit_Call(self, node: cst.Call) -> bool:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in PURE_METHODS and dotted(func) not in PURE_CALLS:
                func.value.visit(self)  # a method of a constant value
            elif dotted(func) not in PURE_CALLS:
                self.ok = False
                return False
            for a in node.args:
                a.value.visit(self)
            return False

        def visit_CompFor(self, node: cst.CompFor) -> bool:
            self.bound = self.bound | {n.value for n in _target_names(node.target)}
            return True

        def _comprehension(self, node) -> bool:
            fors = node.for_in
            while fors is not None:  # the targets first: the element before them names them
                self.bound = self.bound | {n.value for n in _target_names(fors.target)}
                fors = fors.inner_for_in
            return True

        visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            self.ok = False
            return False

        def visit_Name(self, node: cst.Name) -> bool:
            if node.value not in CONSTANT_NAMES and node.value not in names and node.value not in self.bound:
                self.ok = False
            return False

    check = Check()
    value.visit(check)
    return check.ok


def _definition_loads(node: cst.ClassDef, module: str, is_package: bool
                      ) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The free names a class body loads while the class is defined, and the ``name.attr``
    among them: its statements, its nested classes, its methods' decorators and defaults, and
    its bases; not what the methods run later, nor the class's decorators (a registration of
    another service's model there is dropped from the copy)."""
    use = NameUse(module, is_package)
    for b in (*node.bases, *node.keywords):
        b.visit(use)

    def body(cls: cst.ClassDef) -> None:
        for stmt in cls.body.body:
            if isinstance(stmt, cst.FunctionDef):
                for d in stmt.decorators:
                    d.visit(use)
                params = stmt.params
                for p in (*params.posonly_params, *params.params, *params.kwonly_params):
                    if p.default is not None:
                        p.default.visit(use)
            elif isinstance(stmt, cst.ClassDef):
                for b in (*stmt.bases, *stmt.keywords):
                    b.visit(use)
                use.enter("class")
                body(stmt)
                use.leave()
            else:
                stmt.visit(use)

    use.enter("class")
    body(node)
    use.leave()
    return frozenset(use.loads), frozenset((n, a) for n, a in use.attrs if n in use.loads)


def only_in_unions(node: cst.ClassDef) -> frozenset[str]:
    """Names a class body's statements read only as operands of ``|`` (Tandoor's
    ``_listening_to_classes = REGISTERED_CLASSES | ConnectorConfig``): a stub in their place
    stands for the union (``Stub.__or__``), so the class is still defined."""
    union: set[str] = set()
    other: set[str] = set()

    class Reads(cst.CSTVisitor):
        def visit_BinaryOperation(self, n: cst.BinaryOperation) -> bool:
            if not isinstance(n.operator, cst.BitOr):
                return True
            for side in (n.left, n.right):
                if isinstance(side, cst.Name):
                    union.add(side.value)
                else:
                    side.visit(self)
            return False

        def visit_Name(self, n: cst.Name) -> None:
            other.add(n.value)

        def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
            return False  # what a method runs later (its defaults and decorators read as others)

    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef):
            params = stmt.params
            for part in (*stmt.decorators, *(p.default for p in (*params.posonly_params, *params.params,
                                                                  *params.kwonly_params) if p.default is not None)):
                part.visit(Reads())
        else:
            stmt.visit(Reads())
    for b in (*node.bases, *node.keywords):
        b.visit(Reads())
    return frozenset(union - other)


def _target_names(target: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    return []


def _decorators(node: cst.FunctionDef | cst.ClassDef) -> list[str]:
    """The dotted names of the decorators (of the callable, for a call): ``ns.route``."""
    out = []
    for d in node.decorators:
        name = dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
        if name:
            out.append(name)
    return out


def _decorator_names(node: cst.FunctionDef | cst.ClassDef) -> set[str]:
    return {name.rsplit(".", 1)[-1] for name in _decorators(node)}


def _decorator_heads(node: cst.FunctionDef | cst.ClassDef) -> set[str]:
    """The names decorators start from: ``ns`` of ``@ns.route("")``, ``login_required``."""
    return {name.split(".", 1)[0] for name in _decorators(node)}


def _base_names(node: cst.ClassDef) -> set[str]:
    return set(_ordered_base_names(node))


def _ordered_base_names(node: cst.ClassDef) -> list[str]:
    return [(dotted(b.value) or "").rsplit(".", 1)[-1] for b in node.bases]


def _is_docstring(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    expr = stmt.body[0]
    return isinstance(expr, cst.Expr) and isinstance(expr.value, (cst.SimpleString, cst.ConcatenatedString))


def _kind(stmt: cst.CSTNode, index: int) -> str:
    if isinstance(stmt, cst.FunctionDef):
        return "def"
    if isinstance(stmt, cst.ClassDef):
        return "class"
    if isinstance(stmt, cst.SimpleStatementLine):
        if index == 0 and _is_docstring(stmt):
            return "docstring"
        body = stmt.body
        if all(isinstance(b, cst.ImportFrom) and dotted(b.module) == "__future__" and not b.relative for b in body):
            return "future"
        if all(isinstance(b, (cst.Import, cst.ImportFrom)) for b in body):
            return "import"
        if all(isinstance(b, (cst.Assign, cst.AnnAssign)) for b in body):
            return "assign"
    return "other"


def _all_names(stmt: cst.CSTNode) -> tuple[str, ...] | None:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return None
    for b in stmt.body:
        if isinstance(b, cst.Assign) and isinstance(b.value, (cst.List, cst.Tuple)) and any(
                isinstance(t.target, cst.Name) and t.target.value == "__all__" for t in b.targets):
            return tuple(str(el.value.evaluated_value) for el in b.value.elements
                         if isinstance(el.value, cst.SimpleString))
    return None


def _constants_of_constants(statements: list[Statement], values: dict[int, list[cst.BaseExpression | None]],
                            mutated: set[str]) -> None:
    """Assignments made of the module's other constants are constants too
    (``STATUS_CHOICES = ((DRAFT, _("Draft")), ...)`` after ``DRAFT = 0``), to a fixed point;
    a name the module changes after import is none."""
    known = {n for st in statements if st.constant for n in st.binds} - mutated
    todo = [i for i, st in enumerate(statements) if st.kind == "assign" and not st.constant
            and st.index in values and not set(st.binds) & mutated]
    while todo:
        added: set[str] = set()
        for i in todo:
            st = statements[i]
            if not st.constant and all(_constant(v, known) for v in values[st.index]):
                statements[i] = dataclasses.replace(st, constant=True)
                added |= set(st.binds)
        known |= added
        # only what reads a name just found constant can become constant now
        todo = [i for i, st in enumerate(statements) if st.kind == "assign" and not st.constant
                and st.index in values and not set(st.binds) & mutated and st.refs & added]


def _outside_imports(statements: list[Statement], project: Callable[[str], bool]) -> dict[str, str]:
    """Names the module's plain top-level imports bind to code outside the project, with the
    dotted name each stands for (``SQLAlchemy`` -> ``flask_sqlalchemy.SQLAlchemy``)."""
    out: dict[str, str] = {}
    for st in statements:
        if st.kind != "import" or st.type_checking:
            continue
        for b in st.imports:
            if not b.module or project(b.module):
                continue
            out[b.name] = f"{b.module}.{b.attr}" if b.attr else b.module
    return out


# containers of routes: a copy serves the routes of the code that decorates it here; a
# shared app factory's registration of another service's blueprint is pruned instead, since an
# empty copy of it would serve nothing (analyzer.extract.decide)
ROUTE_CONTAINERS = frozenset({"Blueprint", "APIRouter", "Router", "DefaultRouter", "SimpleRouter", "Namespace",
                              "Api", "NinjaAPI", "RouteTableDef", "Sanic"})


def _made_by(value: cst.BaseExpression | None, outside: Mapping[str, str], names: set[str]) -> str:
    """The library callable ``value`` calls, when it is such a call whose arguments are
    constants, imported names (and their attributes), the module's constants and instances
    (``names``) or such calls again: ``SQLAlchemy()``, ``declarative_base()``,
    ``Limiter(key_func=get_remote_address)``, ``create_engine(os.environ["DB_URL"])``."""
    if not isinstance(value, cst.Call):
        return ""
    callee = dotted(value.func)
    if not callee or callee.split(".")[0] not in outside:
        return ""
    head, _, rest = callee.partition(".")
    for arg in value.args:
        if not _argument_made(arg.value, outside, names):
            return ""
    return f"{outside[head]}.{rest}" if rest else outside[head]


def _argument_made(value: cst.BaseExpression, outside: Mapping[str, str], names: set[str]) -> bool:
    if _constant(value, names):
        return True
    if isinstance(value, cst.Call):
        return bool(_made_by(value, outside, names))
    if isinstance(value, cst.Subscript):  # ``os.environ["DB_URL"]``
        return _argument_made(value.value, outside, names) and all(
            isinstance(s.slice, cst.Index) and _constant(s.slice.value, names) for s in value.slice)
    name = dotted(value)
    return bool(name) and (name.split(".")[0] in outside or name.split(".")[0] in names)


def _configured(stmt: cst.CSTNode) -> set[str]:
    """Names a top-level statement sets up further: ``login.login_view = "auth.login"``,
    ``db.init_app(app)``. A copy of the name's assignment alone would lack it."""
    out: set[str] = set()
    if not isinstance(stmt, cst.SimpleStatementLine):
        return out
    for b in stmt.body:
        targets: list[cst.BaseExpression] = []
        if isinstance(b, cst.Assign):
            targets = [t.target for t in b.targets]
        elif isinstance(b, (cst.AugAssign, cst.AnnAssign)):
            targets = [b.target]
        elif isinstance(b, cst.Expr) and isinstance(b.value, cst.Call):
            targets = [b.value.func]
        for t in targets:
            while isinstance(t, (cst.Attribute, cst.Subscript)):
                t = t.value
                if isinstance(t, cst.Name):
                    out.add(t.value)
    return out


def _library_instances(statements: list[Statement], values: dict[int, list[cst.BaseExpression | None]],
                       mutated: set[str], project: Callable[[str], bool]) -> None:
    """Assignments of what a library callable makes of constants are copied like constants:
    each service gets its own ``db = SQLAlchemy()``, ``Base = declarative_base()`` or
    ``engine = create_engine(URL)``, as it gets its own process. A stub in their place fails
    the service's own models on import (``class Fields(db.Model)``). To a fixed point, since an
    instance may be made of another (``sessionmaker(bind=engine)``)."""
    outside = _outside_imports(statements, project)
    if not outside:
        return
    known = {n for st in statements if st.constant for n in st.binds} - mutated
    grew = True
    while grew:
        grew = False
        for i, st in enumerate(statements):
            if st.kind != "assign" or st.constant or st.maker or st.index not in values or set(st.binds) & mutated:
                continue
            makers = [_made_by(v, outside, known) for v in values[st.index]]
            if makers and all(makers):
                statements[i] = dataclasses.replace(st, maker=makers[0])
                known |= set(st.binds)
                grew = True


def inventory(module: str, is_package: bool, tree: cst.Module,
              project: Callable[[str], bool] | None = None) -> ModuleInventory:
    """The inventory of a parsed module; ``project`` tells the project's modules from
    libraries (without it no assignment counts as a library's instance)."""
    statements: list[Statement] = []
    mutated: set[str] = set()
    stars: list[str] = []
    all_names: tuple[str, ...] | None = None
    values: dict[int, list[cst.BaseExpression | None]] = {}  # an assignment's index -> its values
    configured: set[str] = set()
    prefixes: dict[str, str] = {}  # pydantic-settings classes of this module -> their ``env_prefix``
    for index, stmt in enumerate(tree.body):
        configured |= _configured(stmt)
        kind = _kind(stmt, index)
        use = NameUse(module, is_package)
        stmt.visit(use)
        mutated |= use.mutated
        stars.extend(use.stars)
        binds: set[str] = set()
        dataclass_like = enum_like = rows = rows_like = model_like = False
        constant = dependency = False
        defined_with: frozenset[str] = frozenset()
        defined_with_attrs: frozenset[tuple[str, str]] = frozenset()
        decorated_with: frozenset[str] = frozenset()
        tc = isinstance(stmt, cst.If) and is_type_checking(stmt)
        main_guard = is_main_guard(stmt)
        if kind in ("def", "class"):
            binds = {stmt.name.value}
            decorated_with = frozenset(_decorator_heads(stmt))
            refs = use.loads - (use.stores - binds)
            refs.discard(stmt.name.value)
            if kind == "class":
                defined_with, defined_with_attrs = _definition_loads(stmt, module, is_package)
                dataclass_like = "dataclass" in _decorator_names(stmt)
                bases = _base_names(stmt)
                enum_like = bool(bases & {"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
                rows = bool(bases & ROW_BASES)
                rows_like = any(b.endswith(("Manager", "QuerySet")) for b in bases)
                model_like = bool(bases & DATA_SHAPE_BASES)
                # the first settings base in declaration order gives the inherited prefix
                inherited = next((prefixes[b] for b in _ordered_base_names(stmt) if b in prefixes), None)
                if inherited is not None or any(b.endswith("BaseSettings") for b in bases):
                    prefix = prefixes[stmt.name.value] = _env_prefix(stmt) or inherited or ""
                    fields, required = _settings_fields(stmt, prefix)
                    use.env |= fields
                    use.env_required |= required
        else:
            binds = set(use.stores)
            refs = set(use.loads)
            if kind == "assign":
                values[index] = [b.value for b in stmt.body]
                constant = all(_constant(v) for v in values[index])
                dependency = all(_dependency_alias(v) for v in values[index])
            names = _all_names(stmt)
            if names is not None:
                all_names = names
        statements.append(Statement(
            index=index, kind=kind, binds=tuple(sorted(binds)), refs=frozenset(refs),
            attrs=frozenset(use.attrs), chains=frozenset(use.chains), imports=tuple(use.imports), constant=constant, type_checking=tc,
            main_guard=main_guard,
            dataclass=dataclass_like, enum=enum_like, rows=rows, rows_like=rows_like, model_like=model_like,
            defined_with=defined_with,
            defined_with_attrs=defined_with_attrs,
            decorated_with=decorated_with, dependency=dependency, depends=frozenset(use.depends),
            env=frozenset(use.env), env_required=frozenset(use.env_required - use.env_checked), stars=tuple(use.stars),
        ))
    _constants_of_constants(statements, values, mutated)
    if project is not None:
        _library_instances(statements, values, mutated | configured, project)
    module_level = {n for s in statements for n in s.binds}
    return ModuleInventory(
        module=module,
        is_package=is_package,
        statements=tuple(statements),
        mutated=frozenset(mutated & module_level),
        stars=tuple(stars),
        all_names=all_names,
        configured=frozenset(configured & module_level),
    )


class Parsed:
    """A parsed module: the tree the codemods transform and its inventory. The line of a node
    (for reports that name the place) is computed on first use: most copies never need one."""

    def __init__(self, tree: cst.Module, inventory: ModuleInventory) -> None:
        self.tree = tree
        self.inventory = inventory
        self._lines: dict[cst.CSTNode, int] | None = None

    def line(self, node: cst.CSTNode) -> int:
        if self._lines is None:
            from libcst.metadata import PositionProvider

            wrapper = cst.MetadataWrapper(self.tree, unsafe_skip_copy=True)
            self._lines = {n: p.start.line for n, p in wrapper.resolve(PositionProvider).items()}
        return self._lines.get(node, 0)


def parse(module: str, is_package: bool, source: str, project: Callable[[str], bool] | None = None) -> Parsed:
    """Parse ``source`` once (libcst); raises ``libcst.ParserSyntaxError`` on bad syntax."""
    tree = cst.parse_module(source)
    return Parsed(tree, inventory(module, is_package, tree, project))
