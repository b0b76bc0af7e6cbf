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

from collections import Counter
from dataclasses import dataclass

from analyzer.forked import shares
from analyzer.frameworks.program import Program, outside, receiver_expr, tail
from analyzer.frameworks.registry import Registry
from analyzer.frameworks.sql import dynamic_table, looks_like_statement, tables
from analyzer.frameworks.values import READ, RELEVANT_TAILS, WRITE, Values

SQL_CALLS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql", "raw", "read_sql",
                       "read_sql_query", "aexecute", "fetch", "fetchrow", "fetchval"})
# ORM-looking sites from which the second half is evaluated in a forked child: below this a
# fork (and the child's copies of the pages it touches) costs more than half the loop
FORK_SITES = 20_000
# what the fork adds to the parent's resident memory at the fork: the child's copies plus what
# both fill their memos with while evaluating (1.2 M lines: 1,276 MiB at the fork, the two
# processes' proportional set sizes summed to 2,230 MiB at the end of the stage)
CHILD_COPIES = 0.75
_DB_WORDS = ("cursor", "conn", "connection", "session", "engine", "db", "database", "cur")


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

    def run(self) -> list[Access]:
        self._orm_sites()
        self._absorb_chains()
        self._raw_sql()
        self._stores()
        out = [a for accesses in self.by_site.values() for a in accesses] + self.extra
        return sorted(out, key=lambda a: (a.source, a.entity, a.kind, a.line))

    # -- ORM ---------------------------------------------------------------------------
    def _orm_sites(self) -> None:
        sites = self.prog.named(RELEVANT_TAILS)
        if len(sites) < FORK_SITES:
            found = [self._evaluate(sites)]
        else:  # two halves at once, each from the state before either (see analyzer.forked)
            half = _module_boundary(sites, len(sites) // 2)
            found = list(shares(lambda part: self._evaluate(sites[half:] if part else sites[:half]),
                                copies=CHILD_COPIES))
        for rows, unresolved in found:
            for module, index, scope, line, accesses in rows:
                self.by_site[(module, index)] = [Access(scope, e, k, line, module) for e, k in accesses]
            self.unresolved.update(unresolved)

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
        """Drop the accesses of a call whose result is only the receiver of another ORM call."""
        drop = []
        for (module, index) in self.by_site:
            rs = self.prog.receiver_site(module, index)
            if rs is not None and (module, rs) in self.by_site:
                drop.append((module, rs))
        for key in drop:
            self.by_site.pop(key, None)

    # -- raw SQL -----------------------------------------------------------------------
    def _raw_sql(self) -> None:
        prog = self.prog
        consumed: set[str] = set()
        for site in prog.named(SQL_CALLS):
            c = site.call
            name = tail(c.callee)
            if "." not in (c.callee or ""):
                continue
            first = prog.arg(c, 0, "sql") or prog.arg(c, None, "query")
            if first is None:
                continue
            text = prog.literal_str(site.module, c.scope, first)
            if text is None:
                if self._db_receiver(site.module, site.index, c):
                    statement = self._statement(site.module, c, first)
                    if statement is None:
                        self.unresolved[f"{name}({first.expr or '...'})"] += 1
                    elif not statement:
                        self.unresolved[f"{name}(<statement of an unknown entity>)"] += 1
                continue
            consumed.add(text[:2000])
            found = self._sql_accesses(c.scope, site.module, c.line, text)
            if found:
                self.by_site.setdefault((site.module, site.index), []).extend(found)
            elif dynamic_table(text):  # tables named at run time
                self.unresolved[f"{name}({_one_line(text)})"] += 1
        for module in prog.modules:
            for s in prog.facts[module].strings:
                if s.value in consumed or not looks_like_statement(s.value):
                    continue
                if prog.kind(s.scope) not in ("function", "method"):
                    self.sql_unattributed += 1
                    continue
                self.extra.extend(self._sql_accesses(s.scope, module, s.line, s.value))

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

    def _store(self, module: str, scope: str, vals, attr: str | None, line: int) -> None:
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


def _module_boundary(sites, at: int) -> int:
    """The first index at or after ``at`` where a new module's sites begin (a module's
    sites share much of what they evaluate, so they stay in one share)."""
    while 0 < at < len(sites) and sites[at].module == sites[at - 1].module:
        at += 1
    return at


def _one_line(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
