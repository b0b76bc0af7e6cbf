"""MoJo, MoJoFM and the adjusted Rand index on hand-computed cases."""

import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.analysis import save
from analyzer.compare import adjusted_rand, compare, compare_files, max_mojo, mojo, mojofm
from analyzer.errors import PlanError, UsageError

FIXTURES = Path(__file__).parent / "fixtures" / "cluster"
_spec = importlib.util.spec_from_file_location("minishop", FIXTURES / "minishop.py")
minishop = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(minishop)


def labels(*clusters):
    return {obj: f"c{i}" for i, cluster in enumerate(clusters) for obj in cluster}


def test_identical_partitions():
    a = labels("123", "45")
    assert mojo(a, a) == 0 and mojofm(a, a) == 100.0 and adjusted_rand(a, a) == 1.0


def test_one_move_and_one_join():
    a = labels("123", "456", "78")
    b = labels("1234", "5678")
    # move 4 to the first cluster, join the other two
    assert mojo(a, b) == 2
    # B's sizes 4, 4 -> g = 2 -> the farthest partition is n - g = 6 away
    assert max_mojo(b) == 6
    assert mojofm(a, b) == pytest.approx(100 * (1 - 2 / 6), abs=0.01)


def test_joins_only():
    a = labels("12", "34")
    b = labels("1234")
    assert mojo(a, b) == 1 and max_mojo(b) == 3 and mojofm(a, b) == pytest.approx(66.67)


def test_matching_beats_greedy_tagging():
    # A1 = {1, 2} ties between B1 and B2; A2 = {3, 4} is all B1. Tagging A1 with B1 (greedy)
    # costs 2; the matching gives A1 the B2 group: one move (1 to A2) suffices.
    a = labels("12", "34")
    b = {"1": "B1", "3": "B1", "4": "B1", "2": "B2"}
    assert mojo(a, b) == 1


def test_mojo_is_not_symmetric_but_mojofm_needs_the_reference():
    a = labels("1234", "5678")
    b = labels("12", "34", "56", "78")
    assert mojo(a, b) == 4  # two moves... into new clusters: 2 + 2
    assert mojo(b, a) == 2  # two joins
    assert mojofm(b, a) == pytest.approx(100 * (1 - 2 / max_mojo(a)), abs=0.01)


def test_only_common_objects_count():
    a = {"1": "x", "2": "x", "9": "y"}
    b = {"1": "p", "2": "p", "7": "q"}
    assert compare(a, b)["objects"] == 2 and mojofm(a, b) == 100.0
    assert compare(a, b)["only_in_first"] == 1 and compare(a, b)["only_in_second"] == 1
    assert mojofm({"1": "x"}, {"2": "y"}) == 0.0


def test_adjusted_rand_known_values():
    assert adjusted_rand(dict(zip("abcd", "0011")), dict(zip("abcd", "0101"))) == -0.5
    true = dict(zip("abcdef", "000111"))
    pred = dict(zip("abcdef", "001122"))
    assert adjusted_rand(pred, true) == pytest.approx(0.8 / 3.3, abs=1e-4)
    assert adjusted_rand({"a": "x"}, {"a": "y"}) == 1.0
    # both trivial (everything together): identical, so 1
    assert adjusted_rand(dict(zip("abc", "000")), dict(zip("abc", "111"))) == 1.0


def test_compare_files_plan_against_analysis(tmp_path):
    analysis = minishop.analysis()
    path = tmp_path / "a.json"
    save(analysis, path)
    same = tmp_path / "same.toml"
    same.write_text(
        'schema = "msa-plan/1"\n'
        '[[service]]\nname = "cat"\nmembers = ["shop.catalog", "shop.admin.catalog_admin"]\n'
        '[[service]]\nname = "ord"\nmembers = ["shop.orders"]\n'
        '[[service]]\nname = "not"\nmembers = ["shop.notify"]\n'
        '[shared]\nmembers = ["shop"]\n'
    )
    result = compare_files(path, same)
    assert result["mojofm"] == 100.0 and result["ari"] == 1.0 and result["level"] == "units"
    moved = tmp_path / "moved.toml"
    moved.write_text(same.read_text().replace('["shop.notify"]', '["shop.notify.email"]\n'
                                              'description = "x"'))
    assert compare_files(moved, path, analysis=path)["mojofm"] == 100.0


def test_compare_files_without_analysis_compares_members(tmp_path):
    first = tmp_path / "1.toml"
    first.write_text('[[service]]\nname = "a"\nmembers = ["m.x", "m.y"]\n[[service]]\nname = "b"\nmembers = ["m.z"]\n')
    second = tmp_path / "2.toml"
    second.write_text('[[service]]\nname = "q"\nmembers = ["m.x", "m.y", "m.z"]\n')
    result = compare_files(first, second)
    assert result["level"] == "members" and result["mojo"] == 1
    disjoint = tmp_path / "3.toml"
    disjoint.write_text('[[service]]\nname = "q"\nmembers = ["other"]\n')
    with pytest.raises(PlanError, match="no member in common"):
        compare_files(first, disjoint)
    with pytest.raises(UsageError, match="no such file"):
        compare_files(first, tmp_path / "missing.toml")


partitions = st.dictionaries(st.integers(0, 30).map(str), st.integers(0, 5).map(lambda i: f"c{i}"), min_size=1)


@settings(max_examples=200, deadline=None)
@given(partitions, partitions)
def test_mojo_properties(a, b):
    common = set(a) & set(b)
    if not common:
        return
    d = mojo(a, b)
    assert 0 <= d <= max_mojo(b, common)
    assert 0.0 <= mojofm(a, b) <= 100.0
    assert mojo(a, a) == 0 and mojofm(b, b) == 100.0
    # renaming clusters changes nothing
    renamed = {o: "x" + label for o, label in a.items()}
    assert mojo(renamed, b) == d
    assert -1.0 <= adjusted_rand(a, b) <= 1.0


def brute_force_mojo(a, b):
    """MoJo by trying every tag assignment (tiny inputs only): the definition itself."""
    import itertools

    common = sorted(set(a) & set(b))
    clusters = sorted({a[o] for o in common})
    tags = sorted({b[o] for o in common})
    best = None
    for choice in itertools.product(tags, repeat=len(clusters)):
        moves = sum(1 for o in common if choice[clusters.index(a[o])] != b[o])
        cost = moves + len(clusters) - len(set(choice))
        best = cost if best is None else min(best, cost)
    return best


small = st.dictionaries(st.integers(0, 7).map(str), st.integers(0, 3).map(lambda i: f"c{i}"), min_size=1)


@settings(max_examples=200, deadline=None)
@given(small, small)
def test_mojo_matches_the_brute_force_definition(a, b):
    if set(a) & set(b):
        assert mojo(a, b) == brute_force_mojo(a, b)
