"""The Louvain kernel makes networkx's moves: for a seed, the same levels as
``nx.community.louvain_partitions`` (networkx 3.x) on graphs shaped like unit graphs (hubs,
chains, self-loops, equal weights that tie). Should a networkx release change its Louvain,
these comparisons fail while our results stay what they were: pin the levels then."""

import random

import networkx as nx
import pytest

from analyzer.cluster import louvain
from analyzer.cluster.louvain_kernel import Start, louvain_levels, partition_of


def as_sorted(levels):
    return [sorted(sorted(c) for c in level) for level in levels]


def unit_like_graph(n: int, seed: int, self_loops: bool = False) -> nx.Graph:
    """Mostly local edges (neighbours in a module), some hubs, weights from a few values so
    that gains tie; nodes added in a shuffled order, as the cluster stage adds them."""
    rng = random.Random(seed)
    names = [f"pkg{i % 7}.mod{i}" for i in range(n)]
    rng.shuffle(names)
    g = nx.Graph()
    g.add_nodes_from(names)
    hubs = names[:3]
    for i, u in enumerate(names):
        for _ in range(rng.randrange(1, 4)):
            v = names[(i + rng.randrange(1, 6)) % n] if rng.random() < 0.8 else rng.choice(hubs)
            if v != u or self_loops:
                g.add_edge(u, v, weight=rng.choice([1.0, 1.0, 0.5, 2.0, 1 / 3]))
    return g


@pytest.mark.parametrize("n,seed,self_loops", [(12, 0, False), (60, 1, True), (300, 2, False), (900, 3, True)])
@pytest.mark.parametrize("resolution", [1.0, 1.7])
def test_same_levels_as_networkx(n, seed, self_loops, resolution):
    g = unit_like_graph(n, seed, self_loops)
    for run in range(3):
        ours = list(louvain_levels(list(g), g.adj, resolution=resolution, seed=seed + run))
        theirs = list(nx.community.louvain_partitions(g, weight="weight", resolution=resolution, seed=seed + run))
        assert as_sorted(ours) == as_sorted(theirs)
        assert len(ours) >= 1


def test_one_start_serves_every_seed():
    """Restarts share the graph's Start (made once, before they fork): a run that reads it
    after other runs did makes the moves of a run that built its own."""
    g = unit_like_graph(300, 5, self_loops=True)
    start = Start(list(g), g.adj)
    for s in range(4):
        shared = list(louvain_levels(list(g), g.adj, seed=s, start=start))
        assert as_sorted(shared) == as_sorted(louvain_levels(list(g), g.adj, seed=s))
        assert as_sorted(shared) == as_sorted(nx.community.louvain_partitions(g, weight="weight", seed=s))


def test_karate_club_and_edge_cases():
    g = nx.relabel_nodes(nx.karate_club_graph(), str)
    for s in range(4):
        assert as_sorted([partition_of(g, louvain_levels(list(g), g.adj, seed=s))]) == \
            as_sorted([nx.community.louvain_communities(g, weight="weight", seed=s)])
    lonely = nx.Graph()
    lonely.add_nodes_from("ab")
    assert list(louvain_levels(["a", "b"], lonely.adj)) == [[{"a"}, {"b"}]]
    assert partition_of(["a"], []) == [{"a"}]


def test_the_cluster_stage_gets_networkx_communities():
    g = unit_like_graph(200, 9)
    expected = sorted((set(c) for c in nx.community.louvain_communities(g, weight="weight", seed=4)), key=min)
    assert louvain.cluster(g, seed=4) == expected
    assert louvain.levels(g, seed=4) == [sorted(level, key=min) for level in
                                          nx.community.louvain_partitions(g, weight="weight", seed=4)]
