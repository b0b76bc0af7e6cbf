"""What an expression holds in ORM terms: a model class, rows of an entity, a statement,
a session.

The resolver knows classes, instances and outside things but loses track of data at the
first ORM call (``Order.objects.get(...)`` is just "the result of calling an outside
thing"). This evaluator runs on top of it: it keeps every resolver value (so project code
still resolves through returns, attributes and parameters) and adds tagged values:

``@c:E``      the model class (or ``Table`` object) of entity E
``@o:E``      rows of E: an instance, a queryset, a manager, a related collection, a query
``@col:E``    a column or attribute of E's class (``Order.id``), or a column of its table (``tbl.c.name``)
``@st:r:E``   a SQLAlchemy statement reading E (``select(E)``); ``@st:w:E`` writing E
``@sess``     a SQLAlchemy session
``@m:N:E`` / ``@b:K:E`` / ``@k:N:E`` / ``@sm:N``  a method N looked up on one of the above,
              waiting to be called

Call sites are evaluated with their arguments (:meth:`Values.site`), and a chained call sees
the value of the call it is made on, so ``session.query(Order).filter(...).first()`` holds
rows of Order. Everything is memoized by (scope, expression) or (module, call index), and
what a value with no project code behind it stands for (its tagged twins, its attributes,
its calls) is worked out once per value, whatever the scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.facts import Arg, Binding, argument, is_template
from analyzer.frameworks.orm_sqlalchemy import is_sqla_callable
from analyzer.frameworks.program import Program, outside, receiver_expr, tail
from analyzer.frameworks.registry import Model, Registry, table_entity_id
from analyzer.memo import memoized
from analyzer.resolve import parse_expr, positional_index

READ, WRITE, BOTH = "read", "write", "both"
MAX_EXPR = 2000  # longer reference strings are generated code: not evaluated
MAX_RECEIVERS = 3  # models a receiver may hold for an inherited method's rows to be the receiver's
EXTERNAL = "outside model: "  # marks accesses to models that are not in the project (``auth.User``)
_EMPTY: frozenset[str] = frozenset()
_PLAIN = ("x:", "xi:", "b:", "bi:")  # outside and builtin values: no project code behind them

# Methods of Django querysets / managers / related managers / instances and of SQLAlchemy
# queries and relationship collections: name -> (access, returns rows of the same entity).
_QUERY_API: dict[str, tuple[str | None, bool]] = {}
for _names, _kind, _rows in (
    (("all filter exclude get first last earliest latest order_by distinct select_related prefetch_related "
      "annotate alias only defer using select_for_update reverse none iterator union intersection difference "
      "extra raw complex_filter get_queryset filter_by join outerjoin options limit offset group_by having "
      "with_for_update populate_existing execution_options params one one_or_none paginate get_or_404 "
      "first_or_404 one_or_404 with_entities"), READ, True),
    # ``scalar``: the first column of the first row, a row of the model a statement selects
    # (``session.execute(select(Setting).where(...)).scalar()``, ``query(User).scalar()``)
    ("scalar", READ, True),
    ("count exists values values_list aggregate in_bulk dates datetimes contains explain refresh_from_db",
     READ, False),
    ("create", WRITE, True),
    ("update delete bulk_create bulk_update save add remove clear set append extend insert discard pop soft_delete",
     WRITE, False),
    ("get_or_create update_or_create", BOTH, False),
    # SQLAlchemy 2.0 results: rows of the statement's entity, read where it was built
    ("scalar_one scalar_one_or_none scalars unique fetchall fetchone fetchmany partitions tuples", None, True),
):
    for _n in _names.split():
        _QUERY_API[_n] = (_kind, _rows)
for _n, _v in list(_QUERY_API.items()):  # Django's async twins: aget, acreate, asave, ...
    _QUERY_API.setdefault("a" + _n, _v)
QUERY_API = _QUERY_API
# What other libraries' rows, queries and (for Peewee and Tortoise) model classes add to
# :data:`QUERY_API`, only for their own entities, so a name of theirs (``select``,
# ``delete_instance``) changes nothing for Django or SQLAlchemy code. ``__call__``: a manager
# called (MongoEngine's ``Page.objects(title=t)``); ``__getitem__``: ``User[pk]`` (Peewee).
FRAMEWORK_API: dict[str, dict[str, tuple[str | None, bool]]] = {}
for _framework, _names, _kind, _rows in (
    ("peewee", ("select where switch get_or_none get_by_id dicts tuples namedtuples objects peek execute join_from "
                "left_outer_join for_update __getitem__"), READ, True),
    ("peewee", "insert_many insert_from replace replace_many delete_instance", WRITE, False),
    ("tortoise", "get_or_none using_db force_index use_index", READ, True),
    ("tortoise", "update_from_dict", None, True),
    ("mongoengine", "__call__ skip no_dereference as_pymongo with_id search_text no_cache", READ, True),
    ("mongoengine", "sum average item_frequencies reload", READ, False),
    ("mongoengine", "update_one upsert_one", WRITE, False),
    ("mongoengine", "modify", BOTH, False),
):
    for _n in _names.split():
        FRAMEWORK_API.setdefault(_framework, {})[_n] = (_kind, _rows)
# the libraries whose queries join the models along field paths (``customer__name=``)
_PATH_LOOKUPS = frozenset({"django", "tortoise"})
# what only a SQLAlchemy relationship collection (a Python list or set) has, not a queryset
_COLLECTION_ONLY = frozenset({"append", "extend", "insert", "discard", "pop"})
# a Django many-to-many manager's writes: they change the join table
_M2M_WRITES = frozenset({"add", "remove", "set", "clear", "aadd", "aremove", "aset", "aclear"})

# SQLAlchemy session methods: name -> (access, what the first argument is)
SESSION_API: dict[str, tuple[str | None, str]] = {
    "get": (READ, "class"), "get_one": (READ, "class"), "query": (READ, "classes"),
    "add": (WRITE, "object"), "add_all": (WRITE, "objects"), "delete": (WRITE, "object"),
    "merge": (WRITE, "object"), "refresh": (READ, "object"), "bulk_save_objects": (WRITE, "objects"),
    "bulk_insert_mappings": (WRITE, "class"), "bulk_update_mappings": (WRITE, "class"),
    "execute": (None, "statement"), "scalars": (None, "statement"), "scalar": (None, "statement"),
    "exec": (None, "statement"),
}
_SESSION_WORDS = frozenset({"Session", "sessionmaker", "scoped_session", "AsyncSession", "async_sessionmaker",
                            "async_scoped_session", "session"})
_ORM_ROOTS = frozenset({"sqlalchemy", "flask_sqlalchemy", "sqlmodel"})
AUTH_USER = "django.contrib.auth.models.User"  # Django's user model, unless AUTH_USER_MODEL swaps it
# Proxies an extension fills per request with what a loader of the project returns:
# flask_login's ``current_user`` is what the ``@login_manager.user_loader`` function returns
# (flaskbb: ``db.session.add(current_user)`` writes its users), flask_jwt_extended's what
# ``@jwt.user_lookup_loader`` returns. proxy -> the decorator names of its loaders.
LOADED_PROXIES = {
    "flask_login.current_user": ("user_loader", "request_loader"),
    "flask_login.utils.current_user": ("user_loader", "request_loader"),
    "flask_jwt_extended.current_user": ("user_lookup_loader",),
    "flask_jwt_extended.utils.current_user": ("user_lookup_loader",),
}
# a framework's per-request store holds whatever the project puts there: ``g.lib_sql`` is
# the project's database session (calibre-web's ``CalibreDB.session`` property returns it)
_APP_GLOBALS = ("flask.g.", "quart.g.")
# libraries whose sessions are no database's: the web frameworks' cookie sessions and the HTTP
# clients' (``requests.Session()``, keystoneauth's, boto3's)
_OTHER_SESSIONS = frozenset({"flask", "quart", "werkzeug", "starlette", "fastapi", "django", "aiohttp",
                             "requests", "httpx", "urllib3", "keystoneauth1", "boto3", "botocore"})
# names a SQLAlchemy session or connection goes by when nothing says what it is: warehouse
# (PyPI) adds its session to every Pyramid request as ``request.db`` (``add_request_method``,
# configured through a settings lookup no static reading follows), and queries through it a
# thousand times; a Core connection executes statements as ``conn``. A session method on such a
# name finds an access only through a model or a statement of one (``db.query(Project)``,
# ``conn.execute(select(User))``): a cache or a dict of that name finds none
_SESSION_NAMES = frozenset({"db", "conn", "connection"})
# the tables of Django's contrib models that set their own ``db_table`` (the others are
# ``app_label + "_" + model``: ``auth_user``, ``auth_group``, ``auth_permission``)
DJANGO_TABLES = {
    "django.contrib.contenttypes.models.ContentType": "django_content_type",
    "django.contrib.auth.models.ContentType": "django_content_type",  # imported there, and taken from there
    "django.contrib.sites.models.Site": "django_site",
    "django.contrib.sessions.models.Session": "django_session",
    "django.contrib.admin.models.LogEntry": "django_admin_log",
    "django.contrib.flatpages.models.FlatPage": "django_flatpage",
    "django.contrib.redirects.models.Redirect": "django_redirect",
}
STATEMENT_CTORS = {"select": "r", "update": "w", "insert": "w", "delete": "w"}
_JOINS = frozenset({"join", "outerjoin", "select_from", "join_from"})
# SQLAlchemy loader options that load a relationship's rows with the query's own
_LOADERS = frozenset({"joinedload", "selectinload", "subqueryload", "contains_eager", "immediateload"})
# methods of a Django generic view (or a DRF view) and of a model form on the rows of the model
# the class is declared for (``model = Event``, ``class Meta: model = Event``), and their access
_HANDLED_ROWS = {"get_object": READ, "get_queryset": READ, "save": WRITE}
_MODEL_INSTANCE_ATTRS = frozenset({"object", "instance"})  # ``self.object`` of a DetailView, ``form.instance``
_HANDLER_ROOTS = frozenset({"django", "rest_framework"})
# pydantic's class methods that make an instance: a SQLModel table class makes its rows so
_VALIDATING_CTORS = frozenset({"model_validate", "model_validate_json", "model_validate_strings",
                               "model_construct", "parse_obj", "parse_raw", "from_orm", "construct"})
# Django queryset methods whose field paths (``customer__name=``, ``"customer"``,
# ``Count("items")``) join the models along them, and the expressions that carry such paths
_LOOKUPS = frozenset({
    "filter", "exclude", "get", "select_related", "prefetch_related", "annotate", "alias", "aggregate",
    "order_by", "values", "values_list", "only", "defer", "distinct", "get_or_create", "update_or_create",
    "count", "exists", "first", "last", "earliest", "latest", "update", "delete", "in_bulk",
})
_LOOKUPS = _LOOKUPS | frozenset("a" + n for n in _LOOKUPS)
_PATH_CARRIERS = frozenset({"Q", "F", "Count", "Sum", "Avg", "Min", "Max", "StdDev", "Variance", "Prefetch",
                            "FilteredRelation", "ArrayAgg", "StringAgg", "JSONBAgg", "Coalesce", "Lower", "Upper"})
MAX_PATH_DEPTH = 2  # carriers nested in carriers (``Count("items", filter=Q(items__sku=...))``)
_JOINING = frozenset({"select_related", "prefetch_related", "aselect_related", "aprefetch_related"})
_KEY_LOOKUPS = frozenset({"id", "pk", "in", "isnull", "exact"})  # on a foreign key: its own column
_MODEL_LOADERS = frozenset({"get_model", "load_model"})  # apps.get_model, swapper.load_model
# outside helpers that build a query over the model they are given, like ``session.query(M)``:
# path -> (position, keyword) of the model argument. oslo.db's is what OpenStack services
# (nova, cinder, manila, ...) query through, usually behind a project wrapper of the same name
QUERY_HELPERS = {"oslo_db.sqlalchemy.utils.model_query": (0, "model")}
HELPER_NAMES = frozenset(path.rsplit(".", 1)[1] for path in QUERY_HELPERS)
_SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404", "aget_object_or_404", "aget_list_or_404"})
# a return annotation of a collection of one class: ``list[Item]``, ``Iterator["Item"]``, ``QuerySet[Item]``
_COLLECTION = re.compile(
    r"^(?:typing\.|collections\.abc\.|t\.)?(?:list|List|Sequence|MutableSequence|Iterable|Iterator|Collection|set|Set"
    r"|frozenset|FrozenSet|tuple|Tuple|Generator|AsyncIterator|AsyncIterable|AsyncGenerator|QuerySet)"
    r"\[\s*[\"']?([A-Za-z_][\w.]*)[\"']?\s*(?:,[^\[\]]*)?\]$")
RELEVANT_TAILS = frozenset(QUERY_API) | frozenset(SESSION_API) | frozenset(STATEMENT_CTORS) | _JOINS | _SHORTCUTS | \
    frozenset(_HANDLED_ROWS)


def _split3(value: str) -> tuple[str, str]:
    """``@m:NAME:E`` -> (NAME, E)."""
    _, name, rest = value.split(":", 2)
    return name, rest


@dataclass(frozen=True, slots=True)
class SiteValue:
    """A call site's result and the accesses it makes: ((entity, read|write), ...)."""

    result: frozenset[str]
    accesses: tuple[tuple[str, str], ...] = ()
    unresolved: str | None = None  # an ORM-looking call whose entity is unknown


