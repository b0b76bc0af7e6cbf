"""The values the monolith gives the environment variables its code reads, found where projects
write them down outside that code; read as text, never run.

The moved code reads the variables the monolith's deployment set (Dispatch's config reads
``DISPATCH_ENCRYPTION_KEY`` on import and stops without it). The service's README names
them (:func:`analyzer.extract.emit._environment`); this module finds values for them, so
that the services start and test as the monolith did:

- **test values**, for the service's own tests (``tests/__init__.py`` sets them before the
  moved code is imported), from the monolith's test setup, first found wins:
  ``conftest.py`` (``os.environ["N"] = "v"``, ``environ[...]`` imported from ``os`` or
  ``starlette.config``, ``setdefault``, ``update``, a ``MonkeyPatch``'s ``setenv``, at the top
  level or in a pytest start-up hook), then pytest-env's ``env`` option (``pytest.ini``, ``setup.cfg``, ``tox.ini``,
  ``pyproject.toml``), then tox's ``setenv``;
- **example values**, for the deployment (the compose file's defaults, the Kubernetes
  secret's file), from the files a project ships as the template of its own ``.env``:
  ``.env.example``, ``.env.sample``, ``env.template``... A real ``.env`` is never read: it
  holds the deployment's secrets, and generated files must not carry them.
"""

from __future__ import annotations

import configparser
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from analyzer.extract.inventory import dotted

MAX_DEPTH = 4  # how deep below the root the files are looked for
MAX_FILE_BYTES = 256 * 1024
_SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "node_modules", "__pycache__",
                              "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist"})
