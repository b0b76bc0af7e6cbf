"""Which function reads and which writes which entity, site by site.

Three sources of evidence:

* ORM call sites (Django querysets, managers, instances, related managers; SQLAlchemy
  sessions, queries, statements), evaluated by :class:`~analyzer.frameworks.values.Values`.
  A chain counts once, with the kind of its outermost call: ``Order.objects.filter(...)
  .update(...)`` is one write, not a read and a write.
* Attribute stores on SQLAlchemy rows (``stock.reserved += n``, ``setattr(o, ...)``): the unit
  of work writes them at flush. Assigning a relationship also writes the related rows.
* Raw SQL: the literal (or named constant, or ``text(...)``) passed to ``execute`` / ``raw`` /
  ``read_sql``; SQL statements written inside a function and not passed anywhere we saw are
  attributed to that function.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from analyzer.facts import LAMBDA, argument, lambda_owner
from analyzer.forked import halves, shares
from analyzer.frameworks.program import Program, outside, receiver_expr, tail
from analyzer.frameworks.registry import TABLE_PREFIX, Registry
from analyzer.frameworks.sql import dynamic_table, looks_like_statement, tables
from analyzer.frameworks.values import (
    BOTH,
    HELPER_NAMES,
    READ,
    SESSION_API,
    STATEMENT_CTORS,
    WRITE,
    Values,
    narrows,
)

SQL_CALLS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql", "raw", "read_sql",
                       "read_sql_query", "aexecute", "fetch", "fetchrow", "fetchval"})
# ORM-looking sites from which the second half is evaluated in a forked child: below this a
# fork (and the child's copies of the pages it touches) costs more than half the loop
FORK_SITES = 20_000
# What the fork adds, as shares of this process's resident memory at the fork (analyzer.forked):
# the child's own pages (the pages it touches, copied, and what its memos fill) and this
# process's growth with its half. Measured at 1.2 M lines: 1,001 MiB at the fork (the C heap
# trimmed), the child's unique set 814 MiB at its end, this process 1,281 MiB when it joined.
CHILD_COPIES = 0.82
PARENT_GROWS = 0.3
_DB_WORDS = ("cursor", "conn", "connection", "session", "engine", "db", "database", "cur")
# how many callers up a generic helper's accesses are handed (a helper called by a helper ...)
MAX_LIFTS = 3
MAX_CHAIN = 16  # calls followed back along a query chain to the one naming ``self.model``
# one call passes one object, of one model or a few related ones: a caller whose argument
# evaluates to more entities is imprecisely known, and hands nothing
MAX_PASSED = 3
MAX_SITE_MODELS = 10  # a call touching more models than this is generic code (``_drop_generic``)
GENERIC = "generic, on any model: "
# a model class's attributes that stand for its rows (``model.objects.filter``, ``model.query``)
_MANAGERS = frozenset({"objects", "query", "_default_manager", "_base_manager"})


@dataclass(frozen=True, slots=True)
class Access:
    source: str  # the scope: function, method, class body or module
    entity: str
    kind: str  # read | write
    line: int
    module: str


class AccessAnalysis:
    def __init__(self, prog: Program, reg: Registry, values: Values) -> None:
        self.prog = prog
        self.reg = reg
        self.values = values
        self.unresolved: Counter = Counter()
        self.by_site: dict[tuple[str, int], list[Access]] = {}
        self.extra: list[Access] = []  # stores and SQL strings (no call site)
        self.sql_unattributed = 0
        self._params: dict[str, dict[str, int | None]] = {}
        self._following: set[tuple[str, str]] = set()  # locals _param_named is tracing back
        self._mixins: set[str] = set()  # mixins of models and abstract models (``_mixin_sites``)
        self._overridden: dict[tuple[str, str], bool] = {}  # see _decided_above
        self._name_index: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None  # see _class_names
        self._absorbed: dict[tuple[str, int], tuple[str, int]] = {}  # site -> the chain's call holding its accesses
        self._receivers: dict[tuple[str, int], tuple[str, int]] = {}  # see _lift_generic
        self._counted_scopes: set[str] | None = None  # scopes with accesses, see _built_in_project

    def run(self) -> list[Access]:
        self._orm_sites()
        self._absorb_chains()
        self._lift_generic()
        self._drop_generic()
        self._raw_sql()
        self._stores()
        self._subscripts()
        out = [a for accesses in self.by_site.values() for a in accesses] + self.extra
        return sorted(out, key=lambda a: (a.source, a.entity, a.kind, a.line))

    # -- ORM ---------------------------------------------------------------------------
    def _orm_sites(self) -> None:
        sites = self.prog.named(self.values.relevant_tails)
        if len(sites) < FORK_SITES:
            found = [self._evaluate(sites)]
        else:  # two halves at once, each from the state before either (see analyzer.forked)
            first, second = halves(sites, lambda site: site.module)
            found = list(shares(lambda part: self._evaluate(second if part else first), copies=CHILD_COPIES,
                                grows=PARENT_GROWS, isolated=self.values.isolated))
        for rows, unresolved in found:
            for module, index, scope, line, accesses in rows:
                self.by_site[(module, index)] = [Access(scope, self._registered(e), k, line, module)
                                                 for e, k in accesses]
            self.unresolved.update(unresolved)

    def _registered(self, entity: str) -> str:
        """An entity a site named: a table no model of the project maps (an outside Django
        model's, ``auth_user``) is added to the registry here, in this process: a forked
        share's registry goes with it."""
        if entity in self.reg.models or not entity.startswith(TABLE_PREFIX):
            return entity
        return self.reg.table_entity(entity[len(TABLE_PREFIX):], None, 0, framework="django")

    def _evaluate(self, sites) -> tuple[list[tuple], Counter]:
        """``(module, index, scope, line, ((entity, kind), ...))`` for every site that
        accesses an entity (plain rows: a forked share sends them back), and the counts of
        the unresolved ones."""
        values = self.values
        prog = self.prog
        rows: list[tuple] = []
        unresolved: Counter = Counter()
        for site in sites:
            targets = prog.targets(site.module, site.index)
            if targets and all(v.startswith(("b:", "bi:")) for v in targets):
                continue  # a method of a builtin type: ``d.get``, ``items.append``
            sv = values.site(site.module, site.index)
            if sv.accesses:
                rows.append((site.module, site.index, site.call.scope, site.call.line, tuple(sv.accesses)))
            elif sv.unresolved:
                unresolved[sv.unresolved] += 1
        return rows, unresolved

    def _absorb_chains(self) -> None:
        """Drop the accesses of a call whose result is only the receiver of another ORM call,
        except the reads of models the outer call does not touch: those the chain joins
        (``Order.objects.select_related("customer").filter(...)`` reads Customer too)."""
        for module, index in sorted(self.by_site):  # a receiver comes before the call made on it
            rs = self.prog.receiver_site(module, index)
            inner = self.by_site.get((module, rs)) if rs is not None else None
            if inner is None:
                continue
            outer = self.by_site[(module, index)]
            touched = {a.entity for a in outer}
            outer.extend(a for a in inner if a.kind == READ and a.entity not in touched)
            del self.by_site[(module, rs)]
            self._absorbed[(module, rs)] = (module, index)

    # -- accesses made through a parameter --------------------------------------------
    def _lift_generic(self) -> None:
        """Hand a generic helper's accesses to its callers.

        A helper such as ``def save(obj): db.session.add(obj)`` touches whatever its callers
        give it. Evaluated on its own, its parameter holds every caller's argument, so the
        helper seemed to write every entity and its callers none: the data went to whichever
        service got the helper. When the callers pass two or more entities between them,
        each caller now gets the accesses for the entities it passes, at its call's line,
        and the helper keeps only those no caller accounts for. A function always handed one
        entity (``reserve(product)``) is that entity's code and keeps its accesses, and a
        caller whose argument stands for more than ``MAX_PASSED`` entities is too vaguely
        known to take any.

        A mixin of models (``CRUDMixin.save``: ``db.session.add(self)``) has no entity of
        its own, so its accesses on ``self`` or ``cls`` go to every caller that names one
        (``user.save()``, ``User.create(...)``); so do an abstract model's, whose rows are
        its concrete models'. A caller that passes on its own parameter, or an object made
        from it (``instance = cls(**kw)``), is lifted in turn, up to ``MAX_LIFTS`` levels."""
        # receiver site -> the ORM call made on it, whose accesses a handed one may repeat
        self._receivers = {(m, rs): (m, i) for m, i in self.by_site
                           if (rs := self.prog.receiver_site(m, i)) is not None}
        groups: dict[tuple[str, int | None, str], list[_Handed]] = {}
        for key, accesses in self.by_site.items():
            if len({a.entity for a in accesses}) < 2:
                continue  # one entity whoever calls: nothing to hand (the test below is dearer)
            subject = self._subject_param(*key)
            if subject is not None:
                groups.setdefault(subject, []).extend(_Handed(key, a.entity, a.kind, None, None) for a in accesses)
        for subject, items in self._mixin_sites().items():
            groups.setdefault(subject, []).extend(items)
        for subject, items in self._attribute_sites().items():
            groups.setdefault(subject, []).extend(items)
        for _ in range(MAX_LIFTS):
            if not groups:
                break
            callers = self._call_sites_of({func for func, _, _ in groups})
            for func, found in self._row_calls({f for f, position, _ in groups if position == 0}).items():
                known = set(callers.get(func, ()))
                callers.setdefault(func, []).extend(site for site in found if site not in known)
            lifted: dict[tuple[str, int | None, str], list[_Handed]] = {}
            for subject, items in sorted(groups.items(), key=lambda kv: kv[0][0]):
                for onward, given in self._hand(subject, items, callers.get(subject[0], ())):
                    lifted.setdefault(onward, []).extend(given)
            groups = lifted

    def _hand(self, subject: tuple[str, int | None, str], items: list[_Handed], callers):
        """Hand one function's accesses on one parameter to the callers that pass entities
        for it; yields ``(caller's own parameter, its new accesses)`` to lift further."""
        _, position, name = subject
        touched = {h.entity for h in items if h.entity is not None}
        virtual = any(h.entity is None for h in items)
        handed = []
        relayed = []  # ``self.get(k)`` in the base: its own callers name the model
        for module, index, tag in callers:
            if virtual and "." in name:
                onward = self._passed_param(module, index, tag, position, name)
                if onward is not None and self._decided_above(onward):
                    relayed.append(((module, index), onward))
                    continue
            passed = self._entities_passed(module, index, tag, position, name)
            if not virtual:
                passed &= touched
            if 0 < len(passed) <= MAX_PASSED:
                handed.append((module, index, tag, passed))
        every = {e for *_, passed in handed for e in passed}
        for n, (key, onward) in enumerate(relayed):  # the unresolved site is counted off once, further up
            yield onward, [h._replace(key=key, unresolved=None if every or n else h.unresolved, origin=h.origin or h.key)
                           for h in items if h.entity is None]
        if not every or (touched and len(every) < 2):
            return
        if "." in name:  # a base that names a model itself (``model = User``): its callers name theirs
            attr = name.partition(".")[2]
            gone = every | self.values.class_attribute_entities({f"d:{self.prog.parent_scope(subject[0])}"}, attr)
            # the site, and the base's own call relaying it (``self._query()``): the callers name the model
            for key in {self._holder(k) for h in items if h.entity is None for k in (h.key, h.origin) if k} \
                    & self.by_site.keys():
                self.by_site[key] = [a for a in self.by_site[key] if a.entity not in gone]
        for key in {h.key for h in items if h.entity in every}:
            self.by_site[key] = [a for a in self.by_site[key] if a.entity not in every]
        for key in {h.key for h in items if h.entity is None and h.key in self.by_site}:
            # an abstract model's method: its callers name the concrete model
            self.by_site[key] = [a for a in self.by_site[key] if not self._abstract(a.entity)]
        for h in items:
            if h.unresolved and self.unresolved[h.unresolved] > 0:
                self.unresolved[h.unresolved] -= 1  # resolved through its callers
                if not self.unresolved[h.unresolved]:
                    del self.unresolved[h.unresolved]
        for module, index, tag, passed in handed:
            c = self.prog.call(module, index)
            given = []
            for h in items:
                for e in sorted(passed) if h.entity is None else (h.entity,) if h.entity in passed else ():
                    kind = h.kind or self.values.api(e, h.api)
                    if kind is not None:
                        given.extend(Access(c.scope, e, k, c.line, module) for k in _kinds(kind))
            held = self.by_site.setdefault((module, index), [])
            # the call the site is the receiver of may know the entity already: a subclass
            # naming the model (``self._query().all()``, ``Values._for_repository``)
            outer = self._receivers.get((module, index))
            known = {(a.entity, a.kind) for a in self.by_site.get(outer, ())} if outer is not None else set()
            given = [a for a in dict.fromkeys(given) if a not in held and (a.entity, a.kind) not in known]
            held.extend(given)
            onward = self._passed_param(module, index, tag, position, name)
            if onward is not None:
                yield onward, [_Handed((module, index), a.entity, a.kind, None, None) for a in given]

    def _holder(self, key: tuple[str, int]) -> tuple[str, int]:
        """The call holding a site's accesses: the site, or the end of the chain it began
        (``db.query(self.model).filter(...).first()``, see ``_absorb_chains``)."""
        while key in self._absorbed:
            key = self._absorbed[key]
        return key

    def _mixin_sites(self) -> dict[tuple[str, int | None, str], list[_Handed]]:
        """ORM calls on ``self`` or ``cls`` in the methods of a project class that models
        inherit but that is no model itself (a mixin), or of an abstract model."""
        prog = self.prog
        reg = self.reg
        mixins = self._mixins = {m.cls for m in reg.models.values() if m.abstract and m.cls in prog.defs}
        for cls in reg.by_class:
            for base in prog.r.mro(cls)[1:] if cls in prog.defs else ():
                if base not in reg.by_class and base in prog.defs:
                    mixins.add(base)
        out: dict[tuple[str, int | None, str], list[_Handed]] = {}
        for module in sorted({prog.module_of(m) for m in mixins}):
            for index, c in enumerate(prog.facts[module].calls):
                if prog.parent_scope(c.scope) not in mixins or prog.receiver_site(module, index) is not None:
                    continue
                found = self._subject_param(module, index)
                if found is None or found[1] != 0:
                    continue
                name = tail(c.callee)
                if self.values.on_session(module, index):  # ``db.session.add(self)``
                    if SESSION_API[name][0] is None:
                        continue
                    item = _Handed((module, index), None, SESSION_API[name][0], None,
                                   self.values.site(module, index).unresolved)
                elif name is not None and receiver_expr(c.callee) is not None:  # ``cls.query.get(k)``
                    item = _Handed((module, index), None, None, name, None)
                else:
                    continue
                out.setdefault(found, []).append(item)
        return out

    def _attribute_sites(self) -> dict[tuple[str, int | None, str], list[_Handed]]:
        """ORM calls in a method on a class attribute of ``self`` that names a model
        (``self.session.get(self.model, k)``, ``select(self.model)``,
        ``self.model.objects.filter(...)``, ``obj = self.model(**data)`` then
        ``session.add(obj)``): a generic repository's, whose model each subclass names
        (``class UserRepository(BaseRepository): model = User``). Evaluated in the base,
        ``self`` is the base's own instance, which names no model; each caller's receiver
        names one (``UserRepository(s).get(k)`` reads User), so the access goes to the
        caller. The subject is ``(method, 0, "self.model")``: the attribute of the object
        handed as ``self``."""
        prog = self.prog
        reg = self.reg
        out: dict[tuple[str, int | None, str], list[_Handed]] = {}
        for site in prog.named(self.values.relevant_tails):
            module, index, c = site.module, site.index, site.call
            selfname = prog.r.self_param.get(c.scope)
            if selfname is None or (f"{selfname}." not in (c.callee or "") + "".join(a.expr or "" for a in c.args)
                                    and not self._made_from_self(module, c, selfname)):
                continue  # the cheap test first: most sites name no attribute of ``self``
            cls = prog.parent_scope(c.scope)
            if cls in reg.by_class or cls in self._mixins or prog.receiver_site(module, index) is not None:
                continue  # a model's own methods and its mixins': ``_mixin_sites``
            found = self._self_attribute(module, index, c, selfname)
            if found is None or not self._decided_above((c.scope, 0, f"{selfname}.{found[0]}")):
                continue  # in a class no subclass sets the attribute again, the site names its model
            attr, how = found
            name = tail(c.callee)
            if how == "session":
                kind = SESSION_API[name][0]
                if kind is None:
                    continue
                item = _Handed((module, index), None, kind, None, self.values.site(module, index).unresolved)
            elif how == "statement":
                kind = READ if STATEMENT_CTORS[prog.plain_name(module, c.callee)] == "r" else WRITE
                item = _Handed((module, index), None, kind, None, None)
            else:
                item = _Handed((module, index), None, None, name, self.values.site(module, index).unresolved)
            out.setdefault((c.scope, 0, f"{selfname}.{attr}"), []).append(item)
        return out

    def _made_from_self(self, module: str, c, selfname: str) -> bool:
        """Is the call's first argument a name bound to a call on an attribute of ``self``
        (``obj = self.model(**data)`` before ``db.add(obj)``), or to rows a query on one
        loaded (``obj = db.query(self.model).get(k)`` before ``db.delete(obj)``)?"""
        first = self.prog.arg(c, 0)
        if first is None or not first.expr or not first.expr.isidentifier():
            return False
        return self._object_of_self(module, c.scope, first.expr, selfname) is not None

    def _object_of_self(self, module: str, scope: str, name: str, selfname: str) -> str | None:
        """The attribute of ``self`` a local object comes from: ``model`` when ``name`` is
        bound once, to a call of ``self.model`` (``obj = self.model(**data)``) or to the end
        of a query chain that starts from it (``obj = db.query(self.model).get(k)``,
        ``obj = session.get(self.model, k)``): what a session call on the object then
        writes is the rows of the model each subclass names."""
        prog = self.prog
        bound = prog.bindings(scope, name)
        if len(bound) != 1 or bound[0].call is None or bound[0].origin is not None:
            return None
        index: int | None = bound[0].call
        attr = _attribute_of(selfname, prog.call(module, index).callee)
        seen = 0
        while attr is None and index is not None and seen < MAX_CHAIN:
            c = prog.call(module, index)
            first = prog.arg(c, 0)
            if first is not None and (self.values.on_session(module, index)
                                      or prog.plain_name(module, c.callee or "") in STATEMENT_CTORS):
                attr = _attribute_of(selfname, first.expr)
            index, seen = prog.receiver_site(module, index), seen + 1
        return attr

    def _self_attribute(self, module: str, index: int, c, selfname: str) -> tuple[str, str] | None:
        """``(attribute, how)`` when the site works on ``<self>.<attribute>``: as a session
        call's first argument (or an object made by calling it), a statement's subject, or
        the receiver (``self.model.objects``)."""
        prog = self.prog
        first = prog.arg(c, 0)
        expr = first.expr if first is not None else None
        if prog.plain_name(module, c.callee or "") in STATEMENT_CTORS:
            attr = _attribute_of(selfname, expr)
            return (attr, "statement") if attr else None
        if tail(c.callee) in SESSION_API and self.values.on_session(module, index):
            attr = _attribute_of(selfname, expr)
            if attr is None and expr and expr.isidentifier():  # ``obj = self.model(**data)``
                attr = self._object_of_self(module, c.scope, expr, selfname)
            return (attr, "session") if attr else None
        recv = receiver_expr(c.callee)
        if recv is not None:
            head, _, manager = recv.rpartition(".") if recv.count(".") == 2 else (recv, "", "")
            attr = _attribute_of(selfname, head)
            if attr and (not manager or manager in _MANAGERS):
                return attr, "receiver"
        return None

    def _decided_above(self, subject: tuple[str, int | None, str]) -> bool:
        """Whether the object a caller hands on as ``subject`` (``(func, 0, "self.model")``) is
        pinned down only by that function's own callers: any parameter but a method's
        ``self``, and ``self`` when a project subclass of the method's class sets the
        attribute again (``self.get(k)`` in the base) or when the constructor of the class
        or of a subclass is given it (``CRUDBase(User)``). ``self.all()`` in a subclass
        nothing extends names that subclass's model."""
        func, position, name = subject
        head, _, attr = name.partition(".")
        if position != 0 or self.prog.r.self_param.get(func) != head:
            return True
        cls = self.prog.parent_scope(func)
        key = (cls, attr)
        hit = self._overridden.get(key)
        if hit is None:
            setters, storers = self._class_names()

            def below(q: str) -> bool:
                return q != cls and cls in self.prog.r.mro(q)

            hit = self._overridden[key] = attr in self.values.carried(cls) \
                or any(below(q) for q in setters.get(attr, ())) \
                or any(below(q) and attr in self.values.carried(q) for q in storers.get(attr, ()))
        return hit

    def _class_names(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Which classes set each name in their body (``model = User``), and which store it
        on the instance (``self.model = model`` in a method): one pass on the first question,
        since a program asks about many names (each attribute a base-class method reads
        through ``self``)."""
        if self._name_index is None:
            body: dict[str, list[str]] = defaultdict(list)
            stored: dict[str, list[str]] = defaultdict(list)
            for q, d in self.prog.defs.items():
                if d.kind == "class":
                    for name, found in self.prog.r.scope_bindings.get(q, {}).items():
                        if any(b.origin is None for b in found):
                            body[name].append(q)
                        if any(b.origin is not None for b in found):
                            stored[name].append(q)
            self._name_index = dict(body), dict(stored)
        return self._name_index

    def _abstract(self, entity: str) -> bool:
        m = self.reg.models.get(entity)
        return m is not None and m.abstract

    def _subject_param(self, module: str, index: int) -> tuple[str, int | None, str] | None:
        """``(function, position, name)`` of the parameter whose rows or model class an ORM
        site works on (``obj.save()``, ``session.add(obj)``, ``model.objects.filter(...)``,
        ``select(model)``), or ``None`` when that is no parameter of the enclosing function."""
        prog = self.prog
        inner = prog.receiver_site(module, index)
        while inner is not None:  # ``model.objects.filter(...).update(...)``: the chain's start
            index, inner = inner, prog.receiver_site(module, inner)
        c = prog.call(module, index)
        helper = self.values.query_helper(module, index) if (tail(c.callee) or c.callee) in HELPER_NAMES else None
        first = prog.arg(c, *helper) if helper is not None else prog.arg(c, 0)
        first = first.expr if first is not None else None
        recv = receiver_expr(c.callee)
        head, _, rest = (recv or "").partition(".")
        head = head if recv and (not rest or rest in _MANAGERS) else None
        if self._param_named(c.scope, first) is None and self._param_named(c.scope, head) is None:
            return None  # the cheap test first: most sites work on no parameter
        if helper is not None or prog.plain_name(module, c.callee or "") in STATEMENT_CTORS \
                or self.values.on_session(module, index):
            return self._param_named(c.scope, first)
        return self._param_named(c.scope, head)

    def _param_named(self, func: str, name: str | None) -> tuple[str, int | None, str] | None:
        """The parameter ``name`` is, or the one it was made from (``obj = cls(**kw)``). In a
        lambda, a name it neither takes nor binds is the holding function's (zou's ``def
        _tgt(model): return lambda: model.query.filter_by(...).count()``)."""
        if name is None:
            return None
        params = self._params_of(func)
        while func.rpartition(".")[2].startswith(LAMBDA) and name not in params \
                and not self.prog.bindings(func, name):
            func = func.rpartition(".")[0]
            params = self._params_of(func)
        if not params:
            return None
        found = params.get(name)
        if found is not None:
            return func, found, name
        if name in params:
            return func, None, name  # keyword-only
        bound = self.prog.bindings(func, name)
        if len(bound) == 1 and bound[0].call is not None and bound[0].origin is None:
            made_by = self.prog.call(self.prog.module_of(func), bound[0].call).callee
            if made_by in params:
                return func, params[made_by], made_by
        roots = [b for b in bound if not narrows(name, b.expr)]
        if len(roots) == 1 and len(bound) > 1 and roots[0].call is not None and roots[0].origin is None \
                and (func, name) not in self._following:
            # ``query = model_query(model, session)``, then ``query = query.filter_by(...)``:
            # the query is worked out from the parameter its first call works on
            self._following.add((func, name))
            try:
                return self._subject_param(self.prog.module_of(func), roots[0].call)
            finally:
                self._following.discard((func, name))
        return None

    def _params_of(self, func: str) -> dict[str, int | None]:
        """:meth:`_signature`, once per function."""
        params = self._params.get(func)
        if params is None:
            params = self._params[func] = self._signature(func)
        return params

    def _signature(self, func: str) -> dict[str, int | None]:
        """A function's parameters that can be handed an object: name -> position among the
        positional ones (``None`` for keyword-only)."""
        d = self.prog.defs.get(func)
        if d is None or d.kind not in ("function", "method"):
            return {}
        positional = [p.name for p in d.params if p.kind in ("positional", "positional_only")]
        out: dict[str, int | None] = {name: i for i, name in enumerate(positional)}
        out.update((p.name, None) for p in d.params if p.kind == "keyword_only")
        return out

    def _call_sites_of(self, funcs: set[str]) -> dict[str, list[tuple[str, int, str]]]:
        """``func -> [(module, index, "d" or "bd"), ...]``: the project's calls of each."""
        prog = self.prog
        scopes = {e.source for e in prog.resolution.edges if e.kind == "call" and e.target in funcs}
        out: dict[str, list[tuple[str, int, str]]] = {}
        for module in sorted({prog.module_of(s) for s in scopes}):
            for index, c in enumerate(prog.facts[module].calls):
                if c.scope not in scopes and (LAMBDA not in c.scope or lambda_owner(c.scope) not in scopes):
                    continue  # (a call in a lambda is its holder's edge)
                for v in sorted(prog.targets(module, index)):
                    tag, _, func = v.partition(":")
                    if tag in ("d", "bd") and func in funcs:
                        out.setdefault(func, []).append((module, index, tag))
        return out

    def _row_calls(self, funcs: set[str]) -> dict[str, list[tuple[str, int, str]]]:
        """Calls of the methods of a mixin or abstract model made on rows of the models below
        it, as the frameworks stage types them (``Book.objects.get(pk=k).touch()``): the
        resolver, which knows no managers, leaves them unresolved (``row_calls``)."""
        from analyzer.frameworks.row_calls import row_method_sites

        wanted = {f for f in funcs if self.prog.parent_scope(f) in self._mixins}
        out: dict[str, list[tuple[str, int, str]]] = {}
        for rc in row_method_sites(self.prog, self.reg, self.values) if wanted else ():
            if rc.method in wanted:
                out.setdefault(rc.method, []).append((rc.module, rc.index, "bd"))
        return out

    def _argument(self, module: str, index: int, tag: str, position: int | None, name: str):
        """``(expression, argument)`` a call hands to a parameter: an argument, or for a
        bound method's first parameter (``self``, ``cls``) the call's receiver. Through
        ``super().method()`` that is the caller's own ``self``."""
        c = self.prog.call(module, index)
        if tag == "bd" and position is not None:
            if position == 0:
                receiver = receiver_expr(c.callee)
                if receiver is not None and receiver.startswith("super("):
                    return self.prog.r.self_param.get(c.scope), None
                return receiver, None
            position -= 1
        arg = argument(c, position, name, past_stars=False)
        return (arg.expr, arg) if arg is not None else (None, None)

    def _entities_passed(self, module: str, index: int, tag: str, position: int | None, name: str) -> set[str]:
        name, _, attr = name.partition(".")
        expr, arg = self._argument(module, index, tag, position, name)
        c = self.prog.call(module, index)
        if arg is not None:
            values = self.values.arg_values(module, c.scope, arg)
        elif expr is not None:
            values = self.values.receiver_values(module, index, c.scope, expr)
        else:
            return set()
        if attr:  # ``self.model`` of the object handed as ``self``; the resolver knows what a
            # class method makes of its ``cls`` (``OrderRepository.from_session(s)``)
            resolved = self.prog.r.eval(c.scope, expr) if expr is not None and arg is None else frozenset()
            return self.values.class_attribute_entities(set(values) | resolved, attr)
        return {v[3:] for v in values if v.startswith(("@o:", "@c:"))}

    def _passed_param(self, module: str, index: int, tag: str, position: int | None, name: str):
        """The caller's own parameter, when that is what it hands on (with the attribute the
        callee works on: ``self.get(k)`` inside the base hands on its own ``self.model``)."""
        name, dot, attr = name.partition(".")
        expr, arg = self._argument(module, index, tag, position, name)
        if expr is None or (arg is not None and arg.call is not None):
            return None
        onward = self._param_named(self.prog.call(module, index).scope, expr)
        if onward is None or not attr:
            return onward
        return onward[0], onward[1], f"{onward[2]}{dot}{attr}"

    def _drop_generic(self) -> None:
        """A call left touching more than ``MAX_SITE_MODELS`` models is generic code whose
        model is its caller's (``self.model.objects.filter(...)`` in a CRUD base, a
        repository's ``session.add(obj)`` that no caller pins down): its accesses say nothing
        about any one model and would make every model shared. They are counted among the
        unresolved accesses instead. The models a query joins along the field paths it names
        (``prefetch_related("reviewers", "test", ...)``) are known precisely and do not
        count: what counts is the rows the call gives, when it gives rows."""
        for key, accesses in list(self.by_site.items()):
            if len({a.entity for a in accesses}) <= MAX_SITE_MODELS:
                continue
            rows = {v[3:] for v in self.values.site(*key).result if v.startswith(("@o:", "@c:"))}
            if len(rows or {a.entity for a in accesses}) > MAX_SITE_MODELS:
                del self.by_site[key]
                self.unresolved[f"{GENERIC}{self.prog.call(*key).callee}(...)"] += 1

    # -- raw SQL -----------------------------------------------------------------------
    def _raw_sql(self) -> None:
        prog = self.prog
        consumed: set[str] = set()
        unread: list[tuple[str, str]] = []  # raw SQL we could not read, by the function running it
        for site in prog.named(SQL_CALLS):
            c = site.call
            name = tail(c.callee)
            if "." not in (c.callee or ""):
                continue
            first = prog.arg(c, 0, "sql") or prog.arg(c, None, "query")
            if first is None:
                continue
            texts = prog.literal_texts(site.module, c.scope, first)
            if not texts:
                if self._db_receiver(site.module, site.index, c):
                    statement = self._statement(site.module, c, first)
                    if statement is None:
                        unread.append((c.scope, f"{name}({first.expr or '...'})"))
                    elif not statement and not self._given_statement(c.scope, first) \
                            and not self._built_in_project(site.module, c.scope, first):
                        self.unresolved[f"{name}(<statement of an unknown entity>)"] += 1
                continue
            for text in texts:
                consumed.add(text[:2000])
                found = self._sql_accesses(c.scope, site.module, c.line, text)
                if found:
                    self.by_site.setdefault((site.module, site.index), []).extend(found)
                elif dynamic_table(text):  # tables named at run time
                    self.unresolved[f"{name}({_one_line(text)})"] += 1
        read_here: set[str] = set()
        for module in prog.modules:
            for s in prog.facts[module].strings:
                if s.value in consumed or not looks_like_statement(s.value):
                    continue
                if prog.kind(s.scope) not in ("function", "method"):
                    self.sql_unattributed += 1
                    continue
                found = self._sql_accesses(s.scope, module, s.line, s.value)
                self.extra.extend(found)
                if found:
                    read_here.add(s.scope)
        for scope, expr in unread:  # ``sql = "UPDATE t ... %s" % (...)``: its text was read above
            if scope not in read_here:
                self.unresolved[expr] += 1

    def _sql_accesses(self, scope: str, module: str, line: int, text: str) -> list[Access]:
        found = tables(text)
        out = []
        for kind, names in ((READ, found.reads), (WRITE, found.writes)):
            for t in names:
                e = self.reg.table_entity(t, module, line)
                out.append(Access(scope, e, kind, line, module))
        return out

    def _db_receiver(self, module: str, index: int, c) -> bool:
        recv = receiver_expr(c.callee)
        if recv is None:
            return False
        if "@sess" in self.values.types(c.scope, recv):
            return True
        last = recv.rsplit(".", 1)[-1].lower().rstrip("()")
        return any(w in last for w in _DB_WORDS)

    def _given_statement(self, scope: str, arg) -> bool:
        """The statement is the enclosing function's parameter (``async def get_one(self,
        statement): ... self.session.execute(statement)``): its callers build it, and a
        statement counts where it is built, so this site leaves nothing unresolved."""
        expr = arg.expr
        return bool(expr) and expr.isidentifier() and expr in self._signature(scope)

    def _built_in_project(self, module: str, scope: str, arg, seen: frozenset[str] = frozenset()) -> bool:
        """The statement is made by a call of a project function that reads or writes what it
        states (``statement = self.get_base_statement().where(...)``, whose base's
        ``select(self.model)`` was handed to this call, or a method of the repository that
        builds it), or refines such a statement or one the function is given
        (``count = statement.with_only_columns(func.count())``): a statement counts where it
        is built, so this site leaves nothing unresolved. Every binding of a name passed
        must be so."""
        prog = self.prog
        if arg.call is not None:
            heads = [arg.call]
        elif arg.expr and arg.expr.isidentifier() and arg.expr not in seen:
            bound = prog.bindings(scope, arg.expr)
            if not bound or any(b.call is None for b in bound):
                return False
            heads = [b.call for b in bound]
            seen = seen | {arg.expr}
        else:
            return False
        if self._counted_scopes is None:
            self._counted_scopes = {a.source for found in self.by_site.values() for a in found}
        checked = False
        for index in heads:
            while (inner := prog.receiver_site(module, index)) is not None:
                index = inner
            callee = prog.call(module, index).callee
            recv = receiver_expr(callee)
            if recv in seen:
                continue  # ``statement = statement.where(...)``: refines another binding
            # ``paginated = statement.limit(n)``: a statement given, or built above
            if recv is not None and recv.isidentifier() and tail(callee) in _REFINES \
                    and (recv in self._signature(scope) or self._built_in_project(module, scope, _Named(recv), seen)):
                checked = True
                continue
            made = [v.partition(":")[2] for v in prog.targets(module, index) if v.startswith(("d:", "bd:"))]
            if not made or not (self.by_site.get((module, index))
                                or any(f in self._counted_scopes for f in made)):
                return False
            checked = True
        return checked

    def _statement(self, module: str, c, arg) -> bool | None:
        """True: an ORM statement of a known entity; False: an ORM statement of an unknown one
        (``select([...])``); None: no ORM statement (raw SQL we cannot read)."""
        vals = self.values.arg_values(module, c.scope, arg)
        if any(v.startswith(("@st:", "@o:", "@c:")) for v in vals):
            return True
        targets = self.prog.targets(module, arg.call) if arg.call is not None else vals
        roots = {(outside(v) or "").split(".")[0] for v in targets}
        return False if roots & {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"} else None

    # -- attribute stores on SQLAlchemy rows --------------------------------------------
    def _stores(self) -> None:
        reg = self.reg
        if not any(m.framework == "sqlalchemy" for m in reg.models.values()):
            return
        prog = self.prog
        values = self.values
        for module in prog.modules:
            facts = prog.facts[module]
            for st in facts.stores:
                if st.base == "self" and st.scope.endswith(".__init__"):
                    continue
                self._store(module, st.scope, values.types(st.scope, st.base), st.attr, st.line)
        for site in prog.named(["setattr"]):
            c = site.call
            if c.callee == "setattr" and c.args and c.args[0].expr:
                attr = prog.literal_str(site.module, c.scope, prog.arg(c, 1))
                self._store(site.module, c.scope, values.types(c.scope, c.args[0].expr), attr, c.line)

    def _subscripts(self) -> None:
        """``BlogPost[post_id]`` and ``for user in User:`` on a model class whose library makes
        them queries (Peewee: a row by primary key, every row): reads that no call site
        holds, found in the expressions of bindings, call receivers and arguments."""
        values = self.values
        if not values.subscripted:
            return
        prog = self.prog
        for module in prog.modules:
            facts = prog.facts[module]
            for b in facts.bindings:
                if b.expr and "[]" in b.expr:
                    self._subscript(module, b.origin or b.scope, b.expr, b.line)
            for c in facts.calls:
                if c.callee and "[]" in c.callee:
                    self._subscript(module, c.scope, c.callee, c.line)
                for a in c.args:
                    if a.expr and "[]" in a.expr:
                        self._subscript(module, c.scope, a.expr, c.line)

    def _subscript(self, module: str, scope: str, expr: str, line: int) -> None:
        base = expr.split("[]", 1)[0]
        if not base:
            return
        for v in sorted(self.values.types(scope, base)):
            if v.startswith("@c:") and v[3:] in self.values.subscripted:
                self.extra.append(Access(scope, v[3:], READ, line, module))

    def _store(self, module: str, scope: str, vals, attr: str | None, line: int) -> None:
        if sum(1 for v in vals if v.startswith("@o:")) > MAX_SITE_MODELS:
            self.unresolved[f"{GENERIC}.{attr} = ..."] += 1  # ``instance.x = v`` on any model
            return
        for v in sorted(vals):
            if not v.startswith("@o:"):
                continue
            e = v[3:]
            if self.reg.framework(e) != "sqlalchemy":
                continue
            self.extra.append(Access(scope, e, WRITE, line, module))
            target = self.values.relation(e, attr) if attr else None
            if target is not None:
                self.extra.append(Access(scope, target, WRITE, line, module))


# methods of a SQLAlchemy statement that give the statement refined
_REFINES = frozenset({"where", "filter", "filter_by", "limit", "offset", "order_by", "group_by", "having", "join",
                      "outerjoin", "select_from", "with_only_columns", "options", "distinct", "execution_options",
                      "subquery", "cte", "values", "returning", "add_columns", "correlate", "union", "union_all",
                      "scalar_subquery", "params", "bindparams"})


class _Named(NamedTuple):
    """A name standing for an argument (:meth:`AccessAnalysis._built_in_project`)."""

    expr: str
    call: None = None


class _Handed(NamedTuple):
    """An access a function makes on what a caller hands it: of ``entity`` when the
    function's own evaluation found one, else (a mixin's ``self``) of whatever entity the
    caller names, with ``kind`` or the access the ORM method ``api`` makes on it."""

    key: tuple[str, int]
    entity: str | None
    kind: str | None
    api: str | None
    unresolved: str | None  # how the site counted among the unresolved accesses
    origin: tuple[str, int] | None = None  # the site itself, when ``key`` is a call relaying it


def _attribute_of(selfname: str, expr: str | None) -> str | None:
    """``model`` for ``self.model`` (the first parameter's plain attribute), else None."""
    if not expr or not expr.startswith(selfname + "."):
        return None
    attr = expr[len(selfname) + 1:]
    return attr if attr.isidentifier() else None


def _kinds(kind: str) -> tuple[str, ...]:
    return (READ, WRITE) if kind == BOTH else (kind,)


def _one_line(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
