"""The facts cache: the bytes a worker encodes are stored as they are, and only fact
classes can come back out of them."""

from __future__ import annotations

import os
import pickle
import zlib

import pytest

from analyzer.cache import FactsCache
from analyzer.facts import decode, encode
from analyzer.parse import parse_module_facts


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_encoded_facts_round_trip():
    facts = parse_module_facts("pkg/m.py", "pkg.m", b"import os\n\nclass A(B):\n    def f(self, x=1):\n        return g(x)\n")
    assert decode(encode(facts)) == facts


@pytest.mark.parametrize("blob", [
    zlib.compress(pickle.dumps(_Evil())),  # would run a command with plain pickle.loads
    zlib.compress(pickle.dumps({"module": "x"})),  # not facts
    b"not even zlib",
    zlib.compress(b"\x80\x05garbage"),
])
def test_anything_but_facts_is_refused(blob):
    with pytest.raises(ValueError):
        decode(blob)


def test_a_poisoned_row_is_parsed_again_not_loaded(tmp_path):
    facts = parse_module_facts("m.py", "m", b"def f():\n    pass\n")
    cache = FactsCache(tmp_path)
    cache.put_many([("good", encode(facts)), ("evil", zlib.compress(pickle.dumps(_Evil())))])
    assert cache.get_many(["good", "evil"]) == {"good": facts}
    cache.close()


def test_a_changed_record_layout_changes_the_cache_keys(monkeypatch):
    from typing import NamedTuple

    import analyzer.facts as facts_module

    before = facts_module.layout_fingerprint()
    assert FactsCache.key("abc", "m", False, "m.py").startswith("facts-")

    class Arg(NamedTuple):  # one field more than the real Arg
        keyword: str | None = None
        expr: str | None = None
        value: object = None
        call: int | None = None
        star: int = 0
        items: tuple | None = None
        extra: int = 0

    monkeypatch.setitem(facts_module._FACT_CLASSES, "Arg", Arg)
    assert facts_module.layout_fingerprint() != before


def test_an_edited_parser_changes_the_cache_keys(tmp_path):
    """Facts made by other parser code are never read back, even if nobody bumps the
    number in ``FACTS_VERSION``: a copy of the package whose parser differs by one comment
    keys its cache differently, and an identical copy keys it the same."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import analyzer

    source = Path(analyzer.__file__).parent

    def version_of(edit: bool) -> str:
        root = tmp_path / ("edited" if edit else "same")
        shutil.copytree(source, root / "analyzer", ignore=shutil.ignore_patterns("__pycache__"))
        if edit:
            with open(root / "analyzer" / "parse.py", "a", encoding="utf-8") as f:
                f.write("\n# a change of the parser\n")
        done = subprocess.run([sys.executable, "-c", "import analyzer.cache as c; print(c.FACTS_VERSION)"],
                              cwd=root, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(root)})
        return done.stdout.strip()

    from analyzer.cache import FACTS_VERSION

    assert version_of(edit=False) == FACTS_VERSION
    assert version_of(edit=True) != FACTS_VERSION
