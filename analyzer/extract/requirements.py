"""What the monolith needs installed, read from where projects declare it.

The moved code imports the monolith's third-party packages, so each service's
``pyproject.toml`` lists them. Projects declare them in many places; the first of these
that names any wins, in this order:

1. ``pyproject.toml``'s ``[project].dependencies``, or the files its
   ``[tool.setuptools.dynamic].dependencies`` names (fiduswriter);
2. ``requirements.txt`` at the root, else the runtime file of a ``requirements/`` folder
   (``production.txt``, ``base.txt``, ``common.txt``...: treeherder's
   ``requirements/common.txt``); an application deploys from these, and its ``setup.cfg``
   may name only build tools (ckan's ``setuptools``);
3. ``pyproject.toml``'s ``[tool.poetry.dependencies]``, ``Pipfile``'s ``[packages]``;
4. ``setup.cfg``'s ``[options] install_requires``, then ``setup.py``'s literal
   ``install_requires=[...]`` (read, never run);
5. the ``requirements.txt`` nearest the root in a folder that is not for development, tests
   or documentation (kpi's ``dependencies/pip/requirements.txt``).

Requirement files are followed through ``-r FILE`` includes; hashes and other options after
a requirement (``pip-compile --generate-hashes``) are dropped.

The oldest Python the monolith runs on is read likewise (:func:`monolith_python`): the moved
code may use syntax of a newer Python than the services' own floor (fiduswriter's
``f"{conn["external"]}"`` needs 3.12, and it declares 3.13).
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import re
import tomllib
from pathlib import Path

from analyzer.discover import test_folder_name

# the runtime file of a ``requirements/`` folder, most specific first
REQUIREMENTS_FOLDER_FILES = ("production.txt", "prod.txt", "base.txt", "common.txt", "main.txt", "requirements.txt")
# folders whose requirement files are not the application's
_NOT_RUNTIME = frozenset({"tests", "test", "docs", "doc", "dev", "develop", "ci", "node_modules", "examples"})
MAX_DEPTH = 3  # how deep a requirements.txt is looked for


def monolith_requirements(root: Path) -> tuple[str, ...]:
    """The monolith's own runtime requirements, sorted (empty when it declares none)."""
    for source in (_pyproject, _requirement_files, _poetry_dependencies, _pipfile, _setup_cfg, _setup_py,
                   _nearest_requirement_file):
        found = {r for r in source(root) if valid_requirement(r)}
        if found:
            return tuple(sorted(found))
    return ()


# where projects declare what development, tests and optional features need
DEV_REQUIREMENT_FILES = ("requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt",
                         "requirements-test.txt", "test-requirements.txt", "requirements/dev.txt",
                         "requirements/development.txt", "requirements/local.txt", "requirements/test.txt",
                         "requirements/tests.txt", "requirements/testing.txt")


def monolith_other_requirements(root: Path) -> tuple[str, ...]:
    """The requirements the monolith declares beside its runtime ones, sorted: its
    development and test groups and its optional extras (``[dependency-groups]``,
    ``[project.optional-dependencies]``, Poetry's groups, Pipfile's ``[dev-packages]``, the
    usual development requirement files). Code that is moved may import one of them at its top
    level (wger's and babybuddy's fake-data management commands import ``faker``, a
    development dependency), and the service then needs it installed to import that code."""
    data = _toml(root / "pyproject.toml")
    found: set[str] = set()
    groups = list((data.get("dependency-groups") or {}).values()) + list(
        ((data.get("project") or {}).get("optional-dependencies") or {}).values())
    for group in groups:
        if isinstance(group, list):
            found.update(r for r in group if isinstance(r, str))
    poetry = (data.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dev-dependencies")] + [g.get("dependencies") for g in (poetry.get("group") or {}).values()
                                                  if isinstance(g, dict)]
    for table in tables:
        if isinstance(table, dict):
            found.update(_poetry(name, spec) for name, spec in table.items() if name.lower() != "python")
    dev = _toml(root / "Pipfile").get("dev-packages")
    if isinstance(dev, dict):
        found.update(_pipenv(name, spec) for name, spec in dev.items())
    for name in DEV_REQUIREMENT_FILES:
        read_requirements(root / name, found, set())
    return tuple(sorted(r for r in found if valid_requirement(r)))


