"""The lean libcst pass: facts, line numbers, and tolerance of files that do not parse."""

from __future__ import annotations

from textwrap import dedent

import pytest

from analyzer.parse import parse_module_facts

SOURCE = dedent('''
    """Module doc."""
    import os
    from .models import Order as O

    RATE = 3

    class Service(Base, metaclass=Meta):
        """Does things."""

        def __init__(self, repo: "Repo | None" = None):
            self.repo = repo

        @property
        def total(self) -> int:
            with transaction.atomic():
                O.objects.create(a=1)
                self.repo.save()
            return 1

    @app.route("/orders/<int:id>", methods=["GET", "POST"])
    async def view(id: int, *args, flag: bool = False, **kw) -> dict:
        q = "SELECT id FROM orders WHERE id = %s"
        cursor.execute(q, [id])
        return {"id": id}
''').lstrip("\n")


def facts():
    return parse_module_facts("pkg/mod.py", "pkg.mod", SOURCE.encode())


def test_definitions_with_exact_spans():
    f = facts()
    spans = {d.qualname: (d.kind, d.line, d.end_line) for d in f.definitions}
    assert spans == {
        "pkg.mod": ("module", 1, 24),
        "pkg.mod.Service": ("class", 7, 18),
        "pkg.mod.Service.__init__": ("method", 10, 11),
        "pkg.mod.Service.total": ("method", 14, 18),
        "pkg.mod.view": ("function", 21, 24),
    }
    by = {d.qualname: d for d in f.definitions}
    assert by["pkg.mod.Service"].bases == ("Base",)
    assert by["pkg.mod.Service"].docstring == "Does things."
    assert by["pkg.mod"].docstring == "Module doc."
    view = by["pkg.mod.view"]
    assert view.is_async and view.returns == "dict"
    assert [(p.name, p.annotation, p.kind) for p in view.params] == [
        ("id", "int", "positional"), ("args", None, "var_positional"),
        ("flag", "bool", "keyword_only"), ("kw", None, "var_keyword"),
    ]
    assert by["pkg.mod.Service.__init__"].params[1].annotation_expr == "Repo"
    (deco,) = view.decorators
    assert deco.expr == "app.route"
    assert [(a.keyword, a.value) for a in deco.args] == [(None, "/orders/<int:id>"), ("methods", ("GET", "POST"))]


def test_imports_are_absolute_with_lines():
    f = facts()
    assert [(i.module, i.name, i.asname, i.line) for i in f.imports] == [
        ("os", None, None, 2),
        ("pkg.models", "Order", "O", 3),
    ]


def test_calls_with_scope_line_and_result_use():
    f = facts()
    calls = [(c.scope, c.callee, c.line, c.result_used) for c in f.calls]
    assert calls == [
        ("pkg.mod.Service.total", "transaction.atomic", 15, True),
        ("pkg.mod.Service.total", "O.objects.create", 16, False),
        ("pkg.mod.Service.total", "self.repo.save", 17, False),
        ("pkg.mod", "app.route", 20, True),
        ("pkg.mod.view", "cursor.execute", 23, False),
    ]
    (w,) = f.withs
    assert (w.scope, w.line, w.first_call, w.end_call) == ("pkg.mod.Service.total", 15, 1, 3)


def test_spans_of_headers_over_several_lines():
    """Black's exploded signatures (``):`` back at the header's indentation), a class whose
    bases run over lines, and a body on the header's last line (``) -> T: ...``)."""
    source = dedent('''
        def exploded(
            a,
            b="(",  # a bracket in a string and one in a comment: (
        ) -> int:
            """Doc."""
            return a

        class Model(
            Base,
        ):
            x = 1

            def stub(
                self,
                parser: "P",
            ) -> list[int]: ...

        def after():
            return exploded(1)
    ''')
    f = parse_module_facts("m.py", "m", source.encode())
    spans = {d.qualname: (d.line, d.end_line) for d in f.definitions if d.kind != "module"}
    assert spans == {"m.exploded": (2, 7), "m.Model": (9, 17), "m.Model.stub": (14, 17), "m.after": (19, 20)}


