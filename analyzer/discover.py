"""Find the modules of a repository and give each its dotted name.

Handles flat and ``src/`` layouts, packages and namespace packages, several roots in one
repository (a folder holding ``pyproject.toml``/``setup.py`` starts a root), and skips
virtualenvs, build output, VCS folders, ``.gitignore``d paths and, by default, tests and
migrations. Symbolic links to folders are not followed (no loops); dangling links and
unreadable folders are recorded, not fatal.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = {
    ".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".venv", "venv", ".env",
    "node_modules", ".eggs", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    "site-packages", ".idea", ".vscode", "htmlcov", ".hypothesis", "__pypackages__",
}
# output and environment folders by name, unless they are packages (InvenTree's ``build`` app)
SKIP_UNLESS_PACKAGE = {"build", "dist", "env"}
TEST_DIRS = {"tests", "test", "testing", "__tests__", "testutils", "e2e"}
MIGRATION_DIRS = {"migrations", "alembic"}
# A folder of test modules under a name no rule knows (DefectDojo's ``unittests/``): this many
# test modules at least, and this many times the folder's other modules (a base test case,
# sample inputs), which are then test support. A flat package with a test beside each module
# (``core.py``, ``test_core.py``) stays code.
TEST_FOLDER_MIN = 5
TEST_FOLDER_SHARE = 4
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
SPHINX_INDEXES = ("index.rst", "index.md", "index.txt", "contents.rst")  # beside conf.py: a Sphinx folder


_SETTINGS_MODULE = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")


def _imports_through_own_package(folder: str, text: str | None) -> bool:
    """Does the folder's ``manage.py`` (its head, ``text``) show that the project imports
    through the folder's own package, so that the folder is no import root of its own? It
    does when it names settings inside that package (``khoj.app.settings`` from
    ``src/khoj/manage.py``), or when it imports that package by name (lemur's Flask
    ``lemur/manage.py``: ``from lemur import database``)."""
    if text is None:
        return False
    name = os.path.basename(folder)
    if os.path.isfile(os.path.join(folder, name, "__init__.py")):
        return False  # Django's own layout, ``mysite/manage.py`` beside ``mysite/mysite/settings.py``
    found = _SETTINGS_MODULE.search(text)
    if found and found.group(1).split(".")[0] == name:
        return True
    return re.search(rf"^[ \t]*(?:from|import)[ \t]+{re.escape(name)}\b", text, re.MULTILINE) is not None


SAMPLED_FILES = 20  # files of a package read to see how it imports itself


def _head(path: str, size: int = 16384) -> str | None:
    """The first ``size`` bytes of a file as text (what the import samples read), or ``None``
    when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read(size).decode("utf-8", "replace")
    except OSError:
        return None


_SPHINX_CONF = re.compile(r"^\s*(?:extensions\s*=|html_theme\s*=|(?:from|import)\s+sphinx)", re.MULTILINE)


def _sphinx_conf(path: str) -> bool:
    """A ``conf.py`` that configures Sphinx though no index page sits beside it (readthedocs'
    ``docs/conf.py`` serves two projects in folders below): it names Sphinx and sets
    ``extensions`` or ``html_theme``, or imports it."""
    head = _head(path, 8192)
    return bool(head and "sphinx" in head.lower() and _SPHINX_CONF.search(head))


def _self_importing_roots(top: str, holds_package: set[str], has_init: dict[str, bool],
                          found: list[tuple[str, str]]) -> set[str]:
    """Folders without ``__init__.py`` whose packages import themselves by their bare name
    (open-webui's ``backend/open_webui/`` says ``from open_webui.config import ...``, never
    ``backend.open_webui``): the folder is where the code runs from, an import root, whatever
    its name. Read from a sample of each package's files."""
    folders = {f for f in holds_package if f != top and not has_init.get(f, False)
               and not has_init.get(os.path.dirname(f), False)}
    sampled: dict[str, list[str]] = {p: [] for p, init in has_init.items() if init and os.path.dirname(p) in folders}
    if not sampled:
        return set()
    for path, _ in found:
        d = os.path.dirname(path)
        while d not in sampled and len(d) > len(top):
            d = os.path.dirname(d)
        if d in sampled and len(sampled[d]) < SAMPLED_FILES:
            sampled[d].append(path)
    counts: dict[str, list[int]] = {}  # folder -> [bare, prefixed]
    for package, paths in sampled.items():
        folder, name = os.path.split(package)
        own = re.compile(rf"^\s*(?:from|import)\s+({re.escape(os.path.basename(folder))}\.)?{re.escape(name)}\b",
                         re.MULTILINE)
        tally = counts.setdefault(folder, [0, 0])
        for path in paths:
            for m in own.finditer(_head(path) or ""):
                tally[1 if m.group(1) else 0] += 1
    return {folder for folder, (bare, prefixed) in counts.items() if bare and not prefixed}