def _pyproject(root: Path) -> set[str]:
    data = _toml(root / "pyproject.toml")
    deps = (data.get("project") or {}).get("dependencies")
    if isinstance(deps, list) and deps:
        return {str(d) for d in deps}
    dynamic = ((data.get("tool") or {}).get("setuptools") or {}).get("dynamic") or {}
    files = (dynamic.get("dependencies") or {}).get("file") if isinstance(dynamic.get("dependencies"), dict) else None
    found: set[str] = set()
    for name in [files] if isinstance(files, str) else files if isinstance(files, list) else []:
        read_requirements(root / str(name), found, set())
    return found


def _poetry_dependencies(root: Path) -> set[str]:
    poetry = ((_toml(root / "pyproject.toml").get("tool") or {}).get("poetry") or {}).get("dependencies")
    return {_poetry(name, spec) for name, spec in poetry.items() if name.lower() != "python"} \
        if isinstance(poetry, dict) else set()


def _poetry(name: str, spec: object) -> str:
    """A Poetry dependency as a requirement, with Poetry's own bounds: ``^1.27`` is
    ``>=1.27,<2`` (up to the next change of the first non-zero part: ``^0.20.0`` is
    ``<0.21.0``), ``~1.2.3`` is ``>=1.2.3,<1.3.0``. Open-ended, pip took openai 3 for mealie's
    ``^1.27.0``, whose ``ChatCompletion`` import the moved code failed on."""
    version = spec.get("version") if isinstance(spec, dict) else spec
    version = str(version).strip() if version is not None else "*"
    if version in ("", "*"):
        return name
    if version[0] in "^~" and version[1:2] != "=":
        low = version[1:].strip()
        high = _caret_ceiling(low) if version[0] == "^" else _tilde_ceiling(low)
        return f"{name}>={low},<{high}" if high else f"{name}>={low}"
    if version[0].isdigit():
        return f"{name}=={version}"
    return f"{name}{version}"


def _release(version: str) -> list[int] | None:
    parts = version.split(".")
    return [int(p) for p in parts] if all(p.isdigit() for p in parts) and parts else None


def _caret_ceiling(version: str) -> str | None:
    parts = _release(version)
    if parts is None:
        return None
    # the first non-zero part goes up (or the last given part, when all are zero: ^0.0 is <0.1)
    at = next((i for i, p in enumerate(parts) if p), len(parts) - 1)
    return ".".join(map(str, [*parts[:at], parts[at] + 1]))


def _tilde_ceiling(version: str) -> str | None:
    parts = _release(version)
    if parts is None:
        return None
    at = 0 if len(parts) == 1 else 1  # ~1 is <2, ~1.2 and ~1.2.3 are <1.3
    return ".".join(map(str, [*parts[:at], parts[at] + 1]))


def _setup_cfg(root: Path) -> set[str]:
    text = _setup_cfg_option(root, "install_requires") or ""
    return {line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")}


def _setup_cfg_option(root: Path, option: str) -> str | None:
    """An option of ``setup.cfg``'s ``[options]``, or ``None``."""
    path = root / "setup.cfg"
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
        return parser.get("options", option, fallback=None)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None


def _setup_py(root: Path) -> set[str]:
    """The strings of a literal ``install_requires=[...]`` in a ``setup(...)`` call, or of the
    list a module-level name binds (shuup's ``install_requires=REQUIRES``), lists added up."""
    tree = _setup_py_tree(root)
    if tree is None:
        return set()
    bound = {node.targets[0].id: node.value for node in tree.body
             if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)}
    return set(_strings_of(_keyword_value(tree, "install_requires"), bound, 0))


def _strings_of(value: ast.expr | None, bound: dict[str, ast.expr], depth: int) -> list[str]:
    """The string items of a list or tuple, through names bound to one and ``+``."""
    if depth > 8 or value is None:
        return []
    if isinstance(value, ast.Name):
        return _strings_of(bound.get(value.id), bound, depth + 1)
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _strings_of(value.left, bound, depth + 1) + _strings_of(value.right, bound, depth + 1)
    if isinstance(value, (ast.List, ast.Tuple)):
        return [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


_VERSION_CLAUSE = r"(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9*+!._-]+"
_REQUIREMENT = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[A-Za-z0-9._,\s-]*\])?\s*"
    rf"(?:\(?\s*{_VERSION_CLAUSE}(?:\s*,\s*{_VERSION_CLAUSE})*\s*\)?|@\s*\S+)?\s*(?:;.*)?$")


