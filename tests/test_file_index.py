"""The file index: a warm run reads only the files whose status changed since they were read."""

from __future__ import annotations

import os

import pytest
from helpers import build_tree

from analyzer import file_index
from analyzer.errors import MsaError
from analyzer.pipeline import AnalyzeOptions, analyze_to_file, collect_inputs

FILES = {
    "shop/__init__.py": "",
    "shop/orders.py": "def place(order):\n    return order\n",
    "shop/billing.py": "from shop.orders import place\n\n\ndef bill(o):\n    return place(o)\n",
}


@pytest.fixture
def settled(monkeypatch):
    """Files written by the test count as settled at once (they are seconds old otherwise)."""
    monkeypatch.setattr(file_index, "SETTLED_NS", -10**12)


def _unread(inputs) -> set[str]:
    return {rel for rel, _module, _pkg, source in inputs.tasks if source is None}


def test_an_unchanged_file_is_not_read_again(tmp_path, settled):
    build_tree(tmp_path / "src", FILES)
    options = AnalyzeOptions(cache_dir=tmp_path / "cache")
    first = collect_inputs(tmp_path / "src", options)
    assert not _unread(first)
    again = collect_inputs(tmp_path / "src", options)
    assert _unread(again) == {"shop/__init__.py", "shop/orders.py", "shop/billing.py"}
    assert again.keys == first.keys and again.shas == first.shas
    # parsing one after all reads it then
    assert again.readied([1])[0][3] == first.tasks[1][3]


def test_an_edit_is_read_even_when_size_and_modification_time_are_put_back(tmp_path, settled):
    build_tree(tmp_path / "src", FILES)
    options = AnalyzeOptions(cache_dir=tmp_path / "cache")
    first = collect_inputs(tmp_path / "src", options)
    path = tmp_path / "src" / "shop" / "orders.py"
    st = path.stat()
    path.write_text("def plac2(order):\n    return order\n")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the status-change time still moves
    again = collect_inputs(tmp_path / "src", options)
    assert _unread(again) == {"shop/__init__.py", "shop/billing.py"}
    changed = [i for i, (a, b) in enumerate(zip(first.keys, again.keys)) if a != b]
    assert [again.tasks[i][0] for i in changed] == ["shop/orders.py"]


def test_a_file_edited_just_before_the_run_is_read_by_the_next(tmp_path):
    build_tree(tmp_path / "src", FILES)  # written now: within SETTLED_NS of the read
    options = AnalyzeOptions(cache_dir=tmp_path / "cache")
    collect_inputs(tmp_path / "src", options)
    assert not _unread(collect_inputs(tmp_path / "src", options))


def test_a_file_changed_behind_its_record_stops_the_run_when_it_must_be_parsed(tmp_path, settled):
    build_tree(tmp_path / "src", FILES)
    options = AnalyzeOptions(cache_dir=tmp_path / "cache")
    collect_inputs(tmp_path / "src", options)
    again = collect_inputs(tmp_path / "src", options)
    i = [t[0] for t in again.tasks].index("shop/orders.py")
    again.shas[i] = "0" * len(again.shas[i])  # what a status that lied would leave
    with pytest.raises(MsaError, match="shop/orders.py: changed while it was being analyzed"):
        again.readied([i])


def test_warm_runs_with_the_index_give_the_cold_document(tmp_path, settled):
    build_tree(tmp_path / "src", FILES)
    options = AnalyzeOptions(cache_dir=tmp_path / "cache")
    analyze_to_file(tmp_path / "src", options, tmp_path / "a.json")
    (tmp_path / "src" / "shop" / "billing.py").write_text(FILES["shop/billing.py"] + "\n\ndef refund(o):\n    return o\n")
    analyze_to_file(tmp_path / "src", options, tmp_path / "b.json")
    cold = AnalyzeOptions(use_cache=False)
    analyze_to_file(tmp_path / "src", cold, tmp_path / "c.json")

    import json

    def comparable(name):
        doc = json.loads((tmp_path / name).read_text())
        doc["counts"].pop("timings"), doc["counts"].pop("peak_mib"), doc["counts"].pop("cache_hits")
        doc["counts"].pop("reused", None)
        return doc

    assert comparable("b.json") == comparable("c.json")
    assert "shop.billing.refund" in {s["id"] for s in comparable("b.json")["symbols"]}