def _packages_importing_themselves(runs_from: set[str], has_init: dict[str, bool],
                                   found: list[tuple[str, str]]) -> set[str]:
    """Folders holding a ``manage.py`` and an ``__init__.py`` whose own files import the
    folder's package by name more often than they import its subpackages bare: the folder
    is that package, not where the code runs from (ArchiveBox's ``archivebox/manage.py`` names
    ``core.settings``, yet its modules say ``from archivebox.core.models import ...``; tabbycat's
    say ``from draw.models import ...``). Read from a sample of each folder's files."""
    counts: dict[str, list[int]] = {f: [0, 0] for f in runs_from if has_init.get(f, False)}
    if not counts:
        return set()
    patterns = {}
    for folder in counts:
        subs = sorted(os.path.basename(d) for d, init in has_init.items() if init and os.path.dirname(d) == folder)
        own = re.escape(os.path.basename(folder))
        bare = "|".join(map(re.escape, subs)) or r"(?!)"
        patterns[folder] = re.compile(rf"^[ \t]*(?:from|import)[ \t]+(?:({own})|{bare})\b", re.MULTILINE)
    sampled: dict[str, int] = dict.fromkeys(counts, 0)
    for path, _ in sorted(found, key=lambda x: x[1]):
        folder = next((f for f in counts if path.startswith(f + os.sep)), None)
        if folder is None or sampled[folder] >= SAMPLED_FILES or os.path.basename(path) == "manage.py":
            continue
        sampled[folder] += 1
        for m in patterns[folder].finditer(_head(path) or ""):
            counts[folder][0 if m.group(1) else 1] += 1
    return {folder for folder, (own, bare) in counts.items() if own > bare}


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # absolute
    relpath: str  # POSIX, relative to the analyzed root
    module: str
    is_package: bool


@dataclass
class Discovery:
    files: list[SourceFile]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (relpath, reason)


def is_test_path(parts: tuple[str, ...]) -> bool:
    """A test by its path alone: in a test folder, or named like a test (discovery reads the
    content of a file only its name calls a test, :func:`_is_test`)."""
    return _in_test_folder(parts) or _is_test_file(parts[-1])


def settings_name(parts: Iterable[str]) -> bool:
    """Do these names of a module's path say it holds settings (``settings/base.py``,
    ``settings_prod.py``, ``test_settings.py``)? Named like a test too, it configures the tests."""
    return any(p == "settings" or p.startswith("settings_") or p.endswith("_settings") for p in parts)


def _in_test_folder(parts: tuple[str, ...]) -> bool:
    return any(test_folder_name(p) for p in parts[:-1])


def test_folder_name(name: str) -> bool:
    # test folders by their names: rtd_tests, shuup_tests, functional_tests, test_utils
    return name in TEST_DIRS or name.endswith("_tests") or name.startswith(("tests_", "test_"))


# Modules that make a package part of an application (a Django app's, a web app's)
APPLICATION_MODULES = frozenset({"models.py", "views.py", "admin.py", "apps.py", "urls.py", "serializers.py",
                                 "forms.py", "signals.py", "tasks.py", "services.py", "queries.py"})