def valid_requirement(text: str) -> bool:
    """Is ``text`` a requirement pip reads (PEP 508's shape: a name, extras, comma-separated
    version clauses or a URL, a marker)? One that is not makes pip install nothing: shuup's
    ``"toml>=0.10.0,<1" "pytz>=2015.4"``, two strings Python joined into one."""
    return _REQUIREMENT.match(text.strip()) is not None


def _setup_py_tree(root: Path) -> ast.Module | None:
    """``setup.py`` parsed, never run; ``None`` when there is none or it does not parse."""
    path = root / "setup.py"
    try:
        return ast.parse(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def _keyword_value(tree: ast.Module | None, keyword: str) -> ast.expr | None:
    """The expression a call in ``tree`` passes as ``keyword=`` (``setup(install_requires=...)``)."""
    if tree is None:
        return None
    return next((node.value for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg == keyword),
                None)


def _pipfile(root: Path) -> set[str]:
    packages = _toml(root / "Pipfile").get("packages")
    return {_pipenv(name, spec) for name, spec in packages.items()} if isinstance(packages, dict) else set()


def _pipenv(name: str, spec: object) -> str:
    version = spec.get("version") if isinstance(spec, dict) else spec
    version = str(version).strip() if version is not None else "*"
    return name if version in ("", "*") else f"{name}{version}"


def _requirement_files(root: Path) -> set[str]:
    found: set[str] = set()
    read_requirements(root / "requirements.txt", found, set())
    folder = root / "requirements"
    for name in REQUIREMENTS_FOLDER_FILES if not found and folder.is_dir() else ():
        read_requirements(folder / name, found, set())
        if found:
            break
    return found


def _nearest_requirement_file(root: Path) -> set[str]:
    found: set[str] = set()
    nearest = _nearest_requirements(root)
    if nearest is not None:
        read_requirements(nearest, found, set())
    return found


def _nearest_requirements(root: Path) -> Path | None:
    """The ``requirements.txt`` nearest the root (fewest folders down, then by name), outside
    folders of development, tests and documentation and outside hidden ones."""
    level = [str(root)]
    for _depth in range(MAX_DEPTH):
        below: list[str] = []
        for folder in sorted(level):
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".") \
                        and entry.name.lower() not in _NOT_RUNTIME and not test_folder_name(entry.name):
                    below.append(entry.path)
        for folder in sorted(below):
            candidate = Path(folder) / "requirements.txt"
            if candidate.is_file():
                return candidate
        level = below
    return None


def read_requirements(path: Path, found: set[str], seen: set[Path]) -> None:
    """The requirement lines of one file into ``found``, following ``-r FILE`` /
    ``--requirement FILE`` (relative to the file naming it; Plane's ``requirements.txt`` is only
    ``-r requirements/production.txt``); other options, editable installs and bare URLs are
    skipped."""
    try:
        path = path.resolve()
        if path in seen or not path.is_file():
            return
        seen.add(path)
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return
    for line in _joined(lines):
        text = "" if line.lstrip().startswith("#") else line.split(" #", 1)[0].split(" --", 1)[0].strip()
        flag = next((f for f in ("--requirement", "-r") if text.startswith(f)), None)
        if flag is not None:
            target = text[len(flag):].lstrip(" =\t")
            if target:
                read_requirements(path.parent / target, found, seen)
        elif text and not text.startswith("-") and ("://" not in text or " @ " in text):
            found.add(text)  # a bare URL (git+https://…#egg=x) is no PEP 508 requirement


def _joined(lines: list[str]) -> list[str]:
    """Lines continued with a backslash joined (``pkg==1.0 \\`` then ``--hash=...``)."""
    out: list[str] = []
    carried = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            carried += line.rstrip()[:-1] + " "
        else:
            out.append(carried + line)
            carried = ""
    if carried:
        out.append(carried)
    return out


LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
_REQUIREMENT_HEAD = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?$")


