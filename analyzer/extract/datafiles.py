"""Files and folders the moved code reads next to itself: a version file, a font, templates.

Code finds such files from its own location (``os.path.dirname(__file__)``, a settings'
``BASE_DIR`` or ``SITE_ROOT``) and a relative path it spells out as a string. A copy that
lacks them fails where it reads them, often on import: evennia's package reads
``VERSION.txt`` beside its ``__init__.py``, wger's PDF module registers
``core/static/fonts/OpenSans-Light.ttf`` when it is imported, healthchecks' settings read
``CHANGELOG.md`` at the repository's root, searxng's settings check that the ``static`` and
``templates`` folders beside them exist. A string literal of a copied module that names an
existing file or folder in the module's folder or a folder above it, up to the root it is
imported from, is that file or folder. So are the ``templates`` and ``static`` folders beside a
copied module, which Flask and Django's app loaders find by convention, without a literal.
A file is copied to the same place under each tree of the service's copy (``ported`` and
``vendor``), since the path may be computed from another copy's location (a vendored
settings' ``BASE_DIR``); a folder, which can be large, only under the trees of the modules
that name it or sit beside it (calibre-web's 5.5 MB of translations went twice into each of
14 services). When it sits at that root, it is copied to the service's folder too: code
that opens it relative to the working folder finds it where the service runs. A folder
holding Python files is code, not data, and is not copied; nor is a folder or file over the
size caps, which MIGRATION.md lists instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analyzer.extract.program import Program
from analyzer.scaffold.writer import check_relative

MAX_FILE = 2 * 1024 * 1024  # bytes of one data file copied
MAX_FOLDER = 8 * 1024 * 1024  # bytes of one data folder copied
MAX_FOLDER_FILES = 2000  # files of one data folder copied
MAX_TOTAL = 16 * 1024 * 1024  # bytes of data files copied into one service
# folders a framework finds beside a module without a literal naming them: Flask's
# ``template_folder`` and ``static_folder`` defaults, Django's app directories loader and
# staticfiles finder
CONVENTIONAL_FOLDERS = ("templates", "static")
# a relative path to a file with an extension, as a string literal; no spaces, no URL
_LITERAL = re.compile(r"""["']([A-Za-z0-9_][A-Za-z0-9_./-]{0,200}\.[A-Za-z0-9]{1,8})["']""")
# the same path in parts, ``os.path.join("schemas", "performance-artifact.json")``
_PARTS = re.compile(r"""join\(\s*((?:["'][A-Za-z0-9_.-]+["']\s*,\s*){1,3}["'][A-Za-z0-9_.-]+\.[A-Za-z0-9]{1,8}["'])\s*\)""")
_PART = re.compile(r"""["']([A-Za-z0-9_.-]+)["']""")
# a folder is named where a path is made: a literal with a slash, the literal parts of a
# ``join`` (``os.path.join(BASE_DIR, "templates")``), a literal a path is divided by
# (``BASE_DIR / "static"``), a keyword for a folder (``template_folder="views"``). A bare
# word elsewhere is not taken for a folder: ``"client"`` and ``"container"`` are words first.
_NAME = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,100}"
_SLASHED = re.compile(rf"""["']({_NAME}(?:/{_NAME}){{1,8}})/?["']""")
_JOIN = re.compile(r"""join\(([^()]*)\)""")
_DIVIDED = re.compile(rf"""/\s*["']({_NAME})["']""")
_KEYWORD = re.compile(rf"""\b\w*(?:folder|dir|dirs|path|paths|root)\s*=\s*[\[(]?\s*["']({_NAME})/?["']""", re.IGNORECASE)


def _named_paths(text: str) -> set[str]:
    paths = set(_LITERAL.findall(text))
    paths.update("/".join(_PART.findall(m)) for m in _PARTS.findall(text))
    return paths


def _named_folders(text: str) -> set[str]:
    folders = set(_SLASHED.findall(text)) | set(_DIVIDED.findall(text)) | set(_KEYWORD.findall(text))
    for inside in _JOIN.findall(text):
        parts = _PART.findall(inside)
        if parts and all(re.fullmatch(_NAME, p) for p in parts):
            folders.add("/".join(parts))
    return folders


def _amount(size: int) -> str:
    return f"{size / 1024 / 1024:g} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"


@dataclass(frozen=True, slots=True)
class DataItem:
    """A file or a folder a module needs beside it: copied whole, or not at all (``left``)."""

    rel: str  # its path under a copy tree (relative to the root its module is imported from)
    files: tuple[tuple[str, Path], ...]  # (path under a copy tree, file) of each file in it
    at_root: bool  # found at that root, where the monolith's working folder usually is
    size: int  # bytes
    folder: bool
    left: str = ""  # why it is not copied ("" when it is)


@dataclass(frozen=True, slots=True)
class ServiceData:
    """What one service gets: each copied file's bytes and where it goes, and what was found,
    copied or not."""

    # path under a copy tree -> (bytes, found at the root, the copy trees it goes under)
    files: dict[str, tuple[bytes, bool, frozenset[str]]]
    items: tuple[DataItem, ...]