def test_a_call_found_ahead_of_its_place_does_not_move_later_definitions():
    """The walker finds lines by searching the text forward; a call it meets out of source
    order (a conditional expression's test, an assignment target's call) must not carry
    the search past the next definitions."""
    source = dedent('''
        class A:
            def f(self, element):
                x = self.g(element) if isinstance(element, str) else element
                self.cfg.setdefault("build", {})["apt"] = convert(x)
                return x

            def h(self):
                return self.cfg.setdefault("x", 1)

            def g(self, e):
                return convert(e)
    ''')
    f = parse_module_facts("m.py", "m", source.encode())
    assert {d.qualname: (d.line, d.end_line) for d in f.definitions if d.kind != "module"} == {
        "m.A": (2, 12), "m.A.f": (3, 6), "m.A.h": (8, 9), "m.A.g": (11, 12)}
    assert [(c.callee, c.line) for c in f.calls] == [
        ("self.g", 4), ("isinstance", 4), ("convert", 5), ("self.cfg.setdefault", 5),
        ("self.cfg.setdefault", 9), ("convert", 12)]


def test_bindings_strings_and_self_attributes():
    f = facts()
    b = {(x.scope, x.name): x for x in f.bindings}
    assert b[("pkg.mod", "RATE")].value == 3
    repo = b[("pkg.mod.Service", "repo")]
    assert repo.expr == "repo" and repo.origin == "pkg.mod.Service.__init__"
    assert b[("pkg.mod.view", "q")].value.startswith("SELECT")
    assert [s.value for s in f.strings] == ["SELECT id FROM orders WHERE id = %s"]


def test_python_312_syntax_is_parsed():
    src = b"def first[T](xs: list[T]) -> T:\n    return xs[0]\n\ntype Alias = list[int]\n"
    f = parse_module_facts("a.py", "a", src)
    assert f.error is None
    assert [d.qualname for d in f.definitions] == ["a", "a.first"]


def test_syntax_error_is_a_value_with_line():
    f = parse_module_facts("bad.py", "bad", b"def ok():\n    pass\n\ndef broken(:\n    pass\n")
    assert f.error is not None and f.error.kind == "syntax" and f.error.line in (4, 5)
    assert f.definitions == ()


def test_python2_code_is_reported():
    f = parse_module_facts("py2.py", "py2", b'print "hello"\nexec "x = 1"\n')
    assert f.error is not None and f.error.kind == "syntax"


def test_undecodable_bytes_and_cookies_and_bom():
    bad = parse_module_facts("l.py", "l", b"x = '\xff\xfe'\n")
    assert bad.error is not None and bad.error.kind == "decode"
    latin = parse_module_facts("c.py", "c", "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1"))
    assert latin.error is None
    assert [b.value for b in latin.bindings] == ["café"]
    bom = parse_module_facts("b.py", "b", b"\xef\xbb\xbfdef f():\n    pass\n")
    assert bom.error is None and [d.name for d in bom.definitions] == ["b", "f"]
    nul = parse_module_facts("n.py", "n", b"x = 1\x00\n")
    assert nul.error is not None


def test_inputs_that_would_crash_the_native_parser_are_failures():
    deep = ("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n").encode()
    chain = ("x = " + "+".join(["1"] * 20000) + "\n").encode()
    attrs = ("x = a" + ".b" * 20000 + "\n").encode()
    for src in (deep, chain, attrs):
        f = parse_module_facts("deep.py", "deep", src)
        assert f.error is not None and f.error.kind == "syntax" and f.error.line == 1


def test_moderate_nesting_is_parsed():
    src = ("x = " + "(" * 100 + "1" + ")" * 100 + "\n").encode()
    assert parse_module_facts("ok.py", "ok", src).error is None


def test_validation_is_skipped_only_while_parsing():
    import libcst as cst

    from analyzer.parse import _parse_trusted

    hook = cst.CSTNode.__dict__["__post_init__"]
    assert _parse_trusted("x = f(1)\n").code == "x = f(1)\n"
    with pytest.raises(cst.ParserSyntaxError):
        _parse_trusted("def broken(:\n")
    assert cst.CSTNode.__dict__["__post_init__"] is hook  # restored, also after an error
    with pytest.raises(cst.CSTValidationError):  # nodes built by hand are still checked
        cst.Name("not a name")