def normalized(name: str) -> str:
    """A distribution's name as package indexes compare them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def monolith_locks(root: Path) -> tuple[str, dict[str, str]]:
    """The monolith's lock file at the root and the version it pins of each distribution
    (normalized name -> release), or ``("", {})``. A name locked at several versions (per
    platform or Python) is left out: no one version is the monolith's."""
    for name in LOCK_FILES:
        path = root / name
        if not path.is_file():
            continue
        versions: dict[str, set[str]] = {}
        if name == "Pipfile.lock":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError):
                continue
            for dist, info in (data.get("default") or {}).items() if isinstance(data, dict) else ():
                version = info.get("version", "") if isinstance(info, dict) else ""
                if isinstance(version, str) and version.startswith("=="):
                    versions.setdefault(normalized(dist), set()).add(version[2:])
        else:
            for package in _toml(path).get("package") or ():
                if isinstance(package, dict) and isinstance(package.get("name"), str) \
                        and isinstance(package.get("version"), str):
                    versions.setdefault(normalized(package["name"]), set()).add(package["version"])
        # one release per name, of two parts or more (``~=`` takes no fewer)
        single = {dist: next(iter(vs)) for dist, vs in versions.items() if len(vs) == 1}
        locked = {dist: v for dist, v in single.items() if len(_release(v) or ()) > 1}
        if locked:
            return name, locked
    return "", {}


def at_locked_version(spec: str, locked: dict[str, str]) -> str | None:
    """``openai>=1.27.0,<2`` with ``openai`` locked at 1.52.2 -> ``openai~=1.52.2``: the
    release the monolith runs and tests with, and its patch releases (mealie's code imports
    ``openai.resources.chat.completions.ChatCompletion``, which later 1.x releases dropped).
    Extras and markers stay. ``None`` when the lock does not hold the package, or the spec
    pins one version itself."""
    m = _REQUIREMENT_HEAD.match(spec)
    if m is None or "==" in (m.group(3) or "") or "@" in spec:
        return None
    version = locked.get(normalized(m.group(1)))
    if version is None:
        return None
    marker = f" {m.group(4).strip()}" if m.group(4) else ""
    return f"{m.group(1)}{m.group(2) or ''}~={version}{marker}"


def held_below(requirements: tuple[str, ...], locked: dict[str, str], name: str, major: int) -> bool:
    """Whether the monolith runs ``name`` at a release below ``major``: its lock file says so,
    or a declared requirement of it caps it there (``pydantic==1.6.2``, ``pydantic<2``,
    ``pydantic>=1.8,<2.0``, ``pydantic~=1.10``; Poetry's ``^1.10`` is read as ``<2``)."""
    version = _release(locked.get(normalized(name), "").split("+")[0])
    if version:
        return version[0] < major
    for spec in requirements:
        m = _REQUIREMENT_HEAD.match(spec)
        if m is None or normalized(m.group(1)) != normalized(name):
            continue
        for clause in (m.group(3) or "").split(","):
            op, _, version_text = re.match(r"\s*([<>=!~]*)\s*(([\d.]+).*)?", clause).groups()
            release = _release((version_text or "").rstrip("."))
            if not release:
                continue
            if op in ("==", "~=", "===") and release[0] < major \
                    or op == "<" and release <= [major] + [0] * (len(release) - 1) \
                    or op == "<=" and release[0] < major:
                return True
    return False


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


_LOWER_BOUND = re.compile(r"(?:>=|~=|\^|~|==)\s*(3)\.(\d+)")
_PLAIN_VERSION = re.compile(r"^(?:python-?)?(3)\.(\d+)")


def monolith_python(root: Path) -> tuple[int, int] | None:
    """The oldest Python 3 the monolith declares it runs on (``requires-python``, Poetry's
    ``python``, ``python_requires`` in ``setup.cfg`` or ``setup.py``, ``.python-version``,
    ``runtime.txt``), as ``(3, minor)``; ``None`` when it declares none."""
    data = _toml(root / "pyproject.toml")
    specs = [(data.get("project") or {}).get("requires-python"),
             (((data.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}).get("python")]
    specs.append(_setup_cfg_option(root, "python_requires"))
    value = _keyword_value(_setup_py_tree(root), "python_requires")
    specs.append(value.value if isinstance(value, ast.Constant) else None)
    for spec in specs:
        if isinstance(spec, str) and (found := _LOWER_BOUND.search(spec)):
            return int(found.group(1)), int(found.group(2))
    for name in (".python-version", "runtime.txt"):
        path = root / name
        try:
            lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        except (OSError, UnicodeDecodeError):
            lines = []
        for line in lines:
            found = _PLAIN_VERSION.match(line.strip())
            if found:
                return int(found.group(1)), int(found.group(2))
    return None

