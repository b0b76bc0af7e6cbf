"""Test helpers: build a source tree from a dict and run the front end on it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from textwrap import dedent

from analyzer.discover import discover
from analyzer.parse import parse_module_facts
from analyzer.resolve import resolve


def build_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def front_end(root: Path, **kwargs):
    found = discover(root, **kwargs)
    facts = [parse_module_facts(f.relpath, f.module, f.path.read_bytes(), f.is_package) for f in found.files]
    return facts, resolve(facts)


def call_edges(resolution, prefix: str = "") -> set[tuple[str, str]]:
    return {
        (e.source, e.target)
        for e in resolution.edges
        if e.kind == "call" and (not prefix or e.source.startswith(prefix))
    }


def load_module(path: Path, name: str | None = None):
    """A fixture module loaded from its file (fixture folders are not packages)."""
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
