"""Files the moved code reads next to itself: a version file, a font, a changelog.

Code finds such files from its own location (``os.path.dirname(__file__)``, a settings'
``BASE_DIR`` or ``SITE_ROOT``) and a relative path it spells out as a string. A copy that
lacks them fails where it reads them, often on import: evennia's package reads
``VERSION.txt`` beside its ``__init__.py``, wger's PDF module registers
``core/static/fonts/OpenSans-Light.ttf`` when it is imported, healthchecks' settings read
``CHANGELOG.md`` at the repository's root. A string literal of a copied module that names an
existing file in the module's folder or a folder above it, up to the root it is imported from,
is that file: it is copied to the same place under each tree of the service's copy (``ported``
and ``vendor``), since the path is computed from whichever copy reads it, and, when it sits at
that root, to the service's folder too: code that opens it relative to the working folder
finds it where the service runs. Folders are not
copied (``templates``, ``static``: they can be large and are served, not read on import), nor
files above the size caps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from analyzer.extract.program import Program
from analyzer.scaffold.writer import check_relative

MAX_FILE = 2 * 1024 * 1024  # bytes of one data file copied
MAX_TOTAL = 16 * 1024 * 1024  # bytes of data files copied into one service
# a relative path to a file with an extension, as a string literal; no spaces, no URL
_LITERAL = re.compile(r"""["']([A-Za-z0-9_][A-Za-z0-9_./-]{0,200}\.[A-Za-z0-9]{1,8})["']""")
# the same path in parts, ``os.path.join("schemas", "performance-artifact.json")``
_PARTS = re.compile(r"""join\(\s*((?:["'][A-Za-z0-9_.-]+["']\s*,\s*){1,3}["'][A-Za-z0-9_.-]+\.[A-Za-z0-9]{1,8}["'])\s*\)""")
_PART = re.compile(r"""["']([A-Za-z0-9_.-]+)["']""")


def _named_paths(text: str) -> set[str]:
    paths = set(_LITERAL.findall(text))
    paths.update("/".join(_PART.findall(m)) for m in _PARTS.findall(text))
    return paths


class DataFiles:
    """The data files of one extraction: what each module names is looked up once, and each
    file read once, however many services copy the module."""

    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.root = Path(prog.doc.root).resolve()
        self._named: dict[str, list[tuple[str, Path, bool, int]]] = {}
        self._bytes: dict[Path, bytes] = {}

    def for_service(self, modules: Iterable[str]) -> dict[str, tuple[bytes, bool]]:
        """The files the given modules name (see the module docstring): their path under a
        copy tree (relative to the root their module is imported from) -> the file's bytes,
        and whether it was found at that root, where the monolith's working folder usually
        is (treeherder opens ``schemas/performance-artifact.json`` relative to it)."""
        found: dict[str, tuple[bytes, bool]] = {}
        total = 0
        for module in sorted(set(modules)):
            for rel, path, at_root, size in self.named(module):
                if rel not in found and total + size <= MAX_TOTAL:
                    if path not in self._bytes:
                        self._bytes[path] = path.read_bytes()
                    found[rel] = (self._bytes[path], at_root)
                    total += size
        return found

    def named(self, module: str) -> list[tuple[str, Path, bool, int]]:
        """``(path under a copy tree, file, found at the import root, bytes)`` of each file
        ``module`` names, at most :data:`MAX_FILE` bytes."""
        if module not in self._named:
            self._named[module] = self._look_up(module)
        return self._named[module]

    def _look_up(self, module: str) -> list[tuple[str, Path, bool, int]]:
        prog = self.prog
        info = prog.modules.get(module)
        if info is None or not info.path.endswith(".py"):
            return []
        path = (self.root / info.path).resolve()
        depth = module.count(".") + (1 if info.is_package else 0)  # folders from the file up to its import root
        folders = [path.parents[i] for i in range(min(depth + 1, len(path.parents)))]
        source_root = folders[-1]
        if self.root not in (source_root, *source_root.parents):
            return []
        out = []
        for literal in sorted(_named_paths(prog.sources.text(module))):
            if literal.endswith(".py") or ".." in PurePosixPath(literal).parts or prog.is_monolith(literal):
                continue
            for folder in folders:
                candidate = folder / literal
                try:
                    if not candidate.is_file() or candidate.is_symlink():
                        continue
                    size = candidate.stat().st_size
                    rel = candidate.resolve().relative_to(source_root).as_posix()
                except (OSError, ValueError):
                    continue
                try:
                    check_relative(rel)  # a name the scaffold's writer takes
                except ValueError:
                    break
                if size <= MAX_FILE:
                    out.append((rel, candidate, folder == source_root, size))
                break
        return out
