"""Replaying a stored clustering under new sizes (analyzer/cluster/replay.py): it answers
only when every decision sizes make comes out as stored, and then what a full run gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import networkx as nx
import pytest
from helpers import load_module

from analyzer.cluster import ClusterOptions, decompose, fragments, refine
from analyzer.cluster.replay import Record

synth = load_module(Path(__file__).parent / "fixtures" / "cluster" / "synth.py")


class Store:
    """A stage cache in memory."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], object] = {}

    def get(self, stage: str, key: str):
        return self.entries.get((stage, key))

    def put(self, stage: str, key: str, value) -> None:
        self.entries[(stage, key)] = value


def resized(analysis, grow: dict[str, int]):
    """``analysis`` with the symbols in ``grow`` longer by that many lines."""
    symbols = [dataclasses.replace(s, end_line=s.end_line + grow[s.id]) if s.id in grow else s
               for s in analysis.symbols]
    return dataclasses.replace(analysis, symbols=symbols)


@pytest.fixture(scope="module")
def planted():
    analysis, _ = synth.generate(services=6, modules=3, units=5, cross=0.05, seed=3)
    return analysis


def assert_runs_in_full(edited, store) -> None:
    """Clustering ``edited`` with ``store`` replays nothing and gives a fresh run's result."""
    again = decompose(edited, ClusterOptions(), store=store, plain_graph="g")
    fresh = decompose(edited, ClusterOptions())
    assert not again.replayed
    assert again.decomposition == fresh.decomposition and again.info == fresh.info


def in_a_service(result) -> str:
    """A unit the clustering placed (not in the shared library): its size counts."""
    return result.decomposition.services[0].members[0]


@pytest.mark.parametrize("options", [ClusterOptions(), ClusterOptions(services=4)])
def test_a_small_growth_replays_the_stored_run(planted, options):
    store = Store()
    first = decompose(planted, options, store=store, plain_graph="g")
    assert not first.replayed
    edited = resized(planted, {in_a_service(first): 2})
    again = decompose(edited, options, store=store, plain_graph="g")
    assert again.replayed
    fresh = decompose(edited, options)
    assert again.decomposition == fresh.decomposition
    assert again.info == fresh.info


def test_a_growth_that_changes_a_decision_runs_in_full(planted):
    store = Store()
    first = decompose(planted, ClusterOptions(), store=store, plain_graph="g")
    # one unit as large as all the rest: the number of services, the folds or the balance
    # bound come out otherwise
    assert_runs_in_full(resized(planted, {in_a_service(first): 50_000}), store)


def test_a_growth_that_changes_a_package_hub_runs_in_full(planted):
    from analyzer.cluster.layout import build_layout
    from analyzer.cluster.weights import package_hubs

    store = Store()
    decompose(planted, ClusterOptions(), store=store, plain_graph="g")
    root = build_layout({s.module for s in planted.symbols if s.module}).root
    hub, members = next((h, m) for h, m in package_hubs(planted.symbols, root) if len(m) > 1)
    other = next(m for m in members if m != hub)
    lines = {s.id: s.lines for s in planted.symbols}
    edited = resized(planted, {other: lines[hub] - lines[other] + 1})  # now the largest of its package
    assert [h for h, _ in package_hubs(edited.symbols, root)] != [h for h, _ in package_hubs(planted.symbols, root)]
    assert_runs_in_full(edited, store)


def test_other_options_or_another_graph_find_no_record(planted):
    store = Store()
    decompose(planted, ClusterOptions(), store=store, plain_graph="g")
    assert not decompose(planted, ClusterOptions(services=3), store=store, plain_graph="g").replayed
    assert not decompose(planted, ClusterOptions(), store=store, plain_graph="other").replayed


def test_foreign_records_are_ignored():
    assert Record.unpack({"version": -1}) is None
    assert Record.unpack(["not", "a", "record"]) is None
    assert Record.unpack({"version": 1, "unknown": 1}) is None
    assert Record.unpack(Record(k=3).pack()) == Record(k=3)


