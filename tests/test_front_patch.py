"""The front end patched from the previous run's gives exactly what computing it gives, and
it is patched only when nothing resolution or the frameworks stage reads has changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import analyze, comparable, copy_shop, edit, fresh

from analyzer.front_patch import LAYOUT
from analyzer.stage_cache import StageCache

GATEWAYS = Path("shop") / "payments" / "gateways.py"
ORDERS = Path("shop") / "orders" / "services.py"


@pytest.fixture()
def shop(tmp_path):
    return copy_shop(tmp_path)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_a_comment_appended_patches_the_front_end(shop, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    append(shop / GATEWAYS, "\n# a comment at the end\n")
    doc = analyze(shop, tmp_path / "b.json", *cache)
    assert doc["counts"]["reused"] == ["patched-front", "replayed"]
    # nothing was resolved or extracted, and only the edited file was parsed
    assert not {"parse", "resolve", "frameworks"} & set(doc["counts"]["timings"])
    assert doc["counts"]["cache_hits"] == len(doc["modules"]) - 1
    assert comparable(doc) == fresh(shop, tmp_path)


def test_every_file_changed_since_the_stored_front_end_is_patched(shop, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    append(shop / GATEWAYS, "\n# one\n")
    assert analyze(shop, tmp_path / "b.json", *cache)["counts"]["reused"][0] == "patched-front"
    append(shop / GATEWAYS, "# two\n")
    append(shop / ORDERS, "\n\n# three\n")  # patched from the first front end again, both files
    doc = analyze(shop, tmp_path / "c.json", *cache)
    assert doc["counts"]["reused"][0] == "patched-front"
    assert comparable(doc) == fresh(shop, tmp_path)
    # a patched front end is not stored: writing it would cost more than patching again
    assert len(list((tmp_path / "cache" / "stages").glob("front-*.bin"))) == 1


def test_a_docstring_fixed_in_place_reuses_everything(shop, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    edit(shop / GATEWAYS, '"""Payment gateways.', '"""Payment gateways, fixed.')
    doc = analyze(shop, tmp_path / "b.json", *cache)
    assert doc["counts"]["reused"] == ["patched-front", "cluster"]  # not even a size changed
    assert comparable(doc) == fresh(shop, tmp_path)


def test_a_number_changed_in_a_call_patches_the_front_end(shop, tmp_path):
    """A column's length: resolution and the frameworks stage read no number in a call
    (tests/test_frameworks_view.py), so both are reused; the document is a fresh run's."""
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    edit(shop / "shop" / "catalog" / "models.py", "mapped_column(String(120))", "mapped_column(String(150))")
    doc = analyze(shop, tmp_path / "b.json", *cache)
    assert doc["counts"]["reused"][0] == "patched-front"
    assert not {"parse", "resolve", "frameworks"} & set(doc["counts"]["timings"])
    assert comparable(doc) == fresh(shop, tmp_path)


def test_a_parameter_default_changed_patches_the_front_end(shop, tmp_path):
    """A default that is no name is read by neither stage; the document's signature follows."""
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    edit(shop / "shop" / "catalog" / "services.py", "position: int = 0) -> Category", "position: int = 10) -> Category")
    doc = analyze(shop, tmp_path / "b.json", *cache)
    assert doc["counts"]["reused"][0] == "patched-front"
    assert any("position: int = 10" in (s.get("signature") or "") for s in doc["symbols"])
    assert comparable(doc) == fresh(shop, tmp_path)


def test_a_file_that_stops_parsing_is_not_patched(shop, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    append(shop / GATEWAYS, "\ndef broken(:\n")
    doc = analyze(shop, tmp_path / "b.json", *cache)
    assert "patched-front" not in doc["counts"]["reused"]
    assert any(e["path"].endswith("gateways.py") for e in doc["parse_errors"])
    assert comparable(doc) == fresh(shop, tmp_path)


def test_a_damaged_layout_entry_computes_the_front_end(shop, tmp_path):
    cache = tmp_path / "cache"
    analyze(shop, tmp_path / "a.json", "--cache-dir", str(cache))
    stages = StageCache(cache)
    (entry,) = (stages.folder).glob(f"{LAYOUT}-*.bin")
    entry.write_bytes(b"not an entry")
    append(shop / GATEWAYS, "\n# a comment\n")
    doc = analyze(shop, tmp_path / "b.json", "--cache-dir", str(cache))
    assert "patched-front" not in doc["counts"]["reused"]
    assert comparable(doc) == fresh(shop, tmp_path)


def test_a_new_file_changes_the_layout(shop, tmp_path):
    cache = ["--cache-dir", str(tmp_path / "cache")]
    analyze(shop, tmp_path / "a.json", *cache)
    (shop / "shop" / "payments" / "refunds.py").write_text("def refund(order):\n    return order\n")
    doc = analyze(shop, tmp_path / "b.json", *cache)
    assert "patched-front" not in doc["counts"]["reused"]
    assert comparable(doc) == fresh(shop, tmp_path)