_NOTHING = SiteValue(_EMPTY)


def _one_class(annotation: str) -> bool:
    """Does an annotation's text name one class, perhaps or ``None`` (``Order``,
    ``Order | None``, ``Optional[Order]``)? Its reference string keeps only the first
    member of a union (``Checkout | Order`` gives ``Checkout``), which says nothing of the
    others."""
    if "Union[" in annotation:
        return False
    return sum(1 for part in annotation.split("|") if part.strip().strip("'\"") != "None") <= 1


class Values:
    def __init__(self, prog: Program, reg: Registry, model_ref=None) -> None:
        self.prog = prog
        self.reg = reg
        self.r = prog.r
        self.model_ref = model_ref  # "app.Model" -> entity id (Django's apps.get_model)
        self._memo: dict[tuple, frozenset[str]] = {}
        self._sites: dict[tuple[str, int], SiteValue] = {}
        self._busy: set[tuple] = set()
        self._lifted: dict[str, tuple[str, ...]] = {}
        self._plain_attr: dict[tuple[str, str], tuple[str, ...]] = {}
        self._plain_call: dict[str, tuple[str, ...]] = {}
        self._helper_returns: dict[str, tuple | None] = {}  # wrapper of a query over a model it is handed -> as _param_returns
        self._param_returns: dict[str, tuple | None] = {}  # function -> its returns, worked out from one parameter
        self._queries: dict[str, tuple[str, str | None] | None] = {}  # function -> see _queried
        self._contextual: set[tuple[str, int]] = set()  # sites valued from their own arguments
        self._handled: dict[str, frozenset[str]] = {}  # class -> the models it is declared for
        self.row_calls: list | None = None  # model methods called on rows (``row_calls``), once
        self._rel: dict[tuple[str, str], str | None] = {}
        self._custom: dict[str, dict[str, str]] = {}
        self._methods: dict[str, frozenset[str]] = {}
        self._managers: dict[str, frozenset[str]] = {}
        self._manager_entities: dict[str, set[str]] = reg.manager_classes
        self._user_model: str | None | bool = False  # see swapped_user_model (False: not asked yet)
        self._loaders: dict[str, list[str]] | None = None  # see loaded
        self._carried: dict[str, dict[str, tuple[int | None, str]]] = {}  # constructor -> see carried_by
        self._carried_cls: dict[str, dict[str, tuple[int | None, str]]] = {}  # class -> see carried
        # the model classes whose ``Model[pk]`` is a row (Peewee), and the call names to
        # evaluate beyond :data:`RELEVANT_TAILS` for the libraries the program's entities use
        self.subscripted = frozenset(m.id for m in reg.models.values()
                                      if "__getitem__" in FRAMEWORK_API.get(m.framework, {}) and m.class_queries)
        tails = set(RELEVANT_TAILS)
        for m in reg.models.values():
            extra = FRAMEWORK_API.get(m.framework, {})
            tails.update(n for n in extra if not n.startswith("__"))
            if "__call__" in extra:
                tails.update(m.managers)
        self.relevant_tails = frozenset(tails)

    # the containers an evaluation fills whose content may depend on the order it asks in
    # (memos with cycle cuts, and what is worked out from them), here and in the resolver
    _ORDERED = ("_memo", "_sites", "_lifted", "_plain_attr", "_plain_call", "_helper_returns", "_param_returns",
                "_queries", "_contextual", "_handled", "_rel", "_custom", "_methods", "_managers", "_carried",
                "_carried_cls")
    _RESOLVER_ORDERED = ("_memo", "_memo_v", "_lookups", "_lookups_v", "_members", "_members_v", "_returned",
                         "_returned_v", "_bases_v", "_mro_v", "_builtin_v", "_own_class", "_returns_param")

    def isolated(self):
        """Save what an evaluation's answers depend on and give ``rerun(fn)``, which runs
        ``fn`` once from the saved state and then puts back the state it found: a second
        share run in this process answers as it would forked before the first (``forked.shares``)."""
        def state():
            return ([getattr(self, n) for n in self._ORDERED], [getattr(self.r, n) for n in self._RESOLVER_ORDERED])

        def install(mine, resolver) -> None:
            for n, v in zip(self._ORDERED, mine):
                setattr(self, n, v)
            for n, v in zip(self._RESOLVER_ORDERED, resolver):
                setattr(self.r, n, v)

        # one copy, used once: at 1.2 M lines the resolver's memos alone are some 40 MiB
        saved = [tuple([c.copy() for c in part] for part in state())]

        def rerun(fn):
            found = state()
            install(*saved.pop())  # a second share to isolate would need a copy of its own
            try:
                return fn()
            finally:
                install(*found)
        return rerun

    # -- resolver values -> tagged values ----------------------------------------------
    def lift(self, values) -> set[str]:
        """The resolver values and the tagged values they stand for."""
        out = set(values)
        lifted = self._lifted
        for v in values:
            more = lifted.get(v)
            if more is None:
                more = lifted[v] = self._lift_one(v)
            if more:
                out.update(more)
        return out

    def _lift_one(self, v: str) -> tuple[str, ...]:
        """The tagged values one resolver value stands for (the same in every scope, so
        :meth:`lift` computes them once per value)."""
        out: list[str] = []
        reg = self.reg
        tag, _, q = v.partition(":")
        if tag == "d":
            e = reg.by_class.get(q)
            if e is not None:
                out.append(f"@c:{e}")
        elif tag in ("i", "s"):
            e = reg.by_class.get(q)
            if e is not None:
                out.append(f"@o:{e}")
            for c in self.r.mro(q) if q in self.r.defs else ():
                for m in self._manager_entities.get(c, ()):
                    out.append(f"@o:{m}")
        elif tag in ("x", "xi"):
            root = q.split(".", 1)[0]
            if root in _ORM_ROOTS and q.rsplit(".", 1)[-1] in _SESSION_WORDS:
                out.append("@sess")
            elif q == AUTH_USER and self.swapped_user_model() is not None:
                out.append(f"@{'c' if tag == 'x' else 'o'}:{self.swapped_user_model()}")
            elif tag == "x" and q in LOADED_PROXIES:
                out.extend(sorted(self.loaded(q)))
        return tuple(out)

    def loaded(self, proxy: str) -> set[str]:
        """The rows a request proxy holds (:data:`LOADED_PROXIES`): what the project's
        loaders for it return."""
        if self._loaders is None:
            names = {n for loaders in LOADED_PROXIES.values() for n in loaders}
            self._loaders = {}
            for q, d in sorted(self.r.defs.items()):
                if d.kind != "function":
                    continue
                for dec in d.decorators:
                    holder, _, name = (dec.expr or "").rpartition(".")
                    if holder and name in names:  # ``@login_manager.user_loader``
                        self._loaders.setdefault(name, []).append(q)
        out: set[str] = set()
        for name in LOADED_PROXIES[proxy]:
            for func in self._loaders.get(name, ()):
                out |= {v for v in self.returns(func) if v.startswith("@o:")}
        return out

    def swapped_user_model(self) -> str | None:
        """The project's user model when ``AUTH_USER_MODEL`` swaps Django's out: there, Django's
        own ``User`` cannot be used at all (its manager raises), so ``get_user_model()`` and
        any reference to ``auth.User`` stand for the project's model."""
        if self._user_model is False:
            setting = self.prog.setting("AUTH_USER_MODEL")
            found = self.model_ref(setting) if isinstance(setting, str) and self.model_ref else None
            self._user_model = found if found in self.reg.models else None
        return self._user_model  # type: ignore[return-value]

    # -- expressions -------------------------------------------------------------------
    def types(self, scope: str, expr: str | None) -> frozenset[str]:
        if not expr:
            return _EMPTY
        hit = self._memo.get((scope, expr))  # the hot path, without a call
        if hit is not None:
            return hit
        return memoized(self._memo, self._busy, (scope, expr), self._types, scope, expr)

    def _types(self, scope: str, expr: str):
        if len(expr) > MAX_EXPR:
            return _EMPTY
        ops = parse_expr(expr)
        if not ops:
            return _EMPTY
        name = ops[0][1]
        if len(ops) == 1:  # a plain name: no copy of its value
            return self.names(scope, name)
        if name == "super" and len(ops) > 1 and ops[1][0] == "call":
            values = self.lift(self.r.eval(scope, "super()"))
            i = 2
        elif len(ops) > 1 and ops[1][0] == "item":
            values = set(self.names(scope, name + "[]")) | self.item(self.names(scope, name))
            i = 2
        else:
            values = set(self.names(scope, name))
            i = 1
        while i < len(ops) and values:
            op, arg = ops[i]
            if op == "attr":
                values = self.attr(values, arg)
            elif op == "call":
                values = self.call(values)
            else:
                values = self.item(values)
            i += 1
        return values

    def names(self, scope: str, name: str) -> frozenset[str]:
        hit = self._memo.get((scope, "$", name))
        if hit is not None:
            return hit
        return memoized(self._memo, self._busy, (scope, "$", name), self._names, scope, name)

    def _names(self, scope: str, name: str) -> frozenset[str] | set[str]:
        found = self.prog._name_site(scope, name)
        if (found is None or found[0] != scope) and not name.endswith("]"):
            module = found[0] if found is not None else self.prog.module_of(scope)
            if module != scope and module in self.prog.facts:
                # a module's name (its import, class or constant) or no project name: what the
                # module says, asked once for all its functions
                return self.names(module, name)
        resolved = self.r.lookup(scope, name)
        declared = self._declared_models(scope, name)
        if declared:
            resolved = [v for v in resolved if not self._contradicts(v, declared)]
        out = self.lift(resolved)
        if found is not None:
            where, bindings, imports = found
            for b in bindings:
                out |= self.binding(where, b)
            for imp in imports:
                if imp.name and imp.name != "*" and imp.module in self.prog.facts:
                    out |= self.names(imp.module, imp.name)
        return out

    def _declared_models(self, scope: str, name: str) -> frozenset[str]:
        """The model classes a parameter's annotation names (``customer: Customer``): rows of
        another model that reach it are the context-insensitive resolver's merge of every
        caller of a method of that name (``service.update(session, organization)``), not
        rows this function is handed."""
        p = self.r.params.get(scope, {}).get(name)
        if p is None or not p.annotation_expr or p.kind not in ("positional", "positional_only", "keyword_only") \
                or self.r.self_param.get(scope) == name or self.r.cls_param.get(scope) == name \
                or not _one_class(p.annotation or ""):
            return _EMPTY
        annotated = self.r.annotated(self.prog.parent_scope(scope), p.annotation_expr)
        return frozenset(v[2:] for v in annotated if v.startswith("i:") and v[2:] in self.reg.by_class)

    def _contradicts(self, value: str, declared: frozenset[str]) -> bool:
        """Is ``value`` a row of a model that is none of ``declared`` nor below one?"""
        if not value.startswith("i:") or value[2:] not in self.reg.by_class:
            return False
        mro = self.r.mro(value[2:])
        return not any(d in mro for d in declared)

    def binding(self, where: str, b: Binding) -> frozenset[str]:
        scope = b.origin or where
        if b.call is not None:
            return self.site(self.prog.module_of(scope), b.call).result
        if b.expr and b.value is None:
            looped = self.prog.element_site(scope, b) if b.expr.endswith("()[]") else None
            if looped is not None:  # ``for r in session.query(M).all():``, with the call's arguments
                return frozenset(self.item(self.site(*looped).result)) | self.types(scope, b.expr)
            return self.types(scope, b.expr)
        return _EMPTY

    def returns(self, func: str) -> frozenset[str]:
        return memoized(self._memo, self._busy, (func, "<returns>"), self._returns, func)

    def _returns(self, func: str) -> set[str]:
        out: set[str] = set()
        for b in self.prog.bindings(func, "<return>"):
            out |= self.binding(func, b)
        return {v for v in out if v.startswith("@")} | self._annotated_rows(func)

    def _annotated_rows(self, func: str) -> set[str]:
        """``-> list[Item]`` (``Sequence``, ``Iterator``, ``QuerySet``...): rows of Item, so a
        ``for`` over the call holds Item rows."""
        d = self.r.defs.get(func)
        match = _COLLECTION.match(d.returns) if d is not None and d.returns and len(d.returns) < 200 else None
        if match is None:
            return set()
        scope = self.prog.parent_scope(func)
        return {f"@o:{e}" for v in self.r.eval(scope, match.group(1)) if v.startswith("d:")
                and (e := self.reg.by_class.get(v[2:])) is not None}

    # -- operations --------------------------------------------------------------------
    # A tagged value, an outside value or a builtin one has no project code behind it: what
    # an attribute or a call of it gives is the same in every scope, so it is worked out once
    # per value (large programs pass the same few values through thousands of sites).

    def attr(self, values, name: str) -> set[str]:
        out: set[str] = set()
        plain = self._plain_attr
        for v in values:
            if v[0] == "@" or v.startswith(_PLAIN):
                key = (v, name)
                more = plain.get(key)
                if more is None:
                    more = plain[key] = self._attr_of(v, name)
                out.update(more)
                continue
            out |= self.lift(self.r.attribute(v, name))
            tag, _, q = v.partition(":")
            if tag in ("i", "s", "d") and q in self.r.defs and self.r.kind(q) == "class":
                for c in self.r.mro(q):
                    bs = self.prog.bindings(c, name)
                    if bs:
                        for b in bs:
                            out |= self.binding(c, b)
                        break
                    member = self.r.children.get(c, {}).get(name)
                    if member is not None and tag != "d" and self.r.is_property(member):
                        out |= self.returns(member)  # ``repos.users``: what the property returns
                        break
                if tag in ("i", "s") and name in _MODEL_INSTANCE_ATTRS:  # a view's ``self.object``
                    out.update(f"@o:{e}" for e in self.handled_models(q))
            elif tag == "m":
                out |= self.names(q, name)
        return out

    def _attr_of(self, v: str, name: str) -> tuple[str, ...]:
        """``v.name`` for a value with no project code behind it."""
        if v[0] != "@":
            return tuple(self.lift(self.r.attribute(v, name)))
        if v.startswith("@c:"):
            e = v[3:]
            if name in self.managers(e):
                return (f"@o:{e}",)
            if self._class_api(e) and self._api_entry(e, name) is not None:
                return (f"@m:{name}:{e}",)  # ``User.select()``: the class is the manager
            if name == "_meta":
                return (f"@meta:{e}",)
            if name in STATEMENT_CTORS:
                return (f"@k:{name}:{e}",)
            if name == "__table__" or name in _VALIDATING_CTORS:
                return (v,)  # ``User.model_validate(data)`` makes a row, as ``User(...)`` does
            if self.m2m_owner(e, name) is not None:
                return (f"@rel:{name}:{e}",)  # ``Recipe.keywords``: the field, whose ``through`` ...
            return (f"@col:{e}",)
        if v.startswith("@o:"):
            e = v[3:]
            target = self.relation(e, name)
            if target is not None:
                return (f"@o:{target}",)
            if name in ("model", "__class__"):  # ``qs.model``, ``self.__class__``
                return (f"@c:{e}",)
            if name == "_meta":
                return (f"@meta:{e}",)
            if self._api_entry(e, name) is not None or name in self.custom_methods(e):
                return (f"@m:{name}:{e}",)
        elif v.startswith("@rel:"):
            name_, e = _split3(v)
            if name == "through":  # ... is the join table's model (Django's ``Model.field.through``)
                owner = self.m2m_owner(e, name_)
                return (f"@c:{owner}",) if owner is not None else ()
            return ()
        elif v.startswith("@st:"):
            _, k, e = v.split(":", 2)
            return (f"@b:{k}:{e}",)
        elif v.startswith("@col:"):  # ``tbl.c.name`` of a ``Table``: a column of that table
            model = self.reg.models.get(v[5:])
            return (v,) if model is not None and not model.cls else ()
        elif v.startswith("@meta:") and name in ("model", "concrete_model", "proxy_for_model"):
            return (f"@c:{v[6:]}",)
        elif v == "@sess":
            return (f"@sm:{name}",)
        return ()

    def call(self, values) -> set[str]:
        out: set[str] = set()
        plain = self._plain_call
        for v in values:
            if v[0] == "@" or v.startswith(_PLAIN):
                more = plain.get(v)
                if more is None:
                    more = plain[v] = self._call_of(v)
                out.update(more)
                continue
            tag, _, q = v.partition(":")
            out |= self.lift(self.r.call_result(v))
            if tag in ("d", "bd") and self.r.kind(q) in ("function", "method"):
                out |= self.returns(q)
        return out

    def _call_of(self, v: str) -> tuple[str, ...]:
        """``v()`` for a value with no project code behind it."""
        if v[0] != "@":
            return tuple(self.lift(self.r.call_result(v)))
        if v.startswith("@c:"):
            return (f"@o:{v[3:]}",)
        if v.startswith("@o:"):  # a manager called: ``Page.objects(title=t)``
            return (v,) if self._api_entry(v[3:], "__call__") is not None else ()
        if v.startswith("@m:"):
            name, e = _split3(v)
            api = self._api_entry(e, name)
            if api is None or api[1]:
                return (f"@o:{e}",)
        elif v.startswith("@b:"):
            _, k, e = v.split(":", 2)
            return (f"@st:{k}:{e}",)
        elif v.startswith("@k:"):
            name, e = _split3(v)
            return (f"@st:{STATEMENT_CTORS[name]}:{e}",)
        elif v in ("@sm:begin", "@sm:begin_nested", "@sm:__enter__"):
            return ("@sess",)
        return ()

    def item(self, values) -> set[str]:
        out = {v for v in values if v.startswith("@o:")}
        if self.subscripted:
            out.update(f"@o:{v[3:]}" for v in values if v.startswith("@c:") and v[3:] in self.subscripted)
        return out

    # -- entity knowledge --------------------------------------------------------------
    def managers(self, entity: str) -> frozenset[str]:
        hit = self._managers.get(entity)
        if hit is not None:
            return hit
        out: set[str] = set()
        m = self.reg.model(entity)
        if m is not None:
            out |= m.managers
            if m.cls:
                for c in self.r.mro(m.cls):
                    e = self.reg.by_class.get(c)
                    if e is not None and e in self.reg.models:
                        out |= self.reg.models[e].managers
        result = frozenset(out)
        self._managers[entity] = result
        return result

    def relation(self, entity: str, name: str) -> str | None:
        key = (entity, name)
        if key in self._rel:
            return self._rel[key]
        found = None
        for om in self._declaring(entity):
            f = om.fields.get(name)
            if f is not None and f.target is not None:
                found = f.target
                break
            if name in om.reverse:
                found = om.reverse[name]
                break
        self._rel[key] = found
        return found

    def _declaring(self, entity: str) -> list[Model]:
        """The models whose fields ``entity``'s rows have: its own, then its ancestors' in
        method resolution order."""
        m = self.reg.model(entity)
        if m is None:
            return []
        classes = self.r.mro(m.cls) if m.cls else ()
        owners = [entity] + [self.reg.by_class[c] for c in classes if c in self.reg.by_class]
        return [self.reg.models[o] for o in owners if o in self.reg.models]

    def custom_methods(self, entity: str) -> dict[str, str]:
        """Methods of the project manager / queryset classes serving ``entity``: name ->
        definition, the first class's (the model's own managers before its bases')."""
        hit = self._custom.get(entity)
        if hit is not None:
            return hit
        out: dict[str, str] = {}
        for cls in self.manager_classes(entity):
            for name, q in self.prog.methods_in_mro(cls).items():
                out.setdefault(name, q)
        self._custom[entity] = out
        return out

    def manager_classes(self, entity: str) -> list[str]:
        """The project manager / queryset classes serving ``entity``, its own first, then
        those its models' bases declare (Django models inherit their bases' managers)."""
        owners = [entity]
        m = self.reg.model(entity)
        if m is not None and m.cls:
            owners += [self.reg.by_class[c] for c in self.r.mro(m.cls)[1:] if c in self.reg.by_class]
        served = sorted(self.reg.manager_classes.items())
        return [cls for owner in owners for cls, entities in served if owner in entities and cls in self.r.defs]

    def model_methods(self, entity: str) -> frozenset[str]:
        hit = self._methods.get(entity)
        if hit is not None:
            return hit
        m = self.reg.model(entity)
        result = frozenset(self.prog.methods_in_mro(m.cls)) if m is not None and m.cls in self.r.defs else _EMPTY
        self._methods[entity] = result
        return result

    def api(self, entity: str, name: str) -> str | None:
        """The access a method call on rows of ``entity`` makes (None: none or project code)."""
        if name in self.model_methods(entity) and name not in ("save", "delete", "asave", "adelete"):
            return None
        if name in self.custom_methods(entity) and name not in QUERY_API:
            return None
        if name in _COLLECTION_ONLY and self.reg.framework(entity) == "django":
            return None  # a list's method: a Django queryset has no ``append``
        api = self._api_entry(entity, name)
        return api[0] if api else None

    def _api_entry(self, entity: str, name: str) -> tuple[str | None, bool] | None:
        """The access and rows of method ``name`` on ``entity``'s rows, its library's own
        entries (:data:`FRAMEWORK_API`) first."""
        m = self.reg.models.get(entity)
        extra = FRAMEWORK_API.get(m.framework) if m is not None else None
        if extra is not None and name in extra:
            return extra[name]
        return QUERY_API.get(name)

    def _class_api(self, entity: str) -> bool:
        """Does ``entity``'s model class serve the query API itself (Peewee, Tortoise)?"""
        m = self.reg.models.get(entity)
        return m is not None and m.class_queries

    def _m2m_receiver(self, scope: str, recv: str) -> str | None:
        """The owner of the many-to-many field a receiver (``profile.products``) names."""
        if not _attribute(recv):
            return None
        head, _, attr = recv.rpartition(".")
        for v in sorted(self.types(scope, head)):
            if v.startswith("@o:"):
                owner = self.m2m_owner(v[3:], attr)
                if owner is not None:
                    return owner
        return None

    def m2m_owner(self, entity: str, name: str) -> str | None:
        """The entity whose table a many-to-many field ``entity.name`` keeps its links in: its
        ``through=`` model, else the model declaring it (reached from there or back through
        its accessor). ``add``/``remove``/``set``/``clear`` write that table, not the rows of
        the other side."""
        for om in self._declaring(entity):
            f = om.fields.get(name)
            if f is not None:
                return (f.secondary or om.id) if f.kind == "m2m" else None
            source = om.reverse.get(name)
            if source is not None:
                sm = self.reg.models.get(source)
                for sf in sm.fields.values() if sm is not None else ():
                    if sf.kind == "m2m" and sf.target == om.id:
                        return sf.secondary or source
                return None
        return None

    # -- call sites --------------------------------------------------------------------
    def arg_values(self, module: str, scope: str, arg: Arg | None) -> frozenset[str]:
        if arg is None:
            return _EMPTY
        if arg.call is not None:
            return self.site(module, arg.call).result
        return self.types(scope, arg.expr)

    def site(self, module: str, index: int) -> SiteValue:
        key = (module, index)
        hit = self._sites.get(key)
        if hit is not None:
            return hit
        if key in self._busy:
            return _NOTHING
        # a long chain (``select(M).where(...).where(...)...``) is evaluated from its first
        # call up, so the recursion stays shallow however long the chain is
        below = self.prog.receiver_site(module, index)
        if below is not None and (module, below) not in self._sites:
            chain = []
            while below is not None and (module, below) not in self._sites and (module, below) not in self._busy:
                chain.append(below)
                below = self.prog.receiver_site(module, below)
            for j in reversed(chain):
                self.site(module, j)
        # not ``memoized``: a value the chain gave this site (cut short by the cycle) is
        # replaced by this evaluation, made once the chain is known
        self._busy.add(key)
        try:
            value = self._site(module, index)
        finally:
            self._busy.discard(key)
        self._sites[key] = value
        return value

    def _site(self, module: str, index: int) -> SiteValue:
        prog = self.prog
        c = prog.call(module, index)
        callee = c.callee
        if not callee or len(callee) > MAX_EXPR:
            return _NOTHING
        scope = c.scope
        result: set[str] = set()
        accesses: list[tuple[str, str]] = []
        unresolved = None
        name = tail(callee)
        rvals = _EMPTY
        if name is not None and "." in callee:
            recv = receiver_expr(callee)
            rvals = self.receiver_values(module, index, scope, recv)
            result |= self.call(self.attr(rvals, name))
            for v in sorted(rvals):
                if v.startswith("@o:"):
                    e = v[3:]
                    kind = self.api(e, name)
                    if kind is not None and name in _COLLECTION_ONLY and not _attribute(recv):
                        kind = None  # a list of rows (``found.append(row)``, ``d[k].append``): no relationship's
                    owner = self._m2m_receiver(scope, recv) if name in _M2M_WRITES and kind is not None else None
                    if owner is not None:
                        accesses.append((owner, WRITE))  # ``profile.products.add(p)``: the join table
                    elif kind is not None:
                        accesses.extend(_expand(e, kind))
                        if name in _LOOKUPS and self.reg.framework(e) in _PATH_LOOKUPS:
                            accesses.extend((x, READ) for x in self._looked_up(module, c, e))
                elif v.startswith("@c:") and self._class_api(v[3:]):  # ``User.select()``, ``User.create(...)``
                    e = v[3:]
                    kind = self.api(e, name)
                    if kind is not None:
                        accesses.extend(_expand(e, kind))
                        if name in _LOOKUPS and self.reg.framework(e) in _PATH_LOOKUPS:
                            accesses.extend((x, READ) for x in self._looked_up(module, c, e))
                elif v.startswith("@c:") and name in self.managers(v[3:]) \
                        and self._api_entry(v[3:], "__call__") is not None:  # ``Page.objects(title=t)``
                    accesses.append((v[3:], READ))
                elif v.startswith("@c:") and name in STATEMENT_CTORS:
                    accesses.append((v[3:], READ if name == "select" else WRITE))
            if (name in _JOINS or name == "options") and any(v.startswith(("@o:", "@st:")) for v in rvals):
                accesses.extend(self._joined(module, c, name))  # on rows or a statement: once
            if name in _JOINS and not any(v.startswith("@st:") for v in rvals) \
                    and any((outside(v) or "").startswith("sqlalchemy.select") for v in rvals):
                # ``select(func.count()).select_from(Event)``: the statement reads what it joins
                for e in sorted(self._entities(self._all_args(module, c))):
                    result.add(f"@st:r:{e}")
                    accesses.append((e, READ))
            if name in SESSION_API and self._is_session(name, recv, rvals):
                r, a, u = self._session_call(module, index, c, name)
                result |= r
                accesses.extend(a)
                if u and "@sess" not in rvals and recv.rsplit(".", 1)[-1].lower() in _SESSION_NAMES:
                    u = None  # a name alone made it a session, and no model says so: a cache's ``db.get(key)``
                unresolved = unresolved or u
            elif not accesses and name in QUERY_API and recv and "." in recv \
                    and recv.rsplit(".", 1)[-1] in ("objects", "query") and not any(v.startswith("@o:") for v in rvals):
                outside_model = any(outside(v) for v in rvals)
                table = self._outside_django_table(rvals) if recv.endswith(".objects") else None
                if table is not None:  # ``User.objects.filter(...)``: Django's ``auth_user``
                    kind = QUERY_API[name][0]
                    accesses.extend(_expand(table_entity_id(table), kind) if kind is not None else ())
                else:
                    unresolved = f"{EXTERNAL}{recv}.{name}" if outside_model else f"{recv}.{name}"
        else:
            result |= self.call(self.types(scope, callee))
        if name == callee:  # a bare name, perhaps imported under another (``delete as sa_delete``)
            name = callee = prog.plain_name(module, callee)
        if name in STATEMENT_CTORS or callee in STATEMENT_CTORS:
            ctor = tail(callee) or callee
            if is_sqla_callable(prog.targets(module, index), {ctor}):
                args = prog.positional(c)
                if ctor != "select":
                    args = args[:1]
                kind = STATEMENT_CTORS[ctor]
                found = self._entities([self.arg_values(module, scope, a) for a in args])
                if ctor == "select":
                    found |= self._selected(module, scope, args)
                for e in sorted(found):
                    result.add(f"@st:{kind}:{e}")
                    accesses.append((e, READ if kind == "r" else WRITE))
        elif (name or callee) in _SHORTCUTS and any((outside(v) or "").startswith("django.")
                                                     for v in prog.targets(module, index)):
            vals = self.arg_values(module, scope, prog.arg(c, 0, "klass"))
            for e in sorted(self._entities([vals], rows=True)):
                result.add(f"@o:{e}")
                accesses.append((e, READ))
        elif (name or callee) in HELPER_NAMES and (helper := self.query_helper(module, index)) is not None:
            vals = self.arg_values(module, scope, prog.arg(c, *helper))
            for e in sorted(self._entities([vals])):
                result.add(f"@o:{e}")
                accesses.append((e, READ))
        elif (e := self.reg.table_sites.get((module, index))) is not None:  # ``Table("t", ...)``, or a
            result.add(f"@c:{e}")  # project function handing on its name (``sautils.named_table(...)``)
        elif (name or callee) in _MODEL_LOADERS and self.model_ref is not None:
            e = self._get_model(module, scope, c)
            if e is not None:
                result.add(f"@c:{e}")
        if name in _HANDLED_ROWS and rvals:
            # a generic view's ``self.get_object()`` / ``get_queryset()``, a model form's
            # ``form.save()``: rows of the model the class is declared for
            kind = _HANDLED_ROWS[name]
            for v in sorted(self._classes(rvals)):
                for e in sorted(self.handled_models(v)):
                    result.add(f"@o:{e}")
                    accesses.append((e, kind))
        passed = self._passed_through(module, index, c)
        if passed is None:
            passed = self._derived_return(module, index, c)
        if passed is None and rvals:
            passed = self._for_subclass(module, index, result, rvals, accesses)
        if passed is None and rvals and not any(v.startswith("@o:") for v in result):
            passed = self._for_repository(module, index, rvals, accesses)
        if passed is not None:
            result = set(passed)
            self._contextual.add((module, index))
        elif rvals and QUERY_API.get(name or "", (None, False))[1] and self._on_own_rows(module, index):
            self._contextual.add((module, index))  # ``fetch(Realm).filter_by(...)``: still that call's rows
        result |= self._constructed(module, index, c)
        return SiteValue(frozenset(result), tuple(dict.fromkeys(accesses)), unresolved)

    # -- models handed to a constructor ------------------------------------------------
    def _constructed(self, module: str, index: int, c) -> set[str]:
        """``@a:<class>:<attribute>:<entity>`` for a call that makes an instance of a project
        class whose constructor keeps a model class it is given on the instance
        (``CRUDBase(User)`` with ``self.model = model``): which model this one object
        works on, which the resolver, merging every instance's attribute, cannot say."""
        out: set[str] = set()
        for v in self.prog.targets(module, index):
            tag, _, cls = v.partition(":")
            if tag != "d" or self.r.kind(cls) != "class":
                continue
            for attr, (position, name) in self.carried(cls).items():
                arg = argument(c, position - 1 if position is not None else None, name, past_stars=False)
                if arg is None or arg.star:
                    continue
                out.update(f"@a:{cls}:{attr}:{x[3:]}" for x in self.arg_values(module, c.scope, arg)
                           if x.startswith("@c:"))
        return out

    def carried(self, cls: str) -> dict[str, tuple[int | None, str]]:
        """The attributes the constructor of ``cls`` sets from its parameters, with each
        parameter's position (the instance's included) and name."""
        hit = self._carried_cls.get(cls)
        if hit is None:
            init = self.prog.methods_in_mro(cls).get("__init__") if self.r.kind(cls) == "class" else None
            hit = self._carried_cls[cls] = self.carried_by(init) if init is not None else {}
        return hit

    def carried_by(self, init: str, depth: int = 0) -> dict[str, tuple[int | None, str]]:
        """What :meth:`carried` gives for one ``__init__``: its own stores
        (``self.model = model``) and what it passes on to a base's constructor
        (``super().__init__(session, model)``) that stores it."""
        hit = self._carried.get(init)
        if hit is not None:
            return hit
        self._carried[init] = {}  # a cycle through the bases' constructors gives nothing
        d = self.r.defs.get(init)
        selfname = self.r.self_param.get(init)
        if d is None or selfname is None:
            return {}
        params = {p.name for p in d.params if p.kind not in ("var_positional", "var_keyword")} - {selfname}

        def own(name: str) -> tuple[int | None, str]:
            return positional_index(d.params, name), name

        out: dict[str, tuple[int | None, str]] = {}
        cls = self.prog.parent_scope(init)
        for attr, bindings in self.r.scope_bindings.get(cls, {}).items():
            for b in bindings:
                if b.origin == init and b.call is None and b.expr in params:
                    out.setdefault(attr, own(b.expr))
        module = self.prog.module_of(init)
        for index, call in enumerate(self.prog.facts[module].calls) if depth < 8 else ():
            if call.scope != init or not (call.callee or "").endswith("__init__"):
                continue
            for v in self.prog.targets(module, index):
                tag, _, base_init = v.partition(":")
                if tag not in ("d", "bd") or base_init == init or not base_init.endswith(".__init__"):
                    continue
                shift = 1 if tag == "bd" else 0  # ``super().__init__(...)``: the instance is bound
                for attr, (position, name) in self.carried_by(base_init, depth + 1).items():
                    at = position - shift if position is not None else None
                    arg = argument(call, at, name, past_stars=False)
                    if arg is not None and arg.call is None and arg.expr in params:
                        out.setdefault(attr, own(arg.expr))
        self._carried[init] = out
        return out

    def _looked_up(self, module: str, c, entity: str) -> set[str]:
        """The models a Django query joins along the field paths it names: ``filter(
        customer__name=n)`` reads Customer, ``select_related("customer")`` too,
        ``prefetch_related("items")`` and ``annotate(n=Count("items"))`` read Item."""
        out: set[str] = set()
        joins = tail(c.callee) in _JOINING
        for path in self._paths(module, c, 0):
            cur = entity
            parts = path.lstrip("-").split("__")
            for i, part in enumerate(parts):
                nxt = self.relation(cur, part) or self.relation(cur, part + "_set")
                if nxt is None:
                    break  # a field or a lookup (``name``, ``gt``): the path ends here
                if not joins and (i + 1 == len(parts) or parts[i + 1] in _KEY_LOOKUPS) and self._forward(cur, part):
                    break  # ``customer=c``, ``customer__in=``, ``customer__id=``: the key column, no join
                if nxt != entity:
                    out.add(nxt)
                cur = nxt
        return out

    def _forward(self, entity: str, name: str) -> bool:
        """Is ``name`` a foreign key ``entity``'s rows hold (not a reverse accessor)?"""
        return any(name in om.fields for om in self._declaring(entity))

    def _paths(self, module: str, c, depth: int) -> list[str]:
        """Field paths in a call's arguments: keywords (``customer__name=``), strings, and
        the paths of ``Q``/``F``/``Count``/``Prefetch``... calls among them."""
        out: list[str] = []
        for a in c.args:
            if a.keyword and ("__" in a.keyword or depth):
                out.append(a.keyword)
            if isinstance(a.value, str) and not a.keyword and not is_template(a.value):
                out.append(a.value)
            if a.call is not None and depth < MAX_PATH_DEPTH:
                inner = self.prog.call(module, a.call)
                if (tail(inner.callee) or inner.callee) in _PATH_CARRIERS:
                    out.extend(self._paths(module, inner, depth + 1))
        return out

    def _selected(self, module: str, scope: str, args, depth: int = 0) -> set[str]:
        """What ``select(...)`` reads through its columns' expressions: ``func.count(Order.id)``,
        ``func.sum(Order.total).label("t")``, a subquery ``select(Order.id).exists()``."""
        out: set[str] = set()
        for a in args:
            if a.call is not None:
                out |= self._selected_call(module, scope, a.call, depth)
        return out

    def _selected_call(self, module: str, scope: str, index: int, depth: int) -> set[str]:
        values = self.site(module, index).result
        out = {v.split(":", 2)[2] for v in values if v.startswith("@st:r:")}
        if out or depth >= 3 or any(v.startswith(("@c:", "@col:")) for v in values):
            return out
        inner = self.prog.call(module, index)
        args = self.prog.positional(inner)
        out = self._entities([self.arg_values(module, scope, a) for a in args]) | self._selected(
            module, scope, args, depth + 1)
        rs = self.prog.receiver_site(module, index)
        if rs is not None:  # ``select(...).exists()``, ``func.sum(...).label("t")``
            out |= self._selected_call(module, scope, rs, depth + 1)
        elif receiver_expr(inner.callee):  # ``Order.total.label("t")``
            out |= self._entities([self.types(scope, receiver_expr(inner.callee))])
        return out

    def _for_subclass(self, module: str, index: int, result: set[str], rvals,
                      accesses: list[tuple[str, str]]) -> set[str] | None:
        """A method inherited by the receiver's model: what it gives about its own class is
        the receiver's (an abstract model's ``return db_session.get(cls, id)`` called as
        ``Timeline.get_by_id(1)`` gives Timeline rows). On a base that is no model (a
        declarative base, a mixin) such a query gives nothing there: here it reads the
        receiver's model. ``None`` when nothing changes."""
        swaps: dict[str, set[str]] = {}
        queried: set[str] = set()
        for v in self.prog.targets(module, index):
            tag, _, func = v.partition(":")
            if tag != "bd":
                continue
            own = self.reg.entity_of_class(self.prog.parent_scope(func))
            mine = {x[3:] for x in rvals if x.startswith("@c:")} - {own}
            if len(mine) > MAX_RECEIVERS:
                continue  # a generic receiver (``self.model.get(k)``): too vague to say whose rows
            if own is not None and (f"@o:{own}" in result or f"@c:{own}" in result):
                swaps.setdefault(own, set()).update(mine)
            elif own is None and mine and self._class_query(func):
                queried |= mine
        if queried:
            accesses.extend((e, READ) for e in sorted(queried))
            return {f"@o:{e}" for e in queried} | {v for v in result if not v.startswith("@")}
        if not any(swaps.values()):
            return None
        out: set[str] = set()
        for v in result:
            kind, entity = v[:3], v[3:]
            if kind in ("@o:", "@c:") and entity in swaps:
                out.update(kind + e for e in swaps[entity])
            else:
                out.add(v)
        return out

    def _class_query(self, func: str) -> bool:
        """Does every return of ``func`` query its first parameter's rows through a session
        (``return db_session.get(cls, id)``, ``return session.query(cls).filter_by(...).first()``)?"""
        d = self.r.defs.get(func)
        queried = self._queried(func) if d is not None and d.params else None
        return queried is not None and queried[0] == d.params[0].name

    def _attribute_query(self, func: str) -> str | None:
        """The attribute of its instance whose rows every return of method ``func`` reads
        through a session (``return self.session.get(self.model, pk)`` gives ``model``), or
        ``None``."""
        d = self.r.defs.get(func)
        queried = self._queried(func) if d is not None and d.params else None
        if queried is None or queried[1] != READ:
            return None
        first, _, attr = queried[0].partition(".")
        return attr if first == d.params[0].name and attr.isidentifier() else None

    def _queried(self, func: str) -> tuple[str, str | None] | None:
        """What every return of ``func`` queries the rows of through a session, and how
        (``("cls", READ)`` for ``return session.query(cls).filter_by(...).first()``, and for
        ``return session.scalars(select(cls).where(...)).first()``), or ``None`` when its
        returns query no one same expression so."""
        if func in self._queries:
            return self._queries[func]
        found: tuple[str, str | None] | None = None
        prog = self.prog
        module = prog.module_of(func)
        for b in prog.bindings(func, "<return>") if func in self.r.defs else ():
            index = b.call
            queried = None
            while index is not None:
                c = prog.call(module, index)
                name = tail(c.callee)
                args = prog.positional(c)
                if name in SESSION_API and SESSION_API[name][1] in ("class", "classes") and args and args[0].expr:
                    queried = (args[0].expr, SESSION_API[name][0])  # the session query on the class
                    break
                if name in SESSION_API and SESSION_API[name][1] == "statement" and args and args[0].call is not None:
                    selected = self._selected_expr(module, args[0].call)  # a statement executed
                    queried = (selected, READ) if selected is not None else None
                    break
                index = prog.receiver_site(module, index) if name in QUERY_API and QUERY_API[name][1] else None
            if queried is None or (found is not None and queried != found):
                found = None
                break
            found = queried
        self._queries[func] = found
        return found

    def _selected_expr(self, module: str, index: int) -> str | None:
        """What a SQLAlchemy ``select(X)`` statement, refined by calls on it
        (``select(self.model).where(...).limit(n)``), selects the rows of: ``X``'s
        expression, or ``None``."""
        prog = self.prog
        while index is not None:
            c = prog.call(module, index)
            if tail(c.callee) == "select" and is_sqla_callable(prog.targets(module, index), {"select"}):
                args = prog.positional(c)
                return args[0].expr if len(args) == 1 and args[0].expr else None
            index = prog.receiver_site(module, index)
        return None

    def _for_repository(self, module: str, index: int, rvals, accesses: list[tuple[str, str]]) -> set[str] | None:
        """A base repository's method that reads the rows of a class attribute (``return
        self.session.get(self.model, pk)``) called on an instance of a subclass naming the
        model in its body (``model = User``): that model's rows, read here, as
        :meth:`_for_subclass` does for a model class's own query. In the base, ``self.model``
        is nothing or every subclass's. ``None`` when the call is no such one."""
        out: set[str] = set()
        for v in self.prog.targets(module, index):
            tag, _, func = v.partition(":")
            attr = self._attribute_query(func) if tag == "bd" else None
            if attr is None:
                return None
            named = self.class_attribute_entities(rvals, attr)
            if not named or len(named) > MAX_RECEIVERS:
                return None
            out.update(named)
        accesses.extend((e, READ) for e in sorted(out))
        return {f"@o:{e}" for e in out} or None

    def class_attribute_entities(self, values, attr: str) -> set[str]:
        """The entities a class attribute names on the classes of ``values`` (instances or
        classes): the first class-body binding of ``attr`` in each one's MRO (``model =
        User``), not what methods store there, which every instance shares in the resolver.
        Nothing when one of the classes names no model so (the receiver may be any of several
        objects, and the one that matters may be that one). A class that is a base of
        another among them does not count: ``EventRepository.from_session(s)``, a base's
        ``return cls(session)``, is both to the resolver, and the subclass is the one made."""
        prog = self.prog
        classes = {q for v in values for tag, _, q in (v.partition(":"),)  # ``s:``: ``super()`` in q
                   if tag in ("i", "d", "s") and prog.kind(q) == "class"}
        bases = {b for q in classes for b in prog.r.mro(q)[1:]}
        out: set[str] = set()
        for q in sorted(classes - bases):
            named: set[str] = set()
            if attr in self.carried(q):  # given to the constructor: where this object was made
                mark = f"@a:{q}:{attr}:"
                named = {v[len(mark):] for v in values if v.startswith(mark)}
                if not named:
                    return set()
                out |= named
                continue
            for c in prog.r.mro(q):
                found = prog.bindings(c, attr)
                if any(b.origin is not None for b in found):
                    break  # set on the instance (``self.model = model``): the class's default is not it
                if found:
                    for b in found:
                        named.update(x[3:] for x in self.binding(c, b) if x.startswith(("@c:", "@o:")))
                    break
            if not named:
                return set()
            out |= named
        return out

    def _classes(self, values) -> set[str]:
        """The project classes whose instances ``values`` hold."""
        out = set()
        for v in values:
            tag, _, q = v.partition(":")
            if tag in ("i", "s") and q in self.r.defs and self.r.kind(q) == "class":
                out.add(q)
        return out

    def handled_models(self, cls: str) -> frozenset[str]:
        """The models a project class is declared for: a Django generic view's or a DRF
        view's ``model = Event`` or ``queryset = Event.objects...``, a model form's
        ``class Meta: model = Event``. Empty for any other class."""
        hit = self._handled.get(cls)
        if hit is not None:
            return hit
        found: set[str] = set()
        external = {(outside(b) or "").split(".")[0] for b in self.r.external_bases(cls)}
        if external & _HANDLER_ROOTS:
            for c in self.r.mro(cls):
                for scope, name in ((c, "model"), (c, "queryset"), (f"{c}.Meta", "model")):
                    for b in self.prog.bindings(scope, name):
                        values = self.binding(scope, b)
                        found.update(v[3:] for v in values if v.startswith(("@c:", "@o:")))
                if found:
                    break
        result = self._handled[cls] = frozenset(found)
        return result

    def _derived_return(self, module: str, index: int, c) -> set[str] | None:
        """What a call to a function whose returns are all worked out from one parameter
        gives here: the same work on this call's argument (``fetch_one(Realm, ...)`` with
        ``return table.query.filter_by(**q).one()`` is a Realm row, ``Process.for_user(u)``
        with ``return cls.query.filter_by(...)`` Process rows), not on what every caller
        passed. ``None`` when the callee is no such function or the argument is no model."""
        out: set[str] = set()
        for v in self.prog.targets(module, index):
            tag, _, func = v.partition(":")
            found = self._param_return(func) if tag in ("d", "bd") else None
            if found is None and tag == "d":
                found = self._helper_return(func)
            if found is None:
                return None
            position, name, ops = found
            if tag == "bd" and position == 0:  # ``cls`` / ``self``: the call's receiver
                values = self.receiver_values(module, index, c.scope, receiver_expr(c.callee))
            else:
                at = position - 1 if tag == "bd" and position is not None else position
                values = self.arg_values(module, c.scope, argument(c, at, name, past_stars=False))
            if not any(x.startswith(("@c:", "@o:")) for x in values):
                return None
            out |= self._worked(values, ops)
        return out or None

    def _worked(self, values, ops) -> set[str]:
        """``ops`` applied to ``values``; a class method that queries its own class
        (:meth:`_class_query`) called on a model class gives that model's rows."""
        i = 0
        while i < len(ops):
            op, name = ops[i]
            if op == "rows":  # a query helper's query over the model classes handed to it
                values = {f"@o:{v[3:]}" for v in values if v.startswith(("@c:", "@o:"))}
                i += 1
                continue
            if op == "attr" and i + 1 < len(ops) and ops[i + 1][0] == "call":
                found = self.attr(values, name)
                classes = {v[3:] for v in values if v.startswith("@c:")}
                if 0 < len(classes) <= MAX_RECEIVERS and any(v.startswith("bd:") and self._class_query(v[3:]) for v in found):
                    values = {f"@o:{e}" for e in classes}
                else:
                    values = self.call(found)
                i += 2
                continue
            values = self.attr(values, name) if op == "attr" else self.call(values) if op == "call" \
                else self.item(values)
            i += 1
        return set(values)

    def _param_return(self, func: str) -> tuple[int | None, str, list] | None:
        """``(position, name, operations)`` when every return of ``func`` is an expression on
        the same parameter, never rebound (``return table.query.filter_by(**q).one()``)."""
        if func in self._param_returns:
            return self._param_returns[func]
        found = None
        d = self.r.defs.get(func)
        returns = self.prog.bindings(func, "<return>") if d is not None and d.kind in ("function", "method") else []
        chains = [parse_expr(b.expr) if b.expr and len(b.expr) <= MAX_EXPR else None for b in returns]
        if len(chains) == 1 and chains[0] and len(chains[0]) == 1 and d is not None \
                and not any(p.name == chains[0][0][1] for p in d.params):
            # ``instance = model.get(k); ...; return instance``: the local's one work
            local = self.prog.bindings(func, chains[0][0][1])
            chains = [parse_expr(b.expr) if b.expr and len(b.expr) <= MAX_EXPR else None for b in local]
            returns = local
        heads = {ops[0][1] for ops in chains if ops}
        if returns and all(ops and len(ops) > 1 for ops in chains) and len(heads) == 1:
            head = heads.pop()
            if any(p.name == head and p.kind not in ("var_positional", "var_keyword") for p in d.params) \
                    and not self.prog.bindings(func, head):
                found = (positional_index(d.params, head), head, chains[0][1:])
                if any(ops[1:] != found[2] for ops in chains):
                    found = None  # several returns, several works: the flow's union stays
        self._param_returns[func] = found
        return found

    def query_helper(self, module: str, index: int) -> tuple[int, str] | None:
        """The model argument's (position, keyword) when this site calls a :data:`QUERY_HELPERS`
        helper."""
        for v in self.prog.targets(module, index):
            found = QUERY_HELPERS.get(outside(v) or "")
            if found is not None:
                return found
        return None

    def _model_argument(self, module: str, index: int):
        """The argument naming the model a call queries when it is a :data:`QUERY_HELPERS`
        helper's or a session's ``query(M, ...)``, else ``None``."""
        helper = self.query_helper(module, index)
        c = self.prog.call(module, index)
        if helper is not None:
            return self.prog.arg(c, *helper)
        if tail(c.callee) == "query" and self.on_session(module, index):
            return self.prog.arg(c, 0)
        return None

    def _helper_return(self, func: str) -> tuple[int | None, str, list] | None:
        """:meth:`_param_return` for a project wrapper of a query over a model it is handed
        (nova's ``query = model_query(model, context.session)``, a :data:`QUERY_HELPERS`
        helper, or cinder's ``query = context.session.query(model, *args)``, narrowed by
        ``query = query.filter_by(...)``, ``return query``): the query over the parameter
        it hands on as the model, the caller's own model."""
        if func in self._helper_returns:
            return self._helper_returns[func]
        self._helper_returns[func] = None
        d = self.r.defs.get(func)
        if d is None or d.kind not in ("function", "method"):
            return None
        prog = self.prog
        module = prog.module_of(func)
        returns = prog.bindings(func, "<return>")
        heads = {b.expr for b in returns}
        if len(heads) != 1 or not returns[0].expr or not returns[0].expr.isidentifier():
            return None
        local = returns[0].expr
        # ``query = query.filter_by(...)`` keeps the query's rows: one other binding makes it
        roots = [b for b in prog.bindings(func, local) if not narrows(local, b.expr)]
        if len(roots) != 1 or roots[0].call is None:
            return None
        arg = self._model_argument(module, roots[0].call)
        if arg is None or arg.star or not arg.expr or not arg.expr.isidentifier() or prog.bindings(func, arg.expr):
            return None
        params = [p for p in d.params if p.name == arg.expr and p.kind not in ("var_positional", "var_keyword")]
        if not params:
            return None
        found = (positional_index(d.params, arg.expr), arg.expr, [("rows", "")])
        self._helper_returns[func] = found
        return found

    def _passed_through(self, module: str, index: int, c) -> frozenset[str] | None:
        """What a call to a function returning one of its parameters unchanged gives here:
        this site's argument for it (``cert = database.update(cert)`` is still a
        certificate), not what every caller passed. ``None`` when the callee is no such
        function."""
        arg = self.r.passed_argument(c, self.prog.targets(module, index))
        if arg is None:
            return None
        return self.arg_values(module, c.scope, arg)

    def _get_model(self, module: str, scope: str, c) -> str | None:
        args = self.prog.positional(c)
        parts = [self.prog.literal_str(module, scope, a) for a in args[:2]]
        if not parts or parts[0] is None:
            return None
        raw = parts[0] if len(parts) == 1 or parts[1] is None else f"{parts[0]}.{parts[1]}"
        return self.model_ref(raw)

    def _joined(self, module: str, c, name: str) -> list[tuple[str, str]]:
        """The reads of a query's ``.join(N)`` / ``.select_from(N)`` (the models named, and
        those a named relationship leads to) or ``.options(joinedload(...))``."""
        found = self._entities(self._all_args(module, c)) if name in _JOINS else set()
        return [(x, READ) for x in (*found, *self._related(module, c, name == "options"))]

    def _related(self, module: str, c, loaders: bool) -> set[str]:
        """The models a SQLAlchemy query joins or loads through relationships it names:
        ``.join(Order.customer)``, ``.options(joinedload(Order.customer),
        selectinload(Customer.orders))``."""
        out: set[str] = set()
        args = [a for a in c.args if not a.star]
        if loaders:  # each loader of a chain: ``joinedload(Order.customer).selectinload(Customer.tags)``
            loaded = []
            for a in args:
                index = a.call
                while index is not None:
                    inner = self.prog.call(module, index)
                    if (tail(inner.callee) or inner.callee) in _LOADERS:
                        loaded.extend(inner.args)
                    index = self.prog.receiver_site(module, index)
            args = loaded
        for a in args:
            head, _, attr = (a.expr or "").rpartition(".")
            if not head or "(" in attr:
                continue
            for v in self.types(c.scope, head):
                if v.startswith("@c:"):
                    target = self.relation(v[3:], attr)
                    if target is not None:
                        out.add(target)
        return out

    def _all_args(self, module: str, c) -> list[frozenset[str]]:
        return [self.arg_values(module, c.scope, a) for a in c.args if not a.star]

    @staticmethod
    def _entities(values_list, rows: bool = False) -> set[str]:
        out = set()
        for values in values_list:
            for v in values:
                if v.startswith(("@c:", "@col:")) or (rows and v.startswith("@o:")):
                    out.add(v.split(":", 1)[1])
        return out

    def _on_own_rows(self, module: str, index: int) -> bool:
        """Is this call made on a call valued from its own arguments (:meth:`receiver_values`)?"""
        rs = self.prog.receiver_site(module, index)
        return rs is not None and (module, rs) in self._contextual

    def receiver_values(self, module: str, index: int, scope: str, recv: str | None) -> frozenset[str]:
        """What a method call's receiver holds, with the value of a call it is made on."""
        rs = self.prog.receiver_site(module, index)
        if rs is not None and self.site(module, rs).result and (module, rs) in self._contextual:
            return self.site(module, rs).result  # this call's own value, not every caller's
        rvals = self.types(scope, recv)
        return rvals | self.site(module, rs).result if rs is not None else rvals

    def on_session(self, module: str, index: int) -> bool:
        """Whether a call site calls a method of a SQLAlchemy session (``db.session.add``)."""
        c = self.prog.call(module, index)
        name = tail(c.callee)
        if name not in SESSION_API or "." not in c.callee:
            return False
        recv = receiver_expr(c.callee)
        return self._is_session(name, recv, self.receiver_values(module, index, c.scope, recv))

    def _is_session(self, name: str, recv: str | None, rvals) -> bool:
        return "@sess" in rvals or (name in SESSION_API and self._named_session(recv, rvals))

    def _named_session(self, recv: str | None, rvals) -> bool:
        """An unresolved receiver whose name says it is a session (``session``, ``db_session``,
        Pyramid's ``request.db``, a Core ``conn``)."""
        if not recv or "(" in recv or not self.prog.uses(*_ORM_ROOTS):
            return False  # without SQLAlchemy, ``request.session`` is a web session
        if any(v[0] != "@" and not v.startswith(("x:", "xi:", "b:", "bi:")) for v in rvals):
            return False  # project code: the resolver knows better
        paths = [outside(v) or "" for v in rvals]
        if any(p.split(".")[0] in _OTHER_SESSIONS and not p.startswith(_APP_GLOBALS) for p in paths):
            return False  # ``from flask import session``, ``self.session = requests.Session()``
        last = recv.rsplit(".", 1)[-1].lower()
        return "session" in last or last in _SESSION_NAMES

    def _outside_django_table(self, rvals) -> str | None:
        """The table of an outside Django model whose manager these values are
        (``django.contrib.auth.models.User.objects`` -> ``auth_user``), when exactly one is
        named: Django's own ``app_label + "_" + class name``, or the ``db_table`` Django's
        contrib apps set (:data:`DJANGO_TABLES`). The project's data sits in those tables too,
        and which services read and write its users is a risk of the cut. A manager of
        anything else named ``objects`` (an S3 bucket's) has no ``models`` module."""
        if not self.prog.uses("django"):
            return None
        tables = set()
        for v in rvals:
            path = (outside(v) or "").removesuffix(".objects")
            segs = path.split(".")
            if len(segs) < 3 or "models" not in segs[1:-1] or not segs[-1][:1].isupper() \
                    or path.startswith("django.db."):  # ``django.db.models.Model``: any model at all
                continue
            app = segs[segs.index("models", 1) - 1]
            tables.add(DJANGO_TABLES.get(path) or f"{app}_{segs[-1].lower()}")
        return tables.pop() if len(tables) == 1 else None

    def _session_call(self, module: str, index: int, c, name: str):
        prog = self.prog
        kind, role = SESSION_API[name]
        result: set[str] = set()
        accesses: list[tuple[str, str]] = []
        first = prog.arg(c, 0, None)
        if role == "class" and first is not None and first.value is not None:
            return result, accesses, None  # ``session.get("snap_name")``: a dict or an HTTP session, no model
        if role == "class":
            ents = self._entities([self.arg_values(module, c.scope, first)])
        elif role == "classes":
            # ``session.query(Order)``, ``session.query(Order.total)``, and through columns'
            # expressions as in ``select(...)``: ``session.query(func.max(Order.id))``
            args = prog.positional(c)
            ents = self._entities([self.arg_values(module, c.scope, a) for a in args]) | self._selected(
                module, c.scope, args)
        elif role == "statement":
            vals = self.arg_values(module, c.scope, first)
            ents = {v.split(":", 2)[2] for v in vals if v.startswith("@st:")}
            for e in ents:
                result.add(f"@o:{e}")
            return result, [], None
        else:
            vals = set(self.arg_values(module, c.scope, first))
            if role == "objects" and first is not None:
                if first.expr and first.call is None:
                    vals |= self.types(c.scope, first.expr + "[]")
                rs = prog.receiver_site(module, index)
                for child in prog.children(module, index):
                    if child != rs:
                        vals |= self.site(module, child).result
            ents = {v[3:] for v in vals if v.startswith("@o:")}
        if name in ("get", "get_one", "query"):
            result |= {f"@o:{e}" for e in ents}
        if kind is not None:
            accesses.extend((e, kind) for e in sorted(ents))
        unresolved = None
        if kind is not None and not ents:
            unresolved = f"session.{name}({(first.expr if first else '') or '...'})"
        return result, accesses, unresolved


def _attribute(recv: str | None) -> bool:
    """Does a receiver name an attribute (``order.lines``), as a relationship collection is
    reached, rather than a name or an item?"""
    head, _, attr = (recv or "").rpartition(".")
    return bool(head) and attr.isidentifier()


def narrows(name: str, expr: str | None) -> bool:
    """Is ``expr`` ``name`` narrowed by query methods that keep its rows (``query.filter_by(...)``)?"""
    ops = parse_expr(expr) if expr and len(expr) <= MAX_EXPR else None
    return bool(ops) and ops[0] == ("name", name) and _narrows(ops[1:])


def _narrows(ops) -> bool:
    """Are ``ops`` (after the name) calls of query methods that keep the rows
    (``.filter_by(...).order_by(...)``)?"""
    if not ops or len(ops) % 2:
        return False
    for (op, name), (call, _) in zip(ops[::2], ops[1::2]):
        if op != "attr" or call != "call" or not QUERY_API.get(name, (None, False))[1]:
            return False
    return True


def _expand(entity: str, kind: str) -> list[tuple[str, str]]:
    if kind == BOTH:
        return [(entity, READ), (entity, WRITE)]
    return [(entity, kind)]
