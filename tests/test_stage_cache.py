"""The stage cache: a stage whose inputs are unchanged is skipped, and what a reused stage
gives is exactly what computing it again gives."""

from __future__ import annotations

import dataclasses
import os
import pickle
import zlib
from pathlib import Path

import pytest
from helpers import SHOP, analyze, comparable, copy_shop, edit, fresh

from analyzer.cluster import ClusterOptions
from analyzer.cluster.digest import clustering_key
from analyzer.stage_cache import StageCache, pack_front, unpack_front, written_behind


@pytest.fixture()
def shop(tmp_path):
    return copy_shop(tmp_path)


GATEWAYS = Path("shop") / "payments" / "gateways.py"


def test_changed_options_reuse_the_front_end(shop, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = analyze(shop, tmp_path / "a.json", *cache)
    assert first["counts"]["reused"] == []
    again = analyze(shop, tmp_path / "b.json", *cache, "--services", "3")
    # parsing, resolution and frameworks skipped; Louvain's base partition is the same
    assert again["counts"]["reused"] == ["front", "partition"]
    assert "resolve" not in again["counts"]["timings"]
    assert again["baselines"] == first["baselines"]  # they take no options: reused as well
    assert len(again["decomposition"]["services"]) == 3
    assert comparable(again) == fresh(shop, tmp_path, "--services", "3")


def test_an_edit_the_graph_does_not_show_reuses_the_clustering(shop, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    edit(shop / GATEWAYS, '"CURRENCY", "EUR"', '"CURRENCY", "USD"')  # a literal: same graph, same sizes
    doc = analyze(shop, tmp_path / "b.json", *cache)
    # the literal is no name, expression or signature resolution reads: its evaluation is reused
    assert doc["counts"]["reused"] == ["resolve", "cluster"]
    assert comparable(doc) == fresh(shop, tmp_path)


@pytest.mark.parametrize("old, new, reused", [
    # lines move, the resolver reads no line: its evaluation is reused; only sizes changed, and
    # every decision they make comes out as before: the stored clustering is replayed
    ("        return result\n", "        # a new line makes the function longer\n        return result\n",
     ["resolve", "replayed"]),
    # a new call, same length: clustering runs again; the callee is in shop.common, which is
    # set aside as shared library, so the graph Louvain partitions is the same
    ("        return result\n", "        return new_reference(result)\n", ["partition"]),
])
def test_an_edit_that_changes_sizes_or_calls_clusters_again(shop, tmp_path, old, new, reused):
    # neither is patched (tests/test_front_patch.py): the first moves lines the frameworks
    # stage reads, the second changes the module's resolution shape
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    edit(shop / GATEWAYS, old, new)
    doc = analyze(shop, tmp_path / "b.json", *cache)
    assert doc["counts"]["reused"] == reused
    assert comparable(doc) == fresh(shop, tmp_path)


@pytest.mark.parametrize("change, reused", [
    # the file grows at its end: no fact the resolver or the frameworks stage reads moved;
    # the module's size did, and the stored clustering is replayed under the new sizes
    (lambda text: text + "\n# a comment at the end\n", ["resolve", "frameworks", "replayed"]),
    # a docstring fixed in place: nothing clustering reads changed either
    (lambda text: text.replace('"""Payment gateways.', '"""Payment gateways, fixed.', 1),
     ["resolve", "frameworks", "cluster"]),
])
def test_an_edit_no_stage_reads_reuses_the_frameworks_stage(shop, tmp_path, change, reused):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    for p in (tmp_path / "cache" / "stages").glob("layout-*.bin"):
        p.unlink()  # no earlier front end to patch (tests/test_front_patch.py): the stages run
    path = shop / GATEWAYS
    path.write_text(change(path.read_text()))
    doc = analyze(shop, tmp_path / "b.json", *cache)
    assert doc["counts"]["reused"] == reused
    assert comparable(doc) == fresh(shop, tmp_path)


def test_damaged_or_foreign_entries_are_computed_again(shop, tmp_path):
    cache = tmp_path / "cache"
    first = analyze(shop, tmp_path / "a.json", "--cache-dir", str(cache))
    (cache / "results").rename(tmp_path / "no-results")  # make the next run go through the stages
    entries = sorted((cache / "stages").glob("*.bin"))
    assert {p.name.split("-")[0] for p in entries} == {"front", "layout", "resolve", "frameworks", "partition",
                                                      "shared", "unit_edges", "cluster", "baselines", "replay",
                                                      "scores"}
    for p in entries:
        if p.name.startswith("front"):
            p.write_bytes(p.read_bytes()[:100])  # truncated
        else:
            p.write_bytes(zlib.compress(pickle.dumps(_Evil())))  # would run a command if loaded
    doc = analyze(shop, tmp_path / "b.json", "--cache-dir", str(cache))
    assert doc["counts"]["reused"] == []
    assert comparable(doc) == comparable(first)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_entries_hold_plain_rows_only(tmp_path):
    from analyzer.pipeline import AnalyzeOptions, run_analysis

    analysis = run_analysis(SHOP, AnalyzeOptions(use_cache=False, progress=False, jobs=1))
    stages = StageCache(tmp_path)
    stages.put("front", "k", pack_front(analysis))
    parts = unpack_front(stages.get("front", "k"))
    assert parts["symbols"] == analysis.symbols and parts["edges"] == analysis.edges
    assert parts["entities"] == analysis.entities and parts["routes"] == analysis.routes
    assert stages.get("front", "missing") is None


@pytest.mark.parametrize("value", [
    [("a.b", "c.d", "call", 1, (3, 4), 1, 0)] * 500,  # rows sharing one tuple: written each time
    [frozenset({i}) for i in range(200)] + [frozenset()] * 100,  # what fast pickling fails on
    {"targets": [frozenset({"x"})] * 60, "rows": [[1, "x"]] * 3},
])
def test_every_plain_value_comes_back_equal(tmp_path, value):
    stages = StageCache(tmp_path)
    stages.put("resolve", "k", value)
    assert stages.get("resolve", "k") == value


def test_entries_written_behind_are_read_back_and_on_disk_when_the_run_ends(tmp_path):
    """Within ``written_behind`` a thread compresses and writes the entries: a reader of an
    entry waits for its write, the oldest beyond KEEP still go, every entry is on disk when
    the context ends, and a forked child (which leaves by ``os._exit``) writes in place."""
    stages = StageCache(tmp_path)
    with written_behind():
        for i in range(6):
            stages.put("cluster", f"k{i}", {"i": i, "rows": list(range(i * 1000))})
        assert stages.get("cluster", "k5") == {"i": 5, "rows": list(range(5000))}
        pid = os.fork()
        if pid == 0:  # the child: its entry must be on disk before it leaves
            stages.put("baselines", "child", {"from": "child"})
            os._exit(0 if (tmp_path / "stages" / "baselines-child.bin").is_file() else 1)
        assert os.waitpid(pid, 0)[1] == 0
        stages.put("partition", "last", [1, 2])
    on_disk = sorted(p.name for p in (tmp_path / "stages").iterdir())
    assert on_disk == ["baselines-child.bin", "cluster-k2.bin", "cluster-k3.bin", "cluster-k4.bin",
                       "cluster-k5.bin", "partition-last.bin"]
    assert StageCache(tmp_path).get("partition", "last") == [1, 2]
    stages.put("shared", "after", [])  # outside the context: written in place
    assert (tmp_path / "stages" / "shared-after.bin").is_file()


def test_old_entries_are_dropped(tmp_path):
    stages = StageCache(tmp_path)
    for i in range(8):
        stages.put("cluster", f"k{i}", {"i": i})
        os.utime(stages._path("cluster", f"k{i}"), (i, i))
    stages.put("cluster", "last", {})
    assert len(list((tmp_path / "stages").glob("cluster-*.bin"))) == 4


def test_the_clustering_digest_sees_what_clustering_reads_and_nothing_else():
    from analyzer.pipeline import AnalyzeOptions, run_analysis

    analysis = run_analysis(SHOP, AnalyzeOptions(use_cache=False, progress=False, jobs=1))
    options = ClusterOptions()
    key = clustering_key(analysis, options)

    def changed(**parts) -> str:
        return clustering_key(dataclasses.replace(analysis, **parts), options)

    sym = next(i for i, s in enumerate(analysis.symbols) if s.kind == "function" and s.end_line > s.line)
    s = analysis.symbols[sym]
    edge = next(i for i, e in enumerate(analysis.edges) if e.kind == "call")
    e = analysis.edges[edge]

    def with_symbol(new):
        return changed(symbols=analysis.symbols[:sym] + [new] + analysis.symbols[sym + 1:])

    def with_edge(new):
        return changed(edges=analysis.edges[:edge] + [new] + analysis.edges[edge + 1:])

    # moved down the file, other docstring, other site lines: clustering cannot tell
    assert with_symbol(dataclasses.replace(s, line=s.line + 5, end_line=s.end_line + 5, docstring="new")) == key
    assert with_edge(dataclasses.replace(e, lines=(1, 2, 3), used=0, ignored=e.weight)) == key
    # a longer function, a heavier edge, other options: another clustering
    assert with_symbol(dataclasses.replace(s, end_line=s.end_line + 1)) != key
    assert with_edge(dataclasses.replace(e, weight=e.weight + 1)) != key
    assert clustering_key(analysis, ClusterOptions(services=3)) != key


def test_clustering_results_do_not_depend_on_what_the_digest_leaves_out():
    """The other half of the digest's promise: fields it leaves out do not change the result."""
    from analyzer.metrics import ScoringBase, baselines, score
    from analyzer.pipeline import AnalyzeOptions, run_analysis

    analysis = run_analysis(SHOP, AnalyzeOptions(use_cache=False, progress=False, jobs=1))
    blurred = dataclasses.replace(
        analysis,
        symbols=[dataclasses.replace(s, line=s.line + 7 if s.line else 0, end_line=s.end_line + 7 if s.line else 0,
                                     docstring="other", signature=None, params=(), returns=None, decorators=())
                 for s in analysis.symbols],
        edges=[dataclasses.replace(e, lines=(), used=0, ignored=0) for e in analysis.edges],
        entities=[dataclasses.replace(e, line=e.line + 3, table="other", framework="other") for e in analysis.entities],
        routes=[dataclasses.replace(r, line=r.line + 3, path="/other", methods=(), name=None) for r in analysis.routes],
        transactions=[], references=[], parse_errors=[],
    )
    assert clustering_key(blurred, ClusterOptions()) == clustering_key(analysis, ClusterOptions())

    def clustered(a):
        from analyzer.cluster import decompose

        result = decompose(a, ClusterOptions())
        base = ScoringBase.of(a)
        return result.decomposition, result.info, score(a, result.decomposition, base), baselines(a, base)

    assert clustered(blurred) == clustered(analysis)


def test_the_resolution_shape_ignores_positions_and_literals_only():
    from analyzer.facts import resolution_shape
    from analyzer.parse import parse_module_facts

    def shape(source: str) -> str:
        return resolution_shape(parse_module_facts("m.py", "m", source.encode()))

    base = shape("import os\n\ndef f(x=1):\n    y = 'a'\n    return g(x, 2)\n")
    assert shape("import os\n\n\n# moved\ndef f(x=1):\n    y = 'b'\n    return g(x, 3)\n") == base
    assert shape("import os\n\ndef f(x=1):\n    y = 'a'\n    return h(x, 2)\n") != base  # another callee
    assert shape("import os\n\ndef f(x=1):\n    y = os\n    return g(x, 2)\n") != base  # a name bound
    assert shape("import sys\n\ndef f(x=1):\n    y = 'a'\n    return g(x, 2)\n") != base  # an import
    assert shape("import os\n\ndef f(z=1):\n    y = 'a'\n    return g(x, 2)\n") != base  # a signature
    assert shape("import os\n\ndef f(x):\n    y = 'a'\n    return g(x, 2)\n") != base  # no default now
    # a default is read only when it is a name (``def f(callback=handler)``): its value
    # flows into the parameter; any other default is only there
    assert shape("import os\n\ndef f(x=2):\n    y = 'a'\n    return g(x, 2)\n") == base
    assert shape("import os\n\ndef f(x='text'):\n    y = 'a'\n    return g(x, 2)\n") == base
    assert shape("import os\n\ndef f(x=os):\n    y = 'a'\n    return g(x, 2)\n") != base


def test_a_reused_evaluation_assembles_what_evaluating_gives(tmp_path):
    """Same edges, symbols, counts and flows whether the evaluation is new or reused on facts
    whose lines moved."""
    from analyzer.pipeline import AnalyzeOptions, run_front_end
    from analyzer.resolve import Evaluation, resolve

    facts = run_front_end(SHOP, AnalyzeOptions(use_cache=False, progress=False, jobs=1)).facts
    first = resolve(facts)
    stored = pickle.loads(pickle.dumps(first.evaluation.pack()))
    moved = [dataclasses.replace(m, calls=tuple(c._replace(line=c.line + 1) for c in m.calls)) for m in facts]
    again = resolve(moved, known=Evaluation.unpack(stored))
    fresh_run = resolve(moved)
    assert again.edges == fresh_run.edges and again.edges != first.edges  # the lines moved with the calls
    assert again.symbols == fresh_run.symbols and again.stats == fresh_run.stats
    assert again.unresolved == fresh_run.unresolved
    assert dict(again.resolver.flows) == dict(fresh_run.resolver.flows)
    assert [c.targets for c in again.calls] == [c.targets for c in fresh_run.calls]


def test_the_partition_key_reads_the_graph_but_not_the_sizes():
    import networkx as nx

    from analyzer.cluster.digest import partition_key

    def key(edges, sizes=None, seed=0):
        g = nx.Graph()
        g.add_nodes_from((n, {"size": (sizes or {}).get(n, 1.0)}) for n in "abcd")
        listed = sorted(edges.items())
        g.add_edges_from((a, b, {"weight": w}) for (a, b), w in listed)
        return partition_key(g, listed, {n: "m" for n in "abcd"}, "louvain", seed, 1.0)

    edges = {("a", "b"): 2.0, ("b", "c"): 1.0, ("c", "d"): 3.0}
    assert key(edges) == key(edges, sizes={"a": 50.0})
    assert key(edges) != key({**edges, ("a", "b"): 3.0})
    assert key(edges) != key({**edges, ("a", "d"): 1.0})
    assert key(edges) != key(edges, seed=1)


def test_what_the_resolution_shape_leaves_out_does_not_change_the_evaluation():
    """The other half of the shape's promise, on the sample: lines, docstrings, literal
    values, parameter defaults that are no name, ``with`` blocks, strings and attribute
    stores changed everywhere give the same shapes and the same evaluation."""
    from analyzer.facts import REFERENCE, resolution_shape
    from analyzer.pipeline import AnalyzeOptions, run_front_end
    from analyzer.resolve import resolve

    facts = [m for m in run_front_end(SHOP, AnalyzeOptions(use_cache=False, progress=False, jobs=1)).facts
             if m.error is None]

    def other(value):
        return None if value is None else ("other", value)

    def blur(m, k):
        def arg(a):
            return a._replace(value=other(a.value))

        return dataclasses.replace(
            m, lines=m.lines + k, withs=(), strings=(), stores=(),
            definitions=tuple(
                d._replace(line=d.line + k, end_line=d.end_line + 2 * k, docstring="other",
                           params=tuple(p._replace(default="other()") if p.default and not REFERENCE.match(p.default)
                                        else p for p in d.params),
                           keywords=tuple(arg(a) for a in d.keywords),
                           decorators=tuple(x._replace(line=x.line + k, args=None if x.args is None else
                                                       tuple(arg(a) for a in x.args)) for x in d.decorators))
                for d in m.definitions),
            imports=tuple(i._replace(line=i.line + k) for i in m.imports),
            calls=tuple(c._replace(line=c.line + k, args=tuple(arg(a) for a in c.args)) for c in m.calls),
            bindings=tuple(b._replace(line=b.line + k, value=other(b.value)) for b in m.bindings),
        )

    blurred = [blur(m, k + 1) for k, m in enumerate(facts)]
    assert any(p.default == "other()" for m in blurred for d in m.definitions for p in d.params)
    assert [resolution_shape(m) for m in blurred] == [resolution_shape(m) for m in facts]
    first, again = resolve(facts).evaluation, resolve(blurred).evaluation
    assert (first.targets, first.entered, first.wrapped) == (again.targets, again.entered, again.wrapped)
    assert (first.imports, first.bases, dict(first.flows)) == (again.imports, again.bases, dict(again.flows))


def test_the_keys_change_with_another_install_of_a_library(monkeypatch):
    from analyzer import stage_cache

    first = stage_cache.code_fingerprint()
    monkeypatch.setattr(stage_cache, "_FINGERPRINT", None)
    monkeypatch.setattr(stage_cache, "library_stamp", lambda name: f"{name}-upgraded")
    assert stage_cache.code_fingerprint() != first
    assert stage_cache.library_stamp("libcst") == "libcst-upgraded"
    monkeypatch.undo()
    assert stage_cache.library_stamp("no_such_library_here") == "?"
    assert stage_cache.library_stamp("networkx") != "?"


def test_what_the_frameworks_view_leaves_out_does_not_change_the_stage():
    from analyzer.frameworks import extract, frameworks_view
    from analyzer.pipeline import AnalyzeOptions, run_front_end

    front = run_front_end(SHOP, AnalyzeOptions(use_cache=False, progress=False, jobs=1))
    blurred = [dataclasses.replace(m, sha="other", lines=m.lines + 100, definitions=tuple(
        d._replace(docstring="other", end_line=d.end_line + 100 if d.kind == "module" else d.end_line)
        for d in m.definitions)) for m in front.facts]
    assert [frameworks_view(m) for m in blurred] == [frameworks_view(m) for m in front.facts]
    assert extract(blurred, front.resolution) == extract(front.facts, front.resolution)


def test_digests_read_values_not_which_equal_strings_are_one_object():
    from analyzer.cluster.digest import canonical_bytes

    one = "unit." + "a"
    other = one.encode().decode()
    assert one is not other
    shared = [(one, one, 1.5), (one, "b", 2)]
    copied = [(other, "unit.a", 1.5), (one.encode().decode(), "b", 2)]
    assert canonical_bytes(shared) == canonical_bytes(copied)
    assert canonical_bytes(shared) != canonical_bytes([(one, one, 1.5), (one, "b", 3)])
    many = [frozenset({i}) for i in range(100)]  # what the fast pickle cannot take
    assert canonical_bytes(many) == canonical_bytes([frozenset({i}) for i in range(100)])


def test_stored_unit_edges_are_used_only_while_every_package_hub_stays(tmp_path):
    from analyzer.cluster import _unit_edges
    from analyzer.cluster.layout import build_layout
    from analyzer.cluster.members import MemberIndex
    from analyzer.cluster.weights import DEFAULT_WEIGHTS, clustering_edges, package_hubs
    from analyzer.pipeline import AnalyzeOptions, run_analysis

    analysis = run_analysis(SHOP, AnalyzeOptions(use_cache=False, progress=False, jobs=1))
    layout = build_layout({s.module for s in analysis.symbols if s.module})
    units = MemberIndex.build(analysis.symbols).unit_of
    stages = StageCache(tmp_path)

    def fresh_edges(a):
        return clustering_edges(a.symbols, a.edges, units, DEFAULT_WEIGHTS, layout,
                                {e.id: e.model for e in a.entities if e.model})

    first = _unit_edges(analysis, units, DEFAULT_WEIGHTS, layout, stages, "graph")
    assert first == fresh_edges(analysis)
    assert _unit_edges(analysis, units, DEFAULT_WEIGHTS, layout, stages, "graph") == first  # from the store
    # a module that grows past its package's largest becomes the hub: the stored edges are not used
    hub, members = next((h, ms) for h, ms in package_hubs(analysis.symbols, layout.root) if len(ms) > 2)
    other = next(m for m in members if m != hub)
    grown = dataclasses.replace(analysis, symbols=[
        dataclasses.replace(s, end_line=s.end_line + 10_000) if s.id == other else s for s in analysis.symbols])
    hubs = [h for h, _ in package_hubs(analysis.symbols, layout.root)]
    assert [h for h, _ in package_hubs(grown.symbols, layout.root)] != hubs
    assert _unit_edges(grown, units, DEFAULT_WEIGHTS, layout, stages, "graph") == fresh_edges(grown) != first


@pytest.mark.parametrize("tree", [SHOP, *sorted((Path(__file__).parent / "fixtures" / "frameworks").iterdir())],
                         ids=lambda p: p.name)
def test_the_frameworks_stage_finds_the_same_from_the_stable_memo_as_from_an_empty_one(tree):
    """Resolution leaves its stable values for the frameworks stage; a reused evaluation
    leaves an empty memo. Both must give the same entities, accesses, routes and edges."""
    from helpers import front_end

    from analyzer.frameworks import extract
    from analyzer.resolve import resolve

    facts, kept = front_end(tree)
    assert kept.resolver._lookups  # the stable values are there to be used
    emptied = resolve(facts, known=kept.evaluation)  # reused: nothing evaluated, nothing in the memo
    assert not emptied.resolver._lookups
    assert extract(facts, kept) == extract(facts, emptied)
