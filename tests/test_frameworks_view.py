"""The frameworks view: two modules the stage sees alike give it the same output. A number
written in place as an argument is seen by its type only, and a parameter default that is no
name only as there, so editing one (a column length, a page size, a timeout) reuses the
stage's stored output instead of running it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from helpers import SHOP, front_end

from analyzer.facts import REFERENCE
from analyzer.frameworks import _args_seen, extract, frameworks_view
from analyzer.parse import parse_module_facts
from analyzer.resolve import resolve

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "frameworks").iterdir())


def _other(value):
    """Another number of the same type, negated and moved (a zero becomes one that is not),
    in tuples too; anything else as it is."""
    if type(value) is tuple:
        return tuple(_other(v) for v in value)
    if type(value) is int:
        return -value - 7
    if type(value) is float:
        return -value - 1.5
    return value


def _numbers_changed(m):
    """``m`` with every number and parameter default its view hides changed (and the count
    of them)."""
    changed = 0

    def args(given, callee=None):
        nonlocal changed
        if not given:
            return given
        out = []
        for a in given:
            if _other(a.value) != a.value and _args_seen((a,), callee) != (a,):  # a number the view hides
                changed += 1
                a = a._replace(value=_other(a.value))
            out.append(a)
        return tuple(out)

    def params(given):
        nonlocal changed
        out = []
        for p in given:
            if p.default is not None and not REFERENCE.match(p.default):  # a default the view hides
                changed += 1
                p = p._replace(default=f"other({p.default})")
            out.append(p)
        return tuple(out)

    new = dataclasses.replace(
        m, calls=tuple(c._replace(args=args(c.args, c.callee)) for c in m.calls),
        definitions=tuple(d._replace(keywords=args(d.keywords), params=params(d.params), decorators=tuple(
            x._replace(args=args(x.args, x.expr)) for x in d.decorators)) for d in m.definitions),
        withs=tuple(w._replace(items=args(w.items)) for w in m.withs))
    return new, changed


@pytest.mark.parametrize("tree", [SHOP, *FIXTURES], ids=lambda p: p.name)
def test_numbers_written_as_arguments_and_defaults_do_not_change_the_stage(tree):
    facts, resolution = front_end(tree)
    pairs = [_numbers_changed(m) if m.error is None else (m, 0) for m in facts]
    changed = [m for m, _ in pairs]
    assert [frameworks_view(m) for m in changed] == [frameworks_view(m) for m in facts]
    if tree == SHOP:
        assert sum(n for _, n in pairs) >= 20  # ``String(120)``, ``default=5``, ``limit=50`` ...
    assert extract(changed, resolve(changed)) == extract(facts, resolution)


def _view(source: str):
    return frameworks_view(parse_module_facts("app.py", "app", source.encode()))


def test_the_view_keeps_the_numbers_the_stage_may_print():
    base = _view("f(String(80), timeout=30)\n")
    assert _view("f(String(120), timeout=5)\n") == base  # numbers in calls: their type only
    assert _view("f(String(0), timeout=7)\n") == base  # zero too
    assert _view("f(String(80.0), timeout=30)\n") != base  # another type
    assert _view("f(String(80), timeout=True)\n") != base  # bools are read as such
    assert _view("f(choices=((1, 'a'), (2, 'b')))\n") == _view("f(choices=((3, 'a'), (4, 'b')))\n")
    assert _view("f(choices=((1, 'a'),))\n") != _view("f(choices=((1, 'b'),))\n")  # strings are read
    # kept whole: numbers bound to names (constants), and the argument of a call whose
    # literal names a constant
    assert _view("PAGE = 10\n") != _view("PAGE = 20\n")
    assert _view("VERSION = str(2)\n") != _view("VERSION = str(3)\n")
    assert _view("@app.get('/x', status_code=200)\ndef f(): pass\n") == \
        _view("@app.get('/x', status_code=201)\ndef f(): pass\n")
    # a parameter's default: a name is read (its value flows in), anything else only is there
    assert _view("def f(limit=50): pass\n") == _view("def f(limit=20): pass\n")
    assert _view("def f(limit=50): pass\n") != _view("def f(limit): pass\n")
    assert _view("def f(cb=handler): pass\n") != _view("def f(cb=other): pass\n")


def test_a_wrapped_number_a_template_prints_changes_the_routes(tmp_path):
    """Why the arguments of ``str(...)``, ``_(...)``, ``text(...)`` stay whole: the constant
    they make can be printed into a path."""
    paths = []
    for version in (2, 3):
        tree = tmp_path / f"v{version}"
        (tree / "api").mkdir(parents=True)
        (tree / "api" / "__init__.py").write_text("")
        (tree / "api" / "app.py").write_text(
            "from flask import Flask\n\napp = Flask(__name__)\n"
            f"VERSION = str({version})\n\n\n"
            "@app.route(f\"/v{VERSION}/items\")\ndef items():\n    return []\n")
        facts, resolution = front_end(tree)
        paths.append(sorted(r.path for r in extract(facts, resolution).routes if r.path))
    assert paths == [["/v2/items"], ["/v3/items"]]


def test_only_strings_name_verbs(tmp_path):
    """A number in a methods tuple names no verb (it printed as one)."""
    tree = tmp_path / "app"
    (tree / "api").mkdir(parents=True)
    (tree / "api" / "__init__.py").write_text("")
    (tree / "api" / "views.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/items', methods=('POST', 7))\ndef items():\n    return []\n")
    facts, resolution = front_end(tree)
    assert [r.methods for r in extract(facts, resolution).routes if r.path == "/items"] == [("POST",)]
