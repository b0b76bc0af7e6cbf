"""Transaction scopes and the entities each one writes.

A scope is ``@transaction.atomic`` (decorator, with or without arguments), ``with
transaction.atomic():``, ``with session.begin():`` / ``engine.begin()`` / ``begin_nested()``,
a ``with Session() as s:`` block that calls ``s.commit()``, or else a function that commits
a session itself. Its writes are the writes made inside it plus those of the project
functions it calls, followed down to :data:`DEPTH` levels of calls (bounded, so an
over-approximated call graph cannot make every scope write everything).
"""

from __future__ import annotations

from analyzer.frameworks.access import Access
from analyzer.frameworks.program import Program, matches, receiver_expr, tail
from analyzer.frameworks.values import Values
from analyzer.model import Transaction

DEPTH = 3  # levels of calls followed from a scope
_KIND_RANK = {"atomic-with": 3, "session-begin": 2, "session-commit": 1}
_BEGIN = frozenset({"begin", "begin_nested", "transaction"})


class Transactions:
    def __init__(self, prog: Program, values: Values, accesses: list[Access],
                 by_site: dict[tuple[str, int], list[Access]], unsited: list[Access], depth: int = DEPTH) -> None:
        self.prog = prog
        self.values = values
        self.depth = depth
        self.by_site = by_site
        self.direct: dict[str, set[str]] = {}
        self.lined: dict[tuple[str, str], list[Access]] = {}  # (module, scope) -> accesses w/o site
        for a in accesses:
            if a.kind == "write":
                self.direct.setdefault(a.source, set()).add(a.entity)
        for a in unsited:
            if a.kind == "write":
                self.lined.setdefault((a.module, a.source), []).append(a)
        self._memo: dict[tuple[str, int], frozenset[str]] = {}
        self._commit_sites: dict[str, list[tuple[str, int]]] | None = None

    # -- writes ------------------------------------------------------------------------
    def writes_within(self, func: str, depth: int) -> frozenset[str]:
        """Writes of ``func`` and of what it calls, ``depth`` levels down (1 = itself only)."""
        key = (func, depth)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        self._memo[key] = frozenset()  # cycles: contribute nothing more while in progress
        out = set(self.direct.get(func, ()))
        if depth > 1:
            for g in self.prog.callees().get(func, ()):
                out |= self.writes_within(g, depth - 1)
        result = frozenset(out)
        self._memo[key] = result
        return result

    def _range_writes(self, module: str, scope: str, first: int, end: int, line: int, end_line: int) -> set[str]:
        out: set[str] = set()
        for i in range(first, end):
            for a in self.by_site.get((module, i), ()):
                if a.kind == "write":
                    out.add(a.entity)
            for g in self.prog.entered(module, i):
                out |= self.writes_within(g, self.depth)
        for a in self.lined.get((module, scope), ()):
            if line <= a.line <= end_line:
                out.add(a.entity)
        return out

    # -- scopes ------------------------------------------------------------------------
    def run(self) -> list[Transaction]:
        out: list[Transaction] = []
        covered: dict[str, list[tuple[int, int]]] = {}
        for module in self.prog.modules:
            for w in self.prog.facts[module].withs:
                kind = self._with_kind(module, w)
                if kind is None:
                    continue
                covered.setdefault(module, []).append((w.first_call, w.end_call))
                writes = self._range_writes(module, w.scope, w.first_call, w.end_call, w.line, w.end_line)
                out.append(Transaction(w.scope, module, w.line, w.end_line, kind, tuple(sorted(writes))))
        for q, d in sorted(self.prog.defs.items()):
            if d.kind not in ("function", "method"):
                continue
            kind = "atomic-decorator" if self._atomic_decorated(q) else None
            if kind is None and self._commits(q, covered):
                kind = "session-commit"
            if kind is None:
                continue
            writes = set(self.direct.get(q, ()))
            for g in self.prog.callees().get(q, ()):
                writes |= self.writes_within(g, self.depth)
            out.append(Transaction(q, self.prog.module_of(q), d.line, d.end_line, kind, tuple(sorted(writes))))
        return sorted(out, key=lambda t: (t.module, t.line, t.function, t.kind))

    def _with_kind(self, module: str, w) -> str | None:
        prog = self.prog
        best = None
        for item in w.items:
            if item.call is None:
                continue
            c = prog.call(module, item.call)
            targets = prog.targets(module, item.call)
            kind = None
            if matches(targets, {"django"}, {"atomic"}):
                kind = "atomic-with"
            elif tail(c.callee) in _BEGIN and self._db_object(c.scope, receiver_expr(c.callee), targets):
                kind = "session-begin"
            elif item.keyword and "@sess" in self.values.site(module, item.call).result:
                commit = f"{item.keyword}.commit"
                if any(prog.call(module, i).callee == commit for i in range(w.first_call, w.end_call)):
                    kind = "session-commit"
            if kind and (best is None or _KIND_RANK[kind] > _KIND_RANK[best]):
                best = kind
        return best

    def _db_object(self, scope: str, recv: str | None, targets) -> bool:
        if matches(targets, {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"}):
            return True
        if recv is None:
            return False
        if "@sess" in self.values.types(scope, recv):
            return True
        last = recv.rsplit(".", 1)[-1].lower()
        return any(w in last for w in ("session", "engine", "conn", "connection"))

    def _atomic_decorated(self, func: str) -> bool:
        d = self.prog.defs[func]
        parent = self.prog.parent_scope(func)
        for dec in d.decorators:
            if dec.expr and dec.expr.rsplit(".", 1)[-1] == "atomic" and \
                    matches(self.prog.r.eval(parent, dec.expr), {"django"}, {"atomic"}):
                return True
        return False

    def _commits(self, func: str, covered: dict[str, list[tuple[int, int]]]) -> bool:
        """Commits a session outside every transaction ``with`` block."""
        if self._commit_sites is None:
            found: dict[str, list[tuple[str, int]]] = {}
            for site in self.prog.named(["commit"]):
                if tail(site.call.callee) == "commit":
                    found.setdefault(site.call.scope, []).append((site.module, site.index))
            self._commit_sites = found
        for module, i in self._commit_sites.get(func, ()):
            if any(a <= i < b for a, b in covered.get(module, ())):
                continue
            c = self.prog.call(module, i)
            recv = receiver_expr(c.callee)
            if recv and self._db_object(c.scope, recv, self.prog.targets(module, i)):
                return True
        return False
