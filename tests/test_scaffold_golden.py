"""Golden files: the scaffold of the hand-made shop analysis, compared file by file with the
checked-in tree under ``tests/golden/shop/``.

After an intended change of the output, refresh the tree and review the diff::

    MSA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_scaffold_golden.py
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import shutil
from pathlib import Path

from analyzer.scaffold import build_context, render_files

_spec = importlib.util.spec_from_file_location("scaffold_support", Path(__file__).parent / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)


CACHES = {"__pycache__", ".ruff_cache", ".pytest_cache", ".mypy_cache"}  # tools leave these; git ignores them


def checked_in(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
            if p.is_file() and not CACHES & set(p.parts)}


def test_scaffold_matches_the_golden_tree() -> None:
    files = render_files(build_context(support.shop()))
    if os.environ.get("MSA_UPDATE_GOLDEN"):
        shutil.rmtree(support.GOLDEN, ignore_errors=True)
        for rel, text in files.items():
            target = support.GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    golden = checked_in(support.GOLDEN)
    assert sorted(files) == sorted(golden), "files differ; refresh with MSA_UPDATE_GOLDEN=1 if intended"
    for rel, text in files.items():
        if text != golden[rel]:
            diff = "".join(difflib.unified_diff(golden[rel].splitlines(True), text.splitlines(True),
                                                f"golden/{rel}", f"scaffold/{rel}", n=2))
            raise AssertionError(f"{rel} differs from the golden file "
                                 f"(refresh with MSA_UPDATE_GOLDEN=1 if intended):\n{diff[:4000]}")
