"""Test helpers: build a source tree from a dict and run the front end on it."""

from __future__ import annotations

import importlib.util
import json
import shutil
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


def sqlalchemy_models(**tables: str) -> str:
    """A models module of SQLAlchemy declarative classes, each with its table and an ``id``
    column: ``sqlalchemy_models(User="users", Order="orders")``."""
    classes = "".join(f'\n\nclass {name}(Base):\n    __tablename__ = "{table}"\n'
                      "    id: Mapped[int] = mapped_column(primary_key=True)\n" for name, table in tables.items())
    return ("from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
            "class Base(DeclarativeBase):\n    pass\n" + classes)


def django_project(apps: list[str], settings: str = "") -> dict[str, str]:
    """``manage.py`` naming ``proj.settings``, ``proj/__init__.py`` and ``proj/settings.py``
    installing ``contenttypes``, ``auth`` and ``apps`` on an in-memory SQLite database, with
    ``settings`` (more lines) after them."""
    installed = ", ".join(f'"{a}"' for a in ["django.contrib.contenttypes", "django.contrib.auth", *apps])
    return {
        "manage.py": "import os\n\nif __name__ == '__main__':\n"
                     "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n",
        "proj/__init__.py": "",
        "proj/settings.py": f'SECRET_KEY = "test"\nINSTALLED_APPS = [{installed}]\n'
                            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n'
                            + dedent(settings).lstrip("\n"),
    }


def flask_sqlalchemy_models(**tables: str) -> str:
    """A models module of Flask-SQLAlchemy classes on ``db = SQLAlchemy()``, each with its
    table and an ``id`` column: ``flask_sqlalchemy_models(Budget="budgets")``."""
    classes = "".join(f'\n\nclass {name}(db.Model):\n    __tablename__ = "{table}"\n'
                      "    id = db.Column(db.Integer, primary_key=True)\n" for name, table in tables.items())
    return "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n" + classes


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


def scaffold_support():
    """``tests/fixtures/scaffold/support.py``: runs a generated service's code in a clean environment."""
    return load_module(Path(__file__).resolve().parent / "fixtures/scaffold/support.py", "scaffold_support")


def python_in(service: Path, code: str):
    """Runs ``code`` with the test interpreter in a generated service's folder, where its
    package imports, in a clean environment: the completed process."""
    support = scaffold_support()
    return support.run([support.PYTHON, "-c", code], cwd=service, env=support.clean_env(), timeout=120)


def python_ok(service: Path, code: str):
    """:func:`python_in`, which must succeed: the completed process (its output on failure)."""
    result = python_in(service, code)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


# -- whole runs of ``msa analyze`` on a copy of the sample (the stage-cache tests) ----------

SHOP = Path(__file__).parent.parent / "samples" / "shop"
RUN_SPECIFIC = ("timings", "peak_mib", "cache_hits", "reused")  # what differs between equal runs


def client_script(package: str, body: str) -> str:
    """A script to run in a generated service (:func:`python_in`): ``client``, a TestClient of
    the service's app with its settings from nothing but defaults, then ``body``."""
    return ("import json\nfrom fastapi.testclient import TestClient\n"
            f"from {package}.main import create_app\n"
            f"from {package}.settings import Settings\n"
            "client = TestClient(create_app(Settings(_env_file=None, consul_enabled=False)))\n" + body)


def copy_shop(tmp_path: Path) -> Path:
    tree = tmp_path / "shop"
    shutil.copytree(SHOP, tree, ignore=shutil.ignore_patterns("__pycache__"))
    return tree


def analyze(tree: Path, out: Path, *extra: str) -> dict:
    from typer.testing import CliRunner

    from analyzer.cli import app

    result = CliRunner().invoke(app, ["analyze", str(tree), "-o", str(out), "--quiet", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def comparable(doc: dict) -> dict:
    """The document without what differs between two runs that give the same result."""
    return dict(doc, counts={k: v for k, v in doc["counts"].items() if k not in RUN_SPECIFIC})


def fresh(tree: Path, tmp_path: Path, *extra: str) -> dict:
    return comparable(analyze(tree, tmp_path / "fresh.json", "--no-cache", *extra))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def plan_toml(services: dict[str, list[str]], shared: list[str]) -> str:
    """The ``plan.toml`` placing each service's members, and the shared library's."""
    blocks = [f'[[service]]\nname = "{name}"\nmembers = {members!r}\n'.replace("'", '"')
              for name, members in services.items()]
    return 'schema = "msa-plan/1"\n\n' + "\n".join(blocks) + f"\n[shared]\nmembers = {shared!r}\n".replace("'", '"')


def extract_planned(root: Path, out: Path) -> Path:
    """Analyze ``root``, apply its ``plan.toml`` and scaffold with the code extracted into ``out``."""
    from analyzer.pipeline import AnalyzeOptions, run_analysis
    from analyzer.plan import apply_plan
    from analyzer.scaffold import scaffold
    from analyzer.scaffold.context import ScaffoldOptions

    doc = run_analysis(root, AnalyzeOptions(use_cache=False, progress=False))
    scaffold(apply_plan(doc, root / "plan.toml"), out, options=ScaffoldOptions(extract=True))
    return out