def test_defaults_keep_a_one_element_tuple_a_tuple():
    # ("_cost.amount",) written as ("_cost.amount") would read back as a string
    facts = parse_module_facts("m.py", "m", dedent('''
        def stats(fields=("_cost.amount",), pair=(1, 2), empty=(), items=["a"]):
            return fields
    ''').encode(), False)
    (stats,) = [d for d in facts.definitions if d.name == "stats"]
    assert [p.default for p in stats.params] == ['("_cost.amount",)', "(1, 2)", "()", '["a"]']


def test_sequences_composed_of_literal_sequences_have_their_value():
    src = dedent('''
        BASE = ["django.contrib.admin", "django.contrib.auth"]
        LOCAL = ("shop.orders",)
        INSTALLED_APPS = BASE + ["rest_framework"] + list(LOCAL)
        SPREAD = [*BASE, "x.y", *tuple(LOCAL)]
        UNKNOWN = [*BASE, *env_apps]
        class Meta:
            fields = LOCAL + ("id",)
        def f():
            BASE = 1
            local = BASE + []
    ''').encode()
    values = {(b.scope, b.name): b.value for b in parse_module_facts("s.py", "s", src, False).bindings}
    assert values["s", "INSTALLED_APPS"] == ("django.contrib.admin", "django.contrib.auth", "rest_framework",
                                              "shop.orders")
    assert values["s", "SPREAD"] == ("django.contrib.admin", "django.contrib.auth", "x.y", "shop.orders")
    assert values["s.Meta", "fields"] == ("shop.orders", "id")
    assert values["s", "UNKNOWN"] is None  # a part not known: no value rather than part of one
    assert values["s.f", "local"] is None  # names inside a function are its locals


def test_bases_given_through_with_metaclass():
    source = "import six\n\nclass P(six.with_metaclass(Meta, Base, mixins.Named)):\n    pass\n"
    (cls,) = [d for d in parse_module_facts("m.py", "m", source.encode()).definitions if d.kind == "class"]
    assert cls.bases == ("Base", "mixins.Named")



def test_a_body_ending_in_a_multi_line_string_spans_it():
    source = (
        'class OnlyDoc:\n    """Doc.\n\n    More.\n    """\n\n\n'
        "def ends_in_string(x):\n    return ('''\n        a %s\n        ''' % x)\n"
    )
    spans = {d.name: (d.line, d.end_line) for d in parse_module_facts("m.py", "m", source.encode()).definitions}
    assert spans["OnlyDoc"] == (1, 5) and spans["ends_in_string"] == (8, 11)


def test_a_list_of_tuples_given_as_an_argument_keeps_its_rows():
    """``Application([(r"/", MainHandler), ...])``: the rows of a list written as an
    argument are kept in the call's scope, under the call's index and the argument's
    position; rows of literals only (choices) are not."""
    from analyzer.facts import argument_rows

    source = dedent('''
        def make(db):
            return Application([(r"/", Main), (r"/s/([0-9]+)", Story, dict(db=db))], choices=[("a", "A")])
    ''')
    f = parse_module_facts("m.py", "m", source.encode())
    index = next(i for i, c in enumerate(f.calls) if c.callee == "Application")
    rows = {b.name: (b.expr, b.value) for b in f.bindings if b.scope == "m.make" and "[" in b.name}
    first = argument_rows(index, 0)
    assert rows == {
        f"{first}[0][0]": ("str()", "/"), f"{first}[0][1]": ("Main", None),
        f"{first}[1][0]": ("str()", "/s/([0-9]+)"), f"{first}[1][1]": ("Story", None),
        f"{first}[1][2]": ("dict()", None),
    }