def _application_package(folder: str, names: set[str]) -> bool:
    """Is a folder named like tests a package of the application (DefectDojo's ``dojo/test/``,
    the views, models and services of its security tests)? It is one when it holds the modules
    of an application and no test: no ``conftest.py``, no module naming a test framework, no
    module named like a test holding one, and no settings or ``manage.py`` of a project run for
    the tests (wagtail's ``wagtail/test/``). (Other modules of such a package define ``Test``
    classes, import ``dojo.test.models`` and name signal handlers ``test_post_delete``.)"""
    if "__init__.py" not in names or "conftest.py" in names or names.isdisjoint(APPLICATION_MODULES):
        return False
    if "manage.py" in names or any(n.endswith(".py") and settings_name((n[:-3],)) for n in names):
        return False
    for name in sorted(n for n in names if n.endswith(".py")):
        text = _read_capped(os.path.join(folder, name))
        if text is None or _TEST_FRAMEWORKS.search(text) is not None \
                or (_is_test_file(name) and _TEST_MARKS.search(text) is not None):
            return False
    return True


def _is_test_file(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" or name == "tests.py"


# What a test module holds: a test function or class as pytest collects them, a test or
# browser-driving framework by name, or an import of another test module (pgadmin's GUI test
# helpers: ``from regression.python_test_utils import test_utils``, selenium). A file named
# like a test that holds code but none of these is code (treeherder's
# ``webapp/api/investigated_test.py`` view set and ``push_health/tests.py``, which its views
# import; Django commands such as ``management/commands/test_parse_log.py``).
_TEST_FRAMEWORKS = re.compile(rb"\b(?:unittest|pytest|TestCase|selenium|playwright)\b|\bdjango\.test\b")
_TEST_MARKS = re.compile(rb"^[ \t]*(?:async[ \t]+)?def[ \t]+test|^[ \t]*class[ \t]+Test"
                         rb"|^[ \t]*(?:from|import)[ \t][^\n]*\b(?:tests?|test_\w+|\w+_tests?|conftest)\b",
                         re.MULTILINE)
_CODE_LINE = re.compile(rb"^[ \t]*[A-Za-z_@]", re.MULTILINE)  # not only comments and blank lines
MAX_TEST_READ = 1 << 20  # a bigger file named like a test is taken for one unread


def _is_test(parts: tuple[str, ...], path: str) -> bool:
    """A file outside the test folders that is a test (or test support, or the tests'
    settings) by its name and its content."""
    name = parts[-1]
    if not _is_test_file(name):
        return False
    return name == "conftest.py" or settings_name((*parts[:-1], name[:-3])) or _named_test_holds_tests(path)


def _named_test_holds_tests(path: str) -> bool:
    """Is a file named like a test (outside test folders) a test, by its content? An empty
    one, a comment (Django's ``# Create your tests here.``) or one that cannot be read is."""
    text = _read_capped(path)
    return text is None or _TEST_FRAMEWORKS.search(text) is not None or _TEST_MARKS.search(text) is not None \
        or _CODE_LINE.search(text) is None


def _read_capped(path: str) -> bytes | None:
    """A file's bytes, or ``None`` when it cannot be read or is bigger than
    :data:`MAX_TEST_READ` (taken for a test, unread)."""
    try:
        with open(path, "rb") as f:
            text = f.read(MAX_TEST_READ + 1)
    except OSError:
        return None
    return text if len(text) <= MAX_TEST_READ else None


def holds_tests(names: set[str]) -> bool:
    """Is a folder with these file names a folder of tests, whatever its name?"""
    modules = [n for n in names if n.endswith(".py") and n != "__init__.py"]
    tests = sum(1 for n in modules if _is_test_file(n))
    return tests >= TEST_FOLDER_MIN and tests >= TEST_FOLDER_SHARE * (len(modules) - tests)


ALEMBIC_MARKERS = frozenset({"versions", "env.py", "alembic.ini", "script.py.mako"})
_NUMBERED_SCRIPT = re.compile(r"^(?:\d+|[0-9a-f]{12})[_.-]")  # 0001_initial.py, 2024-01-02_x.py, ae1027a6acf_x.py


def looks_like_migrations(names: set[str] | frozenset[str]) -> bool:
    """Does a folder named ``migrations`` (or ``alembic``), with these file names, hold
    database migrations: numbered scripts (Django's ``0001_initial.py``, Alembic's
    revisions) or Alembic's ``env.py`` / ``versions/``? Otherwise it is code the application
    imports: CTFd's ``utils/migrations/__init__.py`` creates and stamps the database, and
    mealie's ``services/migrations/`` imports recipes from other apps (Paprika, Nextcloud...);
    left out, their importers' copies imported modules that were not there."""
    return bool(names & ALEMBIC_MARKERS) or any(n.endswith(".py") and _NUMBERED_SCRIPT.match(n) for n in names)


def _gitignore(root: Path):
    """A matcher for the root's ``.gitignore`` (gitignore semantics via pathspec)."""
    gi = root / ".gitignore"
    if not gi.is_file():
        return None
    try:
        import pathspec

        lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # a malformed .gitignore must not stop the analysis
        return None


def discover(
    root: Path,
    *,
    include_tests: bool = False,
    include_migrations: bool = False,
    exclude: tuple[str, ...] = (),
) -> Discovery:
    root = Path(root).resolve()
    spec = _gitignore(root)
    found: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    # folders are plain strings here: a Path per folder costs more than the scan of a folder
    # of translations (Django has 2,400 folders, most of them locale/*/LC_MESSAGES)
    has_init: dict[str, bool] = {}
    dir_has_py: dict[str, bool] = {}
    dir_is_project: dict[str, bool] = {}
    runs_from: set[str] = set()  # folders holding a Django manage.py: an import root (below)
    manage_heads: dict[str, str | None] = {}  # folder -> the head of its manage.py, read once
    test_folders: set[str] = set()  # folders of tests by their content (holds_tests), and below
    in_migrations: dict[str, bool] = {}  # folder -> inside a folder of migrations (looks_like_migrations)

    top = str(root)
    prefix = top.rstrip(os.sep) + os.sep  # entries' relative paths by slicing: pathlib is slow
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append((_rel(Path(folder), root), f"cannot read folder: {exc.strerror or exc}"))
            continue
        names = {e.name for e in entries}
        if folder != top and ("{{" in folder or "{%" in folder):
            # a project template (cookiecutter, copier): its files are made for other projects
            skipped.append((_rel(Path(folder), root) + "/", "template: a folder named with {{ }} placeholders"))
            continue
        if not include_migrations and folder != top and "env.py" in names and "versions" in names:
            continue  # an Alembic folder, whatever its name (ckan's ``migration/``): migrations
        sphinx = None
        if folder != top and "conf.py" in names:
            if not names.isdisjoint(SPHINX_INDEXES):
                sphinx = "conf.py beside an index page"
            elif _sphinx_conf(os.path.join(folder, "conf.py")):
                sphinx = "a conf.py configuring Sphinx"
        if sphinx:
            # documentation: its Python (conf.py, extensions, themes) configures Sphinx and is no
            # part of the application, yet would come out as a service of its own
            skipped.append((_rel(Path(folder), root) + "/", f"documentation: a Sphinx folder ({sphinx})"))
            continue
        has_init[folder] = "__init__.py" in names
        # a folder of migrations makes every file below it one
        in_migrations[folder] = folder != top and (
            in_migrations.get(os.path.dirname(folder), False)
            or (os.path.basename(folder) in MIGRATION_DIRS and looks_like_migrations(names)))
        dir_is_project[folder] = any(n in names for n in PROJECT_FILES)
        if "manage.py" in names:
            manage_heads[folder] = _head(os.path.join(folder, "manage.py"), 8192)
            if not _imports_through_own_package(folder, manage_heads[folder]):
                runs_from.add(folder)
        dir_has_py[folder] = False
        if folder != top and "pyvenv.cfg" in names:
            continue  # a virtualenv
        if not include_tests and folder != top and (
                os.path.dirname(folder) in test_folders or holds_tests(names)
                or (test_folder_name(os.path.basename(folder)) and not _application_package(folder, names))):
            test_folders.add(folder)
        for entry in entries:
            rel = _printable(entry.path[len(prefix):].replace(os.sep, "/")) if entry.path.startswith(prefix) \
                else _rel(Path(entry.path), root)
            try:
                is_link = entry.is_symlink()
                if entry.is_dir(follow_symlinks=False):
                    if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info") or entry.name.startswith("."):
                        continue
                    if entry.name in SKIP_UNLESS_PACKAGE and not os.path.isfile(os.path.join(entry.path, "__init__.py")):
                        continue
                    if spec is not None and spec.match_file(rel + "/"):
                        continue
                    if any(fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(rel + "/", pat) for pat in exclude):
                        continue
                    stack.append(entry.path)
                    continue
                if not entry.name.endswith(".py"):
                    continue
                if is_link:
                    target = Path(entry.path)
                    try:
                        real = target.resolve(strict=True)
                    except RuntimeError:
                        skipped.append((rel, "symbolic link loop"))
                        continue
                    except OSError as exc:
                        reason = "symbolic link loop" if exc.errno == 40 else "dangling symbolic link"
                        skipped.append((rel, reason))
                        continue
                    if real.is_dir():
                        continue
                    if not real.is_relative_to(root):
                        skipped.append((rel, "symbolic link to a file outside the repository"))
                        continue
                if not entry.is_file():
                    skipped.append((rel, "not a regular file (a pipe, socket or device)"))
                    continue
            except OSError as exc:
                skipped.append((rel, f"cannot stat: {exc.strerror or exc}"))
                continue
            parts = tuple(rel.split("/"))
            if spec is not None and spec.match_file(rel):
                continue
            if any(fnmatch.fnmatch(rel, pat) for pat in exclude):
                continue
            if not include_tests and (folder in test_folders or _is_test(parts, entry.path)):
                continue
            if not include_migrations and in_migrations[folder]:
                continue
            dir_has_py[folder] = True
            found.append((entry.path, rel))

    files: list[SourceFile] = []
    holds_package = {os.path.dirname(f) for f, init in has_init.items() if init}
    # a manage.py at the top of a package tree (not one inside a package: dispatch's
    # ``database/manage.py``, Wagtail's test project) is where the project runs from
    runs_from = {f for f in runs_from if not has_init.get(os.path.dirname(f), False)}
    runs_from -= _packages_importing_themselves(runs_from, has_init, found)
    runs_from |= _self_importing_roots(top, holds_package, has_init, found)
    portions = _settings_portions(runs_from, has_init, manage_heads)
    named: list[tuple[str, str, str, bool]] = []
    owner: dict[str, tuple[tuple[int, int], str]] = {}  # module name -> (rank, the file that keeps it)
    for path, rel in sorted(found, key=lambda x: x[1]):
        module, is_package = _module_name(path, top, has_init, dir_has_py, dir_is_project, holds_package,
                                          runs_from, portions)
        if not module:
            skipped.append((rel, "not importable as a module name"))
            continue
        named.append((path, rel, module, is_package))
        rank = _import_rank(rel, is_package)
        if module not in owner or rank < owner[module][0]:
            owner[module] = (rank, rel)
    for path, rel, module, is_package in named:
        kept = owner[module][1]
        if kept != rel:
            if kept.endswith("/__init__.py") and rel == kept[:-len("/__init__.py")] + ".py":
                reason = f"the package {kept.rsplit('/', 1)[0]}/ beside it takes its name in imports"
            else:
                reason = f"module name {module!r} is already taken by {kept}"
            skipped.append((rel, reason))
            continue
        files.append(SourceFile(Path(path), rel, module, is_package))
    return Discovery(files=files, skipped=sorted(skipped))


def _import_rank(rel: str, is_package: bool) -> tuple[int, int]:
    """Which of two files named alike keeps the name: the shallower folder, then a package
    over a plain module, as Python's path finder prefers ``cps/__init__.py`` to the
    ``cps.py`` beside it (calibre-web's launcher script); the first in path order otherwise."""
    depth = rel.count("/") - (1 if is_package else 0)
    return depth, 0 if is_package else 1


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return _printable(rel)


def _printable(name: str) -> str:
    """A file name that is not valid UTF-8 (``caf\\xe9.py``) in a form JSON and terminals take."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _settings_portions(runs_from: set[str], has_init: dict[str, bool],
                       manage_heads: dict[str, str | None]) -> set[str]:
    """Folders without ``__init__.py`` beside a ``manage.py`` whose settings module they hold
    (opencve's ``web/manage.py`` names ``opencve.conf.settings``, and ``web/opencve/`` has no
    ``__init__.py``): a namespace package of that import root, whatever modules sit in it,
    not a root of its own (its modules are ``opencve.api.v2...``, as its own imports say)."""
    out: set[str] = set()
    for folder in sorted(runs_from):
        text = manage_heads.get(folder)  # roots found by their imports have no manage.py
        found = _SETTINGS_MODULE.search(text) if text else None
        if found is None or "." not in found.group(1):
            continue
        portion = os.path.join(folder, found.group(1).split(".")[0])
        if os.path.isdir(portion) and not has_init.get(portion, False):
            out.add(portion)
    return out


def _module_name(path: str, root: str, has_init, dir_has_py, dir_is_project,
                 holds_package: set[str], runs_from: set[str] = frozenset(),
                 portions: set[str] = frozenset()) -> tuple[str, bool]:
    """Climb from the file through packages (and namespace packages) to its import root
    (plain string paths: see :func:`discover`). A folder holding Django's ``manage.py`` is an
    import root even with an ``__init__.py``: ``manage.py`` runs with its own folder on the
    path, so tabbycat's ``tabbycat/draw/views.py`` imports as ``draw.views``."""
    base, parent = os.path.basename, os.path.dirname
    name = base(path)
    is_package = name == "__init__.py"
    parts: list[str] = [] if is_package else [name.removesuffix(".py")]
    folder = parent(path)
    # A folder without __init__.py inside a regular package is still part of it (an implicit
    # namespace portion: ``pkg/sub/mod.py`` imports as ``pkg.sub.mod`` when ``pkg`` is a package).
    while folder != root and folder not in runs_from and (has_init.get(folder, False) or (
            parent(folder) != folder and has_init.get(parent(folder), False) and base(folder).isidentifier())):
        parts.append(base(folder))
        folder = parent(folder)
    # namespace packages: folders without __init__.py that hold no modules of their own, or
    # only modules and no package (``e2e/pages/base.py`` imports as ``e2e.pages.base`` from the
    # root: a bare ``base`` could even hide a library, as ``deploy/settings/celery.py`` would
    # hide celery), and any folder right inside ``src/`` (``src/poetry/factory.py`` imports as
    # ``poetry.factory``: a PEP 420 package may hold modules of its own). A folder holding
    # modules beside a package is where they are run from (``backend/manage.py`` beside
    # ``backend/shop/``): an import root. A package reached this way goes on climbing.
    while (
        folder != root
        and base(folder).isidentifier()
        and base(folder) not in ("src", "lib", "python")
        and not dir_is_project.get(folder, False)
        and folder not in runs_from
        and (not dir_has_py.get(folder, False) or base(parent(folder)) == "src" or folder not in holds_package
             or folder in portions)
        and parts
    ):
        parts.append(base(folder))
        folder = parent(folder)
        while folder != root and folder not in runs_from and has_init.get(folder, False):
            parts.append(base(folder))
            folder = parent(folder)
    if folder == root and has_init.get(root, False) and base(root).isidentifier() \
            and not dir_is_project.get(root, False) and root not in runs_from:
        # the analyzed folder is itself a package; not a checkout with a stray __init__.py
        # beside its setup.py / pyproject.toml (Mayan EDMS)
        parts.append(base(root))
    parts.reverse()
    if not parts or not all(p.isidentifier() for p in parts[:-1]) or not (
            parts[-1].isidentifier()
            or (not is_package and has_init.get(parent(path), False) and _command_name(parts[-1]))):
        return "", is_package
    return ".".join(parts), is_package


def _command_name(stem: str) -> bool:
    """A file name no ``import`` statement can name, in a package: code the application
    loads by its file name, as Django loads a management command (``add-signing-service.py``;
    pulpcore has thirteen, wger six). Such a module imports the project and is analyzed
    under its own name, hyphens kept; nothing imports it back. A hyphenated script outside
    any package (``contrib/internal/build-media.py``, ``tools/migrate-db.py``) is a
    developer's tool and stays out. A name with a dot in it (``gunicorn.config.py``) would
    read as a package and is not one."""
    return "-" in stem and stem.replace("-", "_").isidentifier()