def _two_camps() -> nx.Graph:
    g = nx.Graph()
    g.add_weighted_edges_from([("a", "b", 3), ("b", "c", 3), ("c", "x", 1), ("x", "y", 3), ("y", "z", 3),
                               ("a", "x", 2)])
    nx.set_node_attributes(g, 1.0, "size")
    return g


def test_refinement_replays_its_moves_and_refuses_a_move_past_the_bound():
    g = _two_camps()
    start = [{"a", "b"}, {"c", "x", "y", "z"}]
    log: list = []
    moved = refine.cluster(g, partition=start, log=log)
    assert [sorted(c) for c in moved] == [["a", "b", "c"], ["x", "y", "z"]]
    assert [(n, chosen) for n, _, _, _, chosen in log if chosen != _] == [("c", 0)]
    sizes = dict(g.nodes(data="size"))
    assert refine.replay_sizes(start, sizes, log)
    # c grows past what community 0 may hold: the logged move no longer happens
    heavy = {**sizes, "a": 5.0, "b": 5.0}  # community 0 holds 10 of 14, the bound is 10.5
    assert not refine.replay_sizes(start, heavy, log)
    nx.set_node_attributes(g, heavy, "size")
    assert [sorted(c) for c in refine.cluster(g, partition=start)] != [sorted(c) for c in moved]


def test_fold_rounds_replay_from_their_ties_and_refuse_when_dominance_changes():
    g = nx.Graph()
    g.add_weighted_edges_from([("app.a", "app.b", 3), ("app.b", "app.c", 3), ("app.c", "app.d", 3),
                               ("app.d", "lib.z", 3), ("lib.x", "lib.y", 3), ("lib.z", "lib.x", 1)])
    sizes = {n: 10.0 for n in g} | {"lib.z": 5.0}
    nx.set_node_attributes(g, sizes, "size")
    package_of = lambda n: n.split(".")[0]
    start = [{"app.a", "app.b"}, {"app.c", "app.d", "lib.z"}, {"lib.x", "lib.y"}]
    log: list = []
    folded = fragments.merge_fragments(g, start, package_of, log=log)
    assert folded == ([{"app.a", "app.b", "app.c", "app.d", "lib.z"}, {"lib.x", "lib.y"}], ["app"])
    assert fragments.replay_sizes(start, sizes, package_of, None, log) == folded
    # lib.z outweighs the rest of its piece: the piece is no longer app's, and nothing folds
    heavy = {**sizes, "lib.z": 100.0}
    assert fragments.replay_sizes(start, heavy, package_of, None, log) is None
    nx.set_node_attributes(g, heavy, "size")
    assert fragments.merge_fragments(g, start, package_of)[1] == []


def test_random_size_edits_always_give_what_a_full_run_gives():
    """Growth and shrinking, small and large, one to three units at a time, with and without
    a number of services: replayed or not, the result is a full run's."""
    import random

    analysis, _ = synth.generate(services=8, modules=4, units=6, cross=0.15, seed=11)
    rng = random.Random(5)
    options = [ClusterOptions(), ClusterOptions(services=5)]
    stores = [Store() for _ in options]
    units = [s.id for s in analysis.symbols if s.line]
    replayed = 0
    for _ in range(25):
        grow = {rng.choice(units): rng.choice([-4, -1, 1, 3, 30, 400, 5000]) for _ in range(rng.randint(1, 3))}
        analysis = dataclasses.replace(analysis, symbols=[
            dataclasses.replace(s, end_line=max(s.line, s.end_line + grow[s.id])) if s.id in grow else s
            for s in analysis.symbols])
        for o, store in zip(options, stores, strict=True):
            got = decompose(analysis, o, store=store, plain_graph="g")
            fresh = decompose(analysis, o)
            assert (got.decomposition, got.info) == (fresh.decomposition, fresh.info)
            replayed += got.replayed
    assert 0 < replayed < 50  # both ways were taken