def test_lean_node_construction_makes_the_same_tree_as_libcst():
    """The parser's nodes made without their dataclass ``__init__`` (analyzer/lean_nodes.py)
    are the nodes libcst makes: same tree, same code, same facts; and the libcst module gets
    its classes back after each parse."""
    import libcst as cst

    from analyzer import lean_nodes
    from analyzer.parse import _parse_trusted

    source = lean_nodes._SAMPLE + "\nclass D:\n    def f(self, x=[1, 2]):\n        return {**x}\n"
    plain = cst.parse_module(source)
    name_class = cst.Name
    with lean_nodes.lean_construction() as lean:
        assert lean, "no lean constructors: the check against libcst's own failed"
        assert cst.Name is not name_class
        tree = cst.parse_module(source)
    assert cst.Name is name_class  # the classes are back
    assert tree.deep_equals(plain) and tree.code == source
    assert type(tree.body[0]) is type(plain.body[0])
    assert _parse_trusted(source).deep_equals(plain)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("x y")  # hand-made nodes are still validated


def test_equal_whitespace_is_made_once_and_trees_stay_whole():
    """``SimpleWhitespace`` and ``Newline`` nodes are shared between trees (immutable, compared
    by identity); every tree still prints its own source and equals libcst's."""
    import libcst as cst

    from analyzer.parse import _parse_trusted

    first, second = "x = f(1,  2)\ny = 3\n", "z = g(a,  b)  # note\n"
    a, b = _parse_trusted(first), _parse_trusted(second)
    assert a.body[0].body[0].targets[0].whitespace_before_equal is \
        b.body[0].body[0].targets[0].whitespace_before_equal
    assert a.body[1].trailing_whitespace.newline is b.body[0].trailing_whitespace.newline
    assert a.code == first and b.code == second
    assert a.deep_equals(cst.parse_module(first)) and b.deep_equals(cst.parse_module(second))


def test_lean_construction_falls_back_when_libcst_calls_its_classes_otherwise(monkeypatch):
    from analyzer import lean_nodes
    from analyzer.parse import _parse_trusted

    def positional_only(*args):  # a constructor the parser's keyword call does not fit
        raise TypeError("unexpected keyword")

    monkeypatch.setattr(lean_nodes, "_constructors", {"Name": positional_only})
    assert _parse_trusted("x = f(1)\n").code == "x = f(1)\n"
    assert lean_nodes._constructors == {}  # the plain construction from now on


@pytest.mark.parametrize(("source", "value", "pattern"), [
    ('"^{}api/v2/".format(get_system_setting("url_prefix"))', None, "^${get_system_setting()}api/v2/"),
    ('f"^{get_system_setting(\'url_prefix\')}api/"', None, "^${get_system_setting()}api/"),
    ('"/<int(min=1, max={0}):ver>".format(MAX)', "/<int(min=1, max=3):ver>", "/<int(min=1, max=3):ver>"),
    ('"/api/" + PREFIX + "/items"', "/api/v1/items", "/api/v1/items"),
    ('"{x}/{y!r}".format(x=PREFIX, y=name)', None, "v1/${name}"),
    ('f"{PREFIX:>4}"', None, "${PREFIX}"),  # formatted on the way: never filled
    ('"a" + "b"', "ab", None),
    ('"{{literal}} {}".format(7)', "{literal} 7", "{literal} 7"),
])
def test_strings_built_from_parts_are_templates_with_a_pattern(source, value, pattern):
    """``.format`` on a string literal, a sum with a string literal, an f-string of a call:
    a template whose names are filled from constants; the parts known only at run time are
    written ``${...}`` in its pattern (a route's path built at run time keeps its handler)."""
    import libcst as cst

    from analyzer.facts import fill_pattern, fill_template, is_template
    from analyzer.parse import literal

    constants = {"MAX": 3, "PREFIX": "v1"}
    built = literal(cst.parse_expression(source))
    filled = fill_template(built, constants.get) if is_template(built) else built
    assert filled == value
    if pattern is not None:
        assert fill_pattern(built, lambda ref: None if ref not in constants else str(constants[ref])) == pattern


@pytest.mark.parametrize("source", ['"{0.name}".format(p)', '"{}".format(*args)', '"x" + 3', "a + b", "1 + 2",
                                    '"{} {}".format(one)', '"{²}".format(1)', '"{:{}}".format(1, 2)',
                                    '"{0!}".format(1)', '"{".format(1)'])
