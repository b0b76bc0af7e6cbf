"""The building blocks of the framework stage: URL joining, call nesting, constants, dotted
paths, ORM values through calls, mount cycles, and how the cost grows with the program."""

from __future__ import annotations

import sys

import pytest
from helpers import build_tree, front_end

from analyzer.frameworks import extract
from analyzer.frameworks.orm_sqlalchemy import snake
from analyzer.frameworks.program import Program
from analyzer.frameworks.registry import Registry
from analyzer.frameworks.routes_django import join_pattern
from analyzer.frameworks.routing import Mounts, join_url
from analyzer.frameworks.values import Values


@pytest.mark.parametrize(("prefix", "path", "joined"), [
    ("", "/items", "/items"),
    ("", "items", "/items"),
    ("/shop", "/items", "/shop/items"),
    ("/shop/", "items/", "/shop/items/"),
    ("/shop", "/", "/shop/"),
    ("/shop", "", "/shop"),
    ("", "", "/"),
])
def test_join_url(prefix, path, joined):
    assert join_url(prefix, path) == joined


@pytest.mark.parametrize(("prefix", "route", "regex", "joined"), [
    ("/", "orders/", False, "/orders/"),
    ("/api/", "orders/<int:pk>/", False, "/api/orders/<int:pk>/"),
    ("/", "", False, "/"),
    ("/api/", r"^orders/(?P<pk>\d+)/$", True, r"/api/orders/(?P<pk>\d+)/"),
    ("/", r"^feed\.xml$", True, "/feed.xml"),
])
def test_join_pattern(prefix, route, regex, joined):
    assert join_pattern(prefix, route, regex) == joined


def test_snake_table_names():
    assert [snake(n) for n in ("Order", "OrderLine", "HTTPLog", "Item2Tag")] == \
        ["order", "order_line", "http_log", "item2_tag"]


def test_mount_cycles_and_unmounted_routers():
    m = Mounts()
    m.router("a", "/a", "flask")
    m.router("b", "/b", "flask")
    m.mount("a", "b", "/b")
    m.mount("b", "a", "/a")  # a cycle: nothing reachable from a root
    m.router("c", "/c", "flask")  # never mounted: its own prefix
    assert m.prefixes("c") == ["/c"]
    assert m.prefixes("a")[0].endswith("/a") and m.prefixes("b")[0].endswith("/b")  # it ends


def program(tmp_path, files):
    build_tree(tmp_path, files)
    facts, resolution = front_end(tmp_path)
    return Program(facts, resolution)


def test_call_nesting_receivers_and_constants(tmp_path):
    prog = program(tmp_path, {
        "pkg/__init__.py": "from pkg.conf import Settings\n",
        "pkg/conf.py": """
            QUERY = "SELECT 1 FROM t"
            class Settings:
                GATEWAY = "pkg.pay.Gateway"
        """,
        "pkg/pay.py": """
            class Gateway:
                def charge(self):
                    pass
        """,
        "pkg/use.py": """
            from pkg import conf
            from pkg.conf import QUERY

            def f(a):
                return a.first(x(1)).second(y()).third()

            def g():
                return QUERY, conf.QUERY, conf.Settings.GATEWAY
        """,
    })
    calls = prog.facts["pkg.use"].calls
    by_callee = {c.callee: i for i, c in enumerate(calls)}
    third, second, first = by_callee["a.first().second().third"], by_callee["a.first().second"], by_callee["a.first"]
    assert prog.receiver_site("pkg.use", third) == second
    assert prog.receiver_site("pkg.use", second) == first
    assert prog.receiver_site("pkg.use", first) is None
    assert prog.parent("pkg.use", by_callee["x"]) == first
    assert prog.parent("pkg.use", by_callee["y"]) == second
    assert prog.children("pkg.use", third) == [second]
    assert prog.constant("pkg.use.g", "QUERY") == "SELECT 1 FROM t"  # through the import
    assert prog.constant("pkg.use.g", "conf.QUERY") == "SELECT 1 FROM t"  # module attribute
    assert prog.constant("pkg.use.g", "conf.Settings.GATEWAY") == "pkg.pay.Gateway"  # class attribute
    assert prog.resolve_dotted("pkg.pay.Gateway.charge") == "pkg.pay.Gateway.charge"
    assert prog.resolve_dotted("pkg.Settings") == "pkg.conf.Settings"  # re-exported by __init__
    assert prog.resolve_dotted("pkg.pay:Gateway") == "pkg.pay.Gateway"
    assert prog.resolve_dotted("pkg.conf.QUERY") == "pkg.conf"  # a variable: its module
    assert prog.resolve_dotted("pkg.nothing") is None
    assert prog.locate("pkg.use.g", "conf.QUERY") == "pkg.conf:QUERY"


