"""Property-based tests of the front end: parse -> resolve -> graph on generated input.

hypothesmith writes valid Python (from the grammar, and from libcst nodes); hypothesis
writes arbitrary bytes, damaged sources and small projects whose call graph is known in
advance. Whatever the input, the front end must not raise; what CPython can parse must be
analyzed; facts must survive the JSON round trip of the cache; line numbers must point into
the file; and on generated projects the resolved call edges must be exactly the calls written.
"""

from __future__ import annotations

import ast
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analyzer.facts import ModuleFacts, decode, encode
from analyzer.graph import build_graph, unit_graph, unit_map
from analyzer.parse import parse_module_facts
from analyzer.resolve import resolve

# generated code is full of things CPython warns about (``1()``, ``x is 1``): not our concern
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

FAST = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
# libcst-node generation costs about 70 ms an example: fewer, to keep the file at a few seconds
SLOWER = settings(FAST, max_examples=20)

# Building hypothesmith's strategies compiles a grammar (about two seconds each): build each
# once, lazily, so collecting this file stays instant and the cost is paid only when run.
GRAMMAR = st.deferred(hypothesmith.from_grammar)
NODES = st.deferred(hypothesmith.from_node)

# the regression hypothesmith found: a one-line ``def``/``class`` body ran its span, and every
# line after it, past the end of the file
ONE_LINE_BODY = "def f(): pass\nclass B:\n    pass\n"


def _encode(source: str) -> bytes:
    # hypothesmith may emit lone surrogates in identifiers; keep them as the bytes they are
    return source.encode("utf-8", "surrogatepass")


def _cpython_accepts(source: str) -> ast.Module | None:
    """CPython's tree of ``source``, if it parses with its line endings as written and as ``\\n``.

    The second parse drops a CPython 3.11 quirk: a backslash continuation then CRLF at the end
    of the file is accepted, the same with LF is not (libcst refuses both, consistently).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning about generated nonsense like ``1()``
        try:
            tree = ast.parse(source)
            ast.parse(source.replace("\r\n", "\n").replace("\r", "\n"))
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return None
    return tree


def run_front_end(facts: list[ModuleFacts]):
    """resolve + graph + unit projection: the stages after parsing, which must never raise."""
    resolution = resolve(facts)
    graph = build_graph(resolution.symbols, resolution.edges)
    units = unit_map(resolution.symbols)
    unit_graph(graph, units)
    for e in resolution.edges:
        assert graph.has_edge(e.source, e.target, key=e.kind)
    return resolution, graph


def assert_lines_inside(facts: ModuleFacts) -> None:
    last = max(facts.lines, 1)
    for d in facts.definitions:
        assert 1 <= d.line <= d.end_line <= last, (d.qualname, d.line, d.end_line, last)
    for c in facts.calls:
        assert 1 <= c.line <= last, (c.callee, c.line, last)
    for i in facts.imports:
        assert 1 <= i.line <= last, (i.module, i.line, last)


def check_source(source: str) -> ModuleFacts:
    data = _encode(source)
    facts = parse_module_facts("gen/mod.py", "gen.mod", data)
    assert facts.module == "gen.mod" and facts.path == "gen/mod.py"
    assert facts == parse_module_facts("gen/mod.py", "gen.mod", data)  # a pure function
    tree = _cpython_accepts(source)
    if tree is not None:
        assert facts.error is None, (source, facts.error)
        written = sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(tree))
        lambdas = [d for d in facts.definitions if d.name.startswith("<lambda")]
        # every def and class, plus the module itself; a lambda is a function of its own where
        # the walk meets it (not in an annotation or an assert's message)
        assert len(facts.definitions) - len(lambdas) == written + 1
        assert len(lambdas) <= sum(isinstance(n, ast.Lambda) for n in ast.walk(tree))
        assert all(d.qualname.startswith("gen.mod") for d in facts.definitions)
    run_front_end([facts])
    return facts


# -- valid generated Python ---------------------------------------------------------------------

@FAST
@given(GRAMMAR)
@example("lambda:A\n")  # a lambda is a definition (found by hypothesis in session 41's CI)
@example("def f(x: (lambda: int)) -> (lambda: 1): pass\n")  # one in an annotation is not walked
def test_grammar_generated_sources_pass_the_front_end(source):
    check_source(source)


@SLOWER
@given(NODES)
def test_node_generated_sources_pass_the_front_end_and_the_round_trip(source):
    facts = check_source(source)
    assert decode(encode(facts)) == facts


@FAST
@given(GRAMMAR)
@example(ONE_LINE_BODY)
def test_line_numbers_point_into_the_file(source):
    facts = parse_module_facts("gen/mod.py", "gen.mod", _encode(source))
    assert_lines_inside(facts)


def test_one_line_bodies_keep_their_own_line():
    facts = parse_module_facts("gen/mod.py", "gen.mod", ONE_LINE_BODY.encode())
    spans = {d.name: (d.line, d.end_line) for d in facts.definitions[1:]}
    assert spans == {"f": (1, 1), "B": (2, 3)}


@FAST
@given(GRAMMAR)
def test_facts_survive_the_cache_encoding(source):
    facts = parse_module_facts("gen/mod.py", "gen.mod", _encode(source))
    assert decode(encode(facts)) == facts


@SLOWER
@given(st.lists(GRAMMAR, min_size=1, max_size=4))
def test_several_generated_modules_resolve_together(sources):
    facts = [parse_module_facts("gen/__init__.py", "gen", b"", True)]
    facts += [parse_module_facts(f"gen/m{i}.py", f"gen.m{i}", _encode(s)) for i, s in enumerate(sources)]
    _, graph = run_front_end(facts)
    for f in facts:
        if f.error is None:
            assert f.module in graph


# -- hostile bytes ----------------------------------------------------------------------------------

@FAST
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_become_facts_or_a_failure(data):
    facts = parse_module_facts("gen/mod.py", "gen.mod", data)
    if facts.error is not None:
        assert facts.error.path == "gen/mod.py"
        assert facts.error.message and "\n" not in facts.error.message
        assert facts.definitions == () and facts.calls == ()
    run_front_end([facts])


_DAMAGE = st.sampled_from(["(", ")", "[", "]", "{", "}", ":", "'", '"', '"""', "\\", "\n", "\t", " ", "#",
                           "\x00", "\r", "\x0c", "def ", "class ", "lambda", "@", "=", "\ufeff", "é", "\udcff"])