def test_what_no_template_stands_for(source):
    """A field that reads an attribute or names no argument, a starred argument, a sum with
    a number or of names alone (a string only perhaps): no template."""
    import libcst as cst

    from analyzer.parse import literal

    assert literal(cst.parse_expression(source)) is None


def test_calls_inside_concatenated_f_strings_are_still_sites():
    """``f"{db_name(i)} " f"{bucket(i)}"`` is one template, and the calls inside it are
    call sites as before (a template is no plain string with no code inside)."""
    facts = parse_module_facts("m.py", "m", (
        b'def show(i):\n'
        b'    print(f"Database: {db_name(i)} " f"Buckets: {bucket(i)}")\n'
        b'    print("a" "b", f"{x}" "c")\n'))
    assert [c.callee for c in facts.calls] == ["db_name", "bucket", "print", "print"]
    first, second = facts.calls[2].args[0].value, facts.calls[3].args[1].value
    assert first == "\x00fDatabase: \x01?db_name()\x02 Buckets: \x01?bucket()\x02"
    assert second == "\x00f\x01x\x02c" and facts.calls[3].args[0].value == "ab"


def test_a_file_the_walker_fails_on_is_skipped_with_its_reason(monkeypatch):
    """A construct our walker mishandles (a bug of ours, not of the file) costs that file,
    reported as a parse error of kind ``internal``: never the run."""
    from analyzer import parse

    def broken(self, tree):
        raise ValueError("invalid literal for int() with base 10: '²'")

    monkeypatch.setattr(parse._Walker, "walk_module", broken)
    facts = parse_module_facts("m.py", "m", b"x = 1\n")
    assert facts.error is not None and facts.error.kind == "internal"
    assert "ValueError" in facts.error.message and not facts.definitions


def test_a_name_a_module_repeats_is_one_string_before_and_after_the_cache():
    """Every mention of ``session`` or ``item_id`` was its own string object: a third of the
    facts' memory on a dense tree. Equal names are one object, and stay one through the
    facts cache's encoding, which pickles each once."""
    from analyzer.facts import decode, encode

    source = dedent('''
        from app.db import get_session
        from app.models import Item

        def load(item_id: int) -> Item:
            session = get_session()
            return session.get(Item, item_id)

        def save(item_id: int) -> Item:
            session = get_session()
            item = session.get(Item, item_id)
            session.add(item)
            return item
    ''').lstrip("\n")
    for m in (parse_module_facts("app/ops.py", "app.ops", source.encode()),):
        for f in (m, decode(encode(m))):
            gets = [c for c in f.calls if c.callee == "session.get"]
            assert len(gets) == 2 and gets[0].callee is gets[1].callee
            item_ids = [a.expr for c in gets for a in c.args if a.expr == "item_id"]
            params = [p.name for d in f.definitions for p in d.params]
            assert len(item_ids) == 2 and all(x is params[0] for x in item_ids + params)
            sessions = [b.name for b in f.bindings if b.name == "session"]
            assert len(sessions) == 2 and sessions[0] is sessions[1]
            items = [a.expr for c in gets for a in c.args if a.expr == "Item"] + [
                d.returns_expr for d in f.definitions if d.returns_expr]
            assert len(items) == 4 and all(x is items[0] for x in items)


def test_printf_style_strings_are_templates():
    from analyzer.facts import TEMPLATE
    from analyzer.parse import parse_module_facts

    facts = parse_module_facts("m.py", "m", b'''
a = "clean_%s" % field
b = "/%s/%d/" % (name, 3)
c = "100%%" % ()
d = "%(key)s" % values
e = "%s-%s" % (one,)
f = "%s" % (*parts,)
''')
    values = {b.name: b.value for b in facts.bindings}
    assert values["a"] == TEMPLATE + "clean_\x01field\x02"
    assert values["b"].startswith(TEMPLATE + "/\x01name\x02/\x01?")
    assert values["c"] == "100%"
    assert values["d"] is None and values["e"] is None and values["f"] is None  # a key; too few; starred