class DataFiles:
    """The data files of one extraction: what each module names is looked up once, and each
    file read once, however many services copy the module."""

    def __init__(self, prog: Program, trees: Iterable[str]) -> None:
        self.prog = prog
        self.trees = frozenset(trees)
        self.root = Path(prog.doc.root).resolve()
        self._named: dict[str, list[DataItem]] = {}
        self._folders: dict[tuple[Path, Path], DataItem | None] = {}
        self._listed: dict[Path, frozenset[str]] = {}
        self._bytes: dict[Path, bytes] = {}

    def for_service(self, modules: dict[str, str]) -> ServiceData:
        """The files and folders the given modules (-> the copy tree each is in) name, or find
        by convention (see the module docstring), within :data:`MAX_TOTAL`; treeherder opens
        ``schemas/performance-artifact.json`` relative to the working folder, hence ``found at
        the root``. A file goes under every copy tree: the path may be computed from another
        module's location (a vendored settings' ``BASE_DIR``); a folder, which can be large,
        only under the trees of the modules that name it or sit beside it."""
        found: dict[str, tuple[bytes, bool, frozenset[str]]] = {}
        items: dict[str, DataItem] = {}
        total = 0
        for module, tree in sorted(modules.items()):
            for item in self.named(module):
                seen = items.get(item.rel)
                if seen is None:
                    if not item.left and total + item.size > MAX_TOTAL:
                        item = DataItem(item.rel, item.files, item.at_root, item.size, item.folder,
                                        f"the service's data would pass {_amount(MAX_TOTAL)}")
                    seen = items[item.rel] = item
                    total += 0 if item.left else item.size
                if seen.left:
                    continue
                trees = frozenset({tree}) if item.folder else self.trees
                for rel, path in seen.files:
                    if rel not in found:
                        if path not in self._bytes:
                            self._bytes[path] = path.read_bytes()
                        found[rel] = (self._bytes[path], item.at_root, trees)
                    else:  # named again: also where the working folder is, or another tree, if so
                        content, at_root, before = found[rel]
                        found[rel] = (content, at_root or item.at_root, before | trees)
        return ServiceData(found, tuple(items[r] for r in sorted(items)))

    def named(self, module: str) -> list[DataItem]:
        """The files (at most :data:`MAX_FILE` bytes) and folders ``module`` needs beside it;
        a folder over the caps comes with the reason it is left."""
        if module not in self._named:
            self._named[module] = self._look_up(module)
        return self._named[module]

    def _look_up(self, module: str) -> list[DataItem]:
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
        text = prog.sources.text(module)
        out: list[DataItem] = []
        for literal in sorted(_named_paths(text)):
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
                    out.append(DataItem(rel, ((rel, candidate),), folder == source_root, size, False))
                break
        wanted = {(path.parent, name) for name in CONVENTIONAL_FOLDERS}
        for literal in _named_folders(text):
            wanted.update((folder, literal) for folder in folders)
        for folder, literal in sorted(wanted):
            if literal.split("/", 1)[0] not in self._subfolders(folder):
                continue
            candidate = folder / literal
            try:
                if not candidate.is_dir() or candidate.is_symlink() or candidate.resolve() == source_root:
                    continue
            except OSError:
                continue
            item = self._folder(candidate.resolve(), source_root)
            if item is not None:
                out.append(DataItem(item.rel, item.files, folder == source_root, item.size, True, item.left))
        return out

    def _subfolders(self, folder: Path) -> frozenset[str]:
        """The names of the folders in ``folder``: a module's literals are matched against
        them before any is looked up on disk."""
        if folder not in self._listed:
            try:
                self._listed[folder] = frozenset(e.name for e in os.scandir(folder) if e.is_dir(follow_symlinks=False))
            except OSError:
                self._listed[folder] = frozenset()
        return self._listed[folder]

    def _folder(self, folder: Path, source_root: Path) -> DataItem | None:
        """A data folder's files, or ``None`` when it holds code (a Python file) or lies
        outside the import root."""
        key = (folder, source_root)  # its path under a copy tree is relative to the import root
        if key not in self._folders:
            self._folders[key] = self._walk(folder, source_root)
        return self._folders[key]

    @staticmethod
    def _walk(folder: Path, source_root: Path) -> DataItem | None:
        try:
            rel = folder.relative_to(source_root).as_posix()
            check_relative(rel)
        except ValueError:
            return None
        files: list[tuple[str, Path]] = []
        size = 0
        left = ""
        for here, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            for name in sorted(names):
                if name.endswith((".py", ".pyc")):
                    return None  # code: a package or scripts, which the planner copies or not
                if name.startswith(".") or left:
                    continue
                file = Path(here) / name
                try:
                    if file.is_symlink() or not file.is_file():
                        continue
                    inner = f"{rel}/{file.relative_to(folder).as_posix()}"
                    check_relative(inner)
                    size += file.stat().st_size
                except (OSError, ValueError):
                    continue  # a name the scaffold's writer refuses: the rest still comes
                files.append((inner, file))
                if size > MAX_FOLDER:
                    left = f"over {_amount(MAX_FOLDER)}"
                elif len(files) > MAX_FOLDER_FILES:
                    left = f"over {MAX_FOLDER_FILES:,} files"
        if not files and not left:
            return None
        return DataItem(rel, () if left else tuple(files), False, size, True, left)