@FAST
@given(GRAMMAR, st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 5), _DAMAGE),
                                             min_size=1, max_size=4))
def test_damaged_sources_never_raise(source, edits):
    for at, cut, insert in edits:
        at %= len(source) + 1
        source = source[:at] + insert + source[at + cut:]
    facts = parse_module_facts("gen/mod.py", "gen.mod", _encode(source))
    if facts.error is None:
        assert_lines_inside(facts)
    run_front_end([facts])


# -- projects with a known call graph ----------------------------------------------------------------

IMPORT_STYLES = ("from", "module", "alias")


@st.composite
def projects(draw):
    """``pkg.m0 .. pkg.mN``, each with functions ``f0 ..``; every function calls a random set of
    functions (its own module's, other modules', itself), imported in one of three styles.
    Returns (files, expected call edges)."""
    n_modules = draw(st.integers(1, 4))
    funcs = {m: [f"f{j}" for j in range(draw(st.integers(1, 3)))] for m in range(n_modules)}
    everything = [(m, f) for m in funcs for f in funcs[m]]
    calls = {
        key: draw(st.lists(st.sampled_from(everything), unique=True, max_size=3)) for key in everything
    }
    style = {m: draw(st.sampled_from(IMPORT_STYLES)) for m in funcs}
    files = {"pkg/__init__.py": ""}
    expected = set()
    for m, names in funcs.items():
        imports: set[str] = set()
        body: list[str] = []
        for f in names:
            body.append(f"def {f}(n):")
            for t, g in calls[(m, f)]:
                expected.add((f"pkg.m{m}.{f}", f"pkg.m{t}.{g}"))
                if t == m:
                    body.append(f"    {g}(n - 1)")
                elif style[t] == "from":
                    imports.add(f"from pkg.m{t} import {g} as m{t}_{g}")
                    body.append(f"    m{t}_{g}(n - 1)")
                elif style[t] == "module":
                    imports.add(f"import pkg.m{t}")
                    body.append(f"    pkg.m{t}.{g}(n - 1)")
                else:
                    imports.add(f"from pkg import m{t} as mod{t}")
                    body.append(f"    mod{t}.{g}(n - 1)")
            body += ["    return n", "", ""]
        files[f"pkg/m{m}.py"] = "\n".join(sorted(imports) + ["", ""] + body)
    return files, expected


@FAST
@given(projects())
def test_generated_projects_resolve_to_exactly_their_call_graph(project):
    files, expected = project
    facts = []
    for path, text in sorted(files.items()):
        module = path[:-3].replace("/", ".").removesuffix(".__init__")
        facts.append(parse_module_facts(path, module, text.encode(), path.endswith("__init__.py")))
    assert all(f.error is None for f in facts)
    resolution, _ = run_front_end(facts)
    found = {(e.source, e.target) for e in resolution.edges if e.kind == "call"}
    assert found == expected
    assert resolution.stats["unresolved"] == 0


@pytest.mark.parametrize("style", IMPORT_STYLES)
def test_a_two_module_cycle_in_each_import_style(style):
    """One fixed example per style, so a failure names the style before hypothesis shrinks."""
    call = {"from": ("from pkg.m{t} import f0 as m{t}_f0", "m{t}_f0(n - 1)"),
            "module": ("import pkg.m{t}", "pkg.m{t}.f0(n - 1)"),
            "alias": ("from pkg import m{t} as mod{t}", "mod{t}.f0(n - 1)")}[style]
    facts = [parse_module_facts("pkg/__init__.py", "pkg", b"", True)]
    for m, t in ((0, 1), (1, 0)):
        text = f"{call[0].format(t=t)}\n\n\ndef f0(n):\n    {call[1].format(t=t)}\n    return n\n"
        facts.append(parse_module_facts(f"pkg/m{m}.py", f"pkg.m{m}", text.encode()))
    resolution, _ = run_front_end(facts)
    found = {(e.source, e.target) for e in resolution.edges if e.kind == "call"}
    assert found == {("pkg.m0.f0", "pkg.m1.f0"), ("pkg.m1.f0", "pkg.m0.f0")}