# ``.env.example``, ``.env.sample``, ``env.template``, ``example.env``, ``production.env.example``
_EXAMPLE_FILE = re.compile(r"^(?:[\w.-]*\.)?env[._-](?:example|sample|template|dist|defaults?)$"
                           r"|^(?:example|sample|template)\.env$", re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# the pytest hooks that run before the tests are collected: what they set, the moved code reads on import
_START_HOOKS = frozenset({"pytest_configure", "pytest_sessionstart", "pytest_load_initial_conftests"})
_ENVIRON_MODULES = frozenset({"os", "starlette.config"})


@dataclass(frozen=True, slots=True)
class EnvVar:
    """One environment variable a service's moved code reads."""

    name: str
    required: bool  # read with no default: the code fails without it
    example: str | None = None  # what the monolith's example files give it (deployment defaults)
    test: str | None = None  # what the monolith's test setup sets it to (the service's tests)


@dataclass(frozen=True, slots=True)
class KnownValues:
    tests: dict[str, str]
    examples: dict[str, str]

    def variables(self, names: tuple[str, ...], required: tuple[str, ...]) -> tuple[EnvVar, ...]:
        """The variables ``names`` with what is known of them, required ones first."""
        needed = set(required)
        return tuple(EnvVar(n, n in needed, self.examples.get(n), self.tests.get(n, self.examples.get(n)))
                     for n in sorted(names, key=lambda n: (n not in needed, n)))


def known_values(root: Path) -> KnownValues:
    """Everything the monolith at ``root`` writes down for its environment (see the module)."""
    conftests: list[Path] = []
    configs: list[Path] = []
    examples: list[Path] = []
    for folder, subfolders, files in _walk(root):
        for name in files:
            path = Path(folder) / name
            if name == "conftest.py":
                conftests.append(path)
            elif name in ("pytest.ini", "setup.cfg", "tox.ini", "pyproject.toml"):
                configs.append(path)
            elif _EXAMPLE_FILE.match(name):
                examples.append(path)
        subfolders.sort()
    tests: dict[str, str] = {}
    # nearer the root first: the project's own set-up before a plugin's or a sub-project's
    by_depth = sorted(conftests, key=lambda p: (len(p.parts), str(p)))
    for source in ([_conftest_values(p) for p in by_depth] + [_pytest_env(p) for p in sorted(configs)]
                   + [_tox_setenv(p) for p in sorted(configs) if p.name == "tox.ini"]):
        for name, value in source.items():
            tests.setdefault(name, value)
    found: dict[str, str] = {}
    for path in sorted(examples, key=lambda p: (len(p.parts), str(p))):
        for name, value in dotenv_values(_read(path)).items():
            if value:  # ``DATABASE_HOSTNAME=""``: to be filled in, no example
                found.setdefault(name, value)
    return KnownValues(tests, found)


def _walk(root: Path):
    base = len(root.parts)
    for folder, subfolders, files in os.walk(root):
        depth = len(Path(folder).parts) - base
        subfolders[:] = [] if depth >= MAX_DEPTH else [
            s for s in subfolders if s not in _SKIPPED_FOLDERS and not os.path.exists(os.path.join(folder, s, "pyvenv.cfg"))]
        yield folder, subfolders, files


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def dotenv_values(text: str) -> dict[str, str]:
    """``NAME=value`` lines of a dotenv file (``export`` allowed, quotes taken off, a comment
    after an unquoted value dropped); other lines are skipped."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not _NAME.match(name):
            continue
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        out.setdefault(name, value)
    return out


# -- conftest.py ---------------------------------------------------------------------------------------


def _conftest_values(path: Path) -> dict[str, str]:
    try:
        module = cst.parse_module(_read(path))
    except cst.ParserSyntaxError:
        return {}
    environ = {"os.environ"}
    for stmt in module.body:  # ``from starlette.config import environ``
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.ImportFrom) and dotted(small.module) in _ENVIRON_MODULES \
                    and not isinstance(small.names, cst.ImportStar):
                environ.update((a.evaluated_alias or a.evaluated_name) for a in small.names
                               if a.evaluated_name == "environ")
    out: dict[str, str] = {}
    statements = list(module.body)
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in _START_HOOKS:
            statements.extend(stmt.body.body)
    for stmt in statements:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            for name, value in _setting(small, environ):
                out.setdefault(name, value)
    return out


def _setting(small: cst.BaseSmallStatement, environ: set[str]) -> list[tuple[str, str]]:
    """What one statement sets: ``environ["N"] = "v"``, ``environ.setdefault("N", "v")``,
    ``environ.update({"N": "v"})``, ``environ.update(N="v")`` or a monkeypatch's
    ``mp.setenv("N", "v")``."""
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if isinstance(target, cst.Subscript) and dotted(target.value) in environ and len(target.slice) == 1 \
                and isinstance(target.slice[0].slice, cst.Index):
            return _pair(target.slice[0].slice.value, small.value)
        return []
    call = small.value if isinstance(small, cst.Expr) else None
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
        return []
    method = call.func.attr.value
    if method == "setenv" and len(call.args) >= 2:  # a ``MonkeyPatch()`` of the conftest's own (mealie's)
        return _pair(call.args[0].value, call.args[1].value)
    if dotted(call.func.value) not in environ:
        return []
    if method == "setdefault" and len(call.args) == 2:
        return _pair(call.args[0].value, call.args[1].value)
    if method != "update":
        return []
    pairs: list[tuple[str | None, str | None]] = []
    for arg in call.args:
        if arg.keyword is not None:
            pairs.append((arg.keyword.value, _text(arg.value)))
        elif isinstance(arg.value, cst.Dict):
            pairs.extend((_text(e.key), _text(e.value)) for e in arg.value.elements if isinstance(e, cst.DictElement))
    return [(n, v) for n, v in pairs if n and v is not None]


def _pair(name: cst.BaseExpression, value: cst.BaseExpression) -> list[tuple[str, str]]:
    """``[(name, value)]`` of two literals, or nothing when either is no literal."""
    n, v = _text(name), _text(value)
    return [(n, v)] if n and v is not None else []


def _text(node: cst.BaseExpression) -> str | None:
    """A literal's text as the environment holds it: a string as it is, a number written out."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.Integer | cst.Float):
        return node.value
    return None


# -- pytest-env and tox ---------------------------------------------------------------------------------


def _pytest_env(path: Path) -> dict[str, str]:
    """pytest-env's ``env`` option: ``NAME=value`` lines (``D:`` and ``R:`` flags dropped), or
    in ``pyproject.toml`` a list of them or the ``[tool.pytest_env]`` table."""
    if path.name == "pyproject.toml":
        try:
            tool = tomllib.loads(_read(path)).get("tool") or {}
        except tomllib.TOMLDecodeError:
            return {}
        out: dict[str, str] = {}
        table = tool.get("pytest_env")
        for name, spec in (table.items() if isinstance(table, dict) else ()):
            value = spec.get("value") if isinstance(spec, dict) else spec
            if _NAME.match(str(name)) and isinstance(value, str | int | float) and not isinstance(value, bool):
                out[str(name)] = str(value)
        lines = ((tool.get("pytest") or {}).get("ini_options") or {}).get("env")
        return out | _env_lines(lines if isinstance(lines, list) else [])
    section = "tool:pytest" if path.name == "setup.cfg" else "pytest"
    return _env_lines(_ini_option(path, section, "env").splitlines())


def _env_lines(lines: list) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        name, eq, value = str(line).strip().partition("=")
        name = re.sub(r"^(?:[DR]:)+", "", name.strip())
        if eq and _NAME.match(name) and "{" not in value:
            out.setdefault(name, value.strip())
    return out


def _tox_setenv(path: Path) -> dict[str, str]:
    """tox's ``[testenv] setenv``: ``NAME = value`` lines (values tox substitutes left out)."""
    return _env_lines(_ini_option(path, "testenv", "setenv").splitlines())


def _ini_option(path: Path, section: str, option: str) -> str:
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(_read(path))
        return parser.get(section, option, fallback="")
    except configparser.Error:
        return ""