def test_rows_flow_through_returns_and_loops(tmp_path):
    prog = program(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from django.db import models
            class Book(models.Model):
                title = models.CharField(max_length=9)
        """,
        "app/repo.py": """
            from app.models import Book
            def recent():
                return Book.objects.filter(new=True)
            def newest():
                return recent().first()
            def titles():
                return [b.title for b in recent()]
            def loop():
                for book in recent():
                    book.delete()
        """,
    })
    from analyzer.frameworks.orm_django import DjangoModels

    reg = Registry()
    django = DjangoModels(prog, reg)
    django.collect()
    django.link()
    values = Values(prog, reg)
    book = "entity:app.models.Book"
    assert f"@o:{book}" in values.types("app.repo.newest", "recent().first()")
    assert f"@o:{book}" in values.types("app.repo.loop", "book")
    assert f"@c:{book}" in values.types("app.repo.recent", "Book")


def synthetic(n_modules: int) -> dict[str, str]:
    files = {"big/__init__.py": "", "big/models.py": "from django.db import models\n"}
    for k in range(20):
        files["big/models.py"] += f"class M{k}(models.Model):\n    ref = models.ForeignKey('M{(k + 1) % 20}', on_delete=1)\n"
    for i in range(n_modules):
        body = [f"from big.models import M{i % 20}, M{(i + 7) % 20}", "from django.db import transaction", ""]
        for j in range(25):
            body += [
                f"def f{j}(pk):",
                f"    obj = M{i % 20}.objects.filter(pk=pk).select_related('ref').first()",
                "    obj.save()",
                f"    M{(i + 7) % 20}.objects.filter(x=1).update(y=2)",
                f"    return [o.ref for o in M{i % 20}.objects.all()]",
                "",
                "@transaction.atomic",
                f"def g{j}(pk):",
                f"    f{j}(pk)",
                "",
            ]
        files[f"big/m{i}.py"] = "\n".join(body) + "\n"
    return files


def _lines_run(fn, *args):
    """``fn(*args)`` and how many lines of Python it executed: a measure of work that a busy
    machine does not change (speed itself is measured in ``benchmarks/``)."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        result = fn(*args)
    finally:
        sys.settrace(None)
    return result, count


def test_cost_grows_linearly(tmp_path, monkeypatch):
    from analyzer import forked

    monkeypatch.setattr(forked, "can_fork", lambda copies=1.0, grows=0.0: False)  # all the work in this process
    work = {}
    for n in (10, 40):
        root = tmp_path / str(n)
        build_tree(root, synthetic(n))
        facts, resolution = front_end(root)
        found, work[n] = _lines_run(extract, facts, resolution)
        assert found.counts["writes"] == n * 25 * 2
        assert found.counts["reads"] == n * 25 * 3  # the first, the all() and the model select_related joins
        assert found.counts["transactions"] == n * 25
    assert work[40] < 4 * work[10] * 1.15  # 4x the code: about 4x the work


def test_long_builder_chains_are_one_read_without_deep_recursion(tmp_path):
    chain = "".join(f".where(Entry.id > {i})" for i in range(300))
    build_tree(tmp_path, {
        "led/__init__.py": "",
        "led/models.py": """
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
            class Base(DeclarativeBase):
                pass
            class Entry(Base):
                __tablename__ = "entries"
                id: Mapped[int] = mapped_column(primary_key=True)
        """,
        "led/q.py": "from sqlalchemy import select\nfrom led.models import Entry\n"
                    f"def f(session):\n    return session.scalars(select(Entry){chain}).first()\n",
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    assert {(e.source, e.target, e.weight) for e in found.edges if e.kind == "read"} == \
        {("led.q.f", "entity:led.models.Entry", 1)}
