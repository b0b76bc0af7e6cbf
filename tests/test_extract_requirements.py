"""Where the monolith's runtime requirements are read from (analyzer/extract/requirements.py)."""

from __future__ import annotations

from pathlib import Path

from analyzer.extract.requirements import monolith_requirements


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_setuptools_dynamic_dependencies_name_a_file(tmp_path):
    # fiduswriter: ``dependencies = {file = "fiduswriter/requirements.txt"}``
    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "fw"\ndynamic = ["dependencies"]\n\n'
                          '[tool.setuptools.dynamic]\ndependencies = {file = "fw/requirements.txt"}\n',
        "fw/requirements.txt": "Django==5.1\nchannels>=4\n",
    })
    assert monolith_requirements(tmp_path) == ("Django==5.1", "channels>=4")


def test_poetry_dependencies_become_requirements(tmp_path):
    write(tmp_path, {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3.0.2"\n'
                                      'sqlalchemy = {version = "~2.0", extras = ["asyncio"]}\nredis = "*"\n'
                                      'celery = "5.4.0"\nhttpx = ">=0.27,<1"\n'})
    assert monolith_requirements(tmp_path) == ("celery==5.4.0", "flask>=3.0.2,<4", "httpx>=0.27,<1", "redis",
                                               "sqlalchemy>=2.0,<2.1")


def test_poetry_carets_and_tildes_keep_their_ceilings(tmp_path):
    """mealie's ``openai = "^1.27.0"`` became ``openai>=1.27.0``, and pip installed openai 3."""
    from analyzer.extract.requirements import _poetry

    assert [_poetry("x", v) for v in ("^1.27.0", "^0.20.0", "^0.0.12", "^2", "^0", "~1.2.3", "~1.2", "~1", "^1.0b1")] == [
        "x>=1.27.0,<2", "x>=0.20.0,<0.21", "x>=0.0.12,<0.0.13", "x>=2,<3", "x>=0,<1", "x>=1.2.3,<1.3",
        "x>=1.2,<1.3", "x>=1,<2", "x>=1.0b1"]


def test_setup_cfg_then_a_literal_setup_py_list(tmp_path):
    write(tmp_path / "cfg", {"setup.cfg": "[metadata]\nname = x\n\n[options]\ninstall_requires =\n"
                                          "    requests>=2\n    # a comment\n    click\n"})
    assert monolith_requirements(tmp_path / "cfg") == ("click", "requests>=2")
    write(tmp_path / "py", {"setup.py": "from setuptools import setup\n\nsetup(name='x', "
                                        "install_requires=['tornado>=6', 'pyyaml'], extras_require={'t': ['pytest']})\n"})
    assert monolith_requirements(tmp_path / "py") == ("pyyaml", "tornado>=6")  # read, not run


def test_pipfile_packages(tmp_path):
    write(tmp_path, {"Pipfile": '[packages]\ndjango = "==4.2"\ngunicorn = "*"\n\n[dev-packages]\npytest = "*"\n'})
    assert monolith_requirements(tmp_path) == ("django==4.2", "gunicorn")


def test_the_runtime_file_of_a_requirements_folder(tmp_path):
    # treeherder: requirements/common.txt beside requirements/dev.txt
    write(tmp_path, {"requirements/common.txt": "Django==5.1\n", "requirements/dev.txt": "pytest\n-r common.txt\n"})
    assert monolith_requirements(tmp_path) == ("Django==5.1",)


def test_the_requirements_file_nearest_the_root_outside_development_folders(tmp_path):
    # kpi: dependencies/pip/requirements.txt; a docs/ or tests/ file is not the application's
    write(tmp_path, {
        "docs/requirements.txt": "sphinx\n",
        "dependencies/pip/requirements.txt": "Django==4.2\n",
        "dependencies/pip/dev_requirements.txt": "pytest\n",
        "deep/a/b/c/requirements.txt": "too-deep\n",
        "api_tests/requirements.txt": "pytest\n",  # a test folder by its name
    })
    assert monolith_requirements(tmp_path) == ("Django==4.2",)


def test_nothing_declared_gives_nothing(tmp_path):
    write(tmp_path, {"app.py": "print('hi')\n", "pyproject.toml": "[tool.ruff]\nline-length = 99\n"})
    assert monolith_requirements(tmp_path) == ()


def test_hashed_requirements_and_where_an_application_deploys_from(tmp_path):
    # pip-compile's hashes continue a requirement's line; ckan's setup.cfg names only a
    # build tool, its requirements.txt what it runs on
    write(tmp_path, {
        "setup.cfg": "[options]\ninstall_requires =\n    setuptools >= 44.1.0\n",
        "requirements.txt": "aiohttp==3.12.14 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n"
                            "    # via -r requirements.in\nflask==3.1.0 --hash=sha256:cc\n",
    })
    assert monolith_requirements(tmp_path) == ("aiohttp==3.12.14", "flask==3.1.0")


def test_the_oldest_python_the_monolith_declares(tmp_path):
    from analyzer.extract.requirements import monolith_python

    cases = {
        "pep621": {"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.13"\n'},
        "poetry": {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.12"\n'},
        "cfg": {"setup.cfg": "[options]\npython_requires = >= 3.10\n"},
        "setup": {"setup.py": "from setuptools import setup\nsetup(name='x', python_requires='~=3.9')\n"},
        "pinned": {".python-version": "3.12.4\n"},
        "heroku": {"runtime.txt": "python-3.11.9\n"},
        "none": {"app.py": "print(1)\n"},
    }
    found = {name: monolith_python(write(tmp_path / name, files)) for name, files in cases.items()}
    assert found == {"pep621": (3, 13), "poetry": (3, 12), "cfg": (3, 10), "setup": (3, 9), "pinned": (3, 12),
                     "heroku": (3, 11), "none": None}


def test_a_service_asks_for_the_python_its_moved_code_needs():
    from analyzer.extract.emit import IMAGE_PYTHON, SERVICE_PYTHON, _python_floor

    root = Path(__file__).resolve().parent.parent / "templates" / "service"
    pyproject = (root / "pyproject.toml.j2").read_text()
    dockerfile = (root / "Dockerfile.j2").read_text()
    assert 'requires-python = ">={}.{}"'.format(*SERVICE_PYTHON) in pyproject  # the floor raised below
    assert "FROM python:{}.{}-slim".format(*IMAGE_PYTHON) in dockerfile
    files = {"services/a/pyproject.toml": pyproject, "services/a/Dockerfile": dockerfile}
    _python_floor(files, "services/a", (3, 13))
    assert 'requires-python = ">=3.13"' in files["services/a/pyproject.toml"]
    assert "FROM python:3.13-slim" in files["services/a/Dockerfile"]
    older = {"services/a/pyproject.toml": pyproject, "services/a/Dockerfile": dockerfile}
    _python_floor(older, "services/a", (3, 9))  # older than the services' own floor: unchanged
    assert older == {"services/a/pyproject.toml": pyproject, "services/a/Dockerfile": dockerfile}


def test_setup_py_install_requires_through_a_name_and_broken_strings_left_out(tmp_path) -> None:
    # shuup: ``install_requires=REQUIRES``, and a missing comma that joined two strings
    from analyzer.extract.requirements import monolith_requirements, valid_requirement

    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\n\n"
        'BASE = ["django>=1.11,<2.3", "toml>=0.10.0,<1" "pytz>=2015.4"]\n'
        'REQUIRES = BASE + ["six>=1.9,<2"]\n\n'
        "setup(name='x', install_requires=REQUIRES)\n")
    assert monolith_requirements(tmp_path) == ("django>=1.11,<2.3", "six>=1.9,<2")
    for good in ("psycopg[binary]~=3.3.2", 'foo==1.0; python_version<"3.12"', "pkg @ git+https://x/y.git", "a (>=1.0)"):
        assert valid_requirement(good), good


def test_a_lock_file_gives_the_versions_the_monolith_runs(tmp_path) -> None:
    """mealie declares ``openai = "^1.27.0"`` and its poetry.lock pins 1.52.2; the latest 1.x
    no longer has the ``ChatCompletion`` its code imports, so three services failed on import
    with the requirement as declared."""
    from analyzer.extract.emit import add_dependencies
    from analyzer.extract.requirements import at_locked_version, monolith_locks

    write(tmp_path, {
        "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nopenai = "^1.27.0"\n',
        "poetry.lock": '[[package]]\nname = "openai"\nversion = "1.52.2"\n\n'
                       '[[package]]\nname = "Pillow"\nversion = "11.0.0"\n\n'
                       '[[package]]\nname = "numpy"\nversion = "1.26.4"\n\n'
                       '[[package]]\nname = "numpy"\nversion = "2.1.0"\n\n'
                       '[[package]]\nname = "fastapi"\nversion = "0.110.0"\n',
    })
    lock, locked = monolith_locks(tmp_path)
    assert lock == "poetry.lock"
    assert locked == {"openai": "1.52.2", "pillow": "11.0.0", "fastapi": "0.110.0"}  # numpy: two versions
    assert at_locked_version("openai>=1.27.0,<2", locked) == "openai~=1.52.2"
    assert at_locked_version('pillow[webp]>=10 ; python_version >= "3.11"', locked) == \
        'pillow[webp]~=11.0.0 ; python_version >= "3.11"'
    assert at_locked_version("numpy>=1.24", locked) is None
    assert at_locked_version("openai==1.40.0", locked) is None  # pinned by the monolith itself
    pyproject = 'dependencies = [\n    "fastapi>=0.115",\n]\n'
    added = add_dependencies(pyproject, ("fastapi>=0.100", "numpy>=1.24", "openai>=1.27.0,<2"), (lock, locked))
    assert '"openai~=1.52.2",  # the release poetry.lock locks, and its patch releases' in added
    assert '"numpy>=1.24",' in added
    assert "fastapi~=" not in added  # the service's own stack decides its version


def test_uv_and_pipfile_locks(tmp_path) -> None:
    from analyzer.extract.requirements import monolith_locks

    write(tmp_path / "uv", {"uv.lock": 'version = 1\n\n[[package]]\nname = "Flask_Login"\nversion = "0.6.3"\n'
                                       'source = { registry = "https://pypi.org/simple" }\n'})
    assert monolith_locks(tmp_path / "uv") == ("uv.lock", {"flask-login": "0.6.3"})
    write(tmp_path / "pipenv", {"Pipfile.lock": '{"default": {"requests": {"version": "==2.32.3"}, '
                                               '"local": {"path": "."}}, "develop": {"pytest": {"version": "==8.0"}}}'})
    assert monolith_locks(tmp_path / "pipenv") == ("Pipfile.lock", {"requests": "2.32.3"})
    write(tmp_path / "broken", {"poetry.lock": "[[package]\nname = "})
    assert monolith_locks(tmp_path / "broken") == ("", {})


def test_which_monoliths_hold_a_library_below_a_release() -> None:
    """CTFd pins ``pydantic==1.6.2``; the services' stack needs pydantic 2."""
    from analyzer.extract.requirements import held_below

    def below(*specs: str, locked: dict[str, str] | None = None) -> bool:
        return held_below(specs, locked or {}, "pydantic", 2)

    assert below("pydantic==1.6.2") and below("pydantic<2") and below("pydantic>=1.8,<2.0")
    assert below("pydantic~=1.10") and below("pydantic<=1.10.13") and below("Pydantic[email]==1.10.2; python_version>'3'")
    assert below("pydantic>=1", locked={"pydantic": "1.10.13"})  # the lock's release decides
    assert not below("pydantic>=1", locked={"pydantic": "2.5.0"})
    assert not below("pydantic>=1.8,<3") and not below("pydantic>=2") and not below("pydantic<2.1")
    assert not below("fastapi==0.95.0") and not below()


def test_development_groups_extras_and_files_are_read_apart_from_the_runtime_ones(tmp_path) -> None:
    from analyzer.extract.requirements import monolith_other_requirements

    pep = write(tmp_path / "pep", {
        "pyproject.toml": '[project]\nname = "w"\ndependencies = ["django~=5.2"]\n\n'
                          '[project.optional-dependencies]\ns3 = ["boto3>=1.30"]\n\n'
                          '[dependency-groups]\ndev = ["faker~=40.36.0", "ruff", {include-group = "docs"}]\n'
                          'docs = ["sphinx"]\n',
        "requirements-dev.txt": "-r requirements.txt\ncoverage==7.5\n",
        "requirements.txt": "django~=5.2\n",
    })
    assert monolith_requirements(pep) == ("django~=5.2",)
    assert monolith_other_requirements(pep) == ("boto3>=1.30", "coverage==7.5", "django~=5.2", "faker~=40.36.0",
                                                "ruff", "sphinx")
    poetry = write(tmp_path / "poetry", {
        "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3"\n\n'
                          '[tool.poetry.group.test.dependencies]\nfactory-boy = "^3.3"\n\n'
                          '[tool.poetry.dev-dependencies]\nmypy = "*"\n',
        "Pipfile": '[packages]\nflask = "*"\n\n[dev-packages]\nfaker = "==20.1"\n',
    })
    assert monolith_other_requirements(poetry) == ("factory-boy>=3.3,<4", "faker==20.1", "mypy")


def test_a_development_requirement_the_moved_code_imports_is_the_services(tmp_path) -> None:
    """wger's and babybuddy's fake-data management commands import ``faker``, a development
    dependency: the service holding one needs it to import its code (the import test failed
    with "No module named 'faker'"); one no moved code imports stays out."""
    from tests.helpers import build_tree, extract_planned, plan_toml

    root = build_tree(tmp_path / "mono", {
        "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["httpx>=0.27"]\n\n'
                          '[dependency-groups]\ndev = ["Faker>=20", "ruff"]\n',
        "shop/__init__.py": "",
        "shop/orders/__init__.py": "",
        "shop/orders/fake.py": "from faker import Faker\n\n\ndef names(n: int) -> list:\n"
                               "    return [Faker().name() for _ in range(n)]\n",
        "shop/billing/__init__.py": "",
        "shop/billing/totals.py": "def total(xs: list) -> int:\n    return sum(xs)\n",
        "plan.toml": plan_toml({"orders": ["shop.orders"], "billing": ["shop.billing"]}, ["shop"]),
    })
    out = extract_planned(root, tmp_path / "out")
    orders = (out / "services" / "orders" / "pyproject.toml").read_text()
    billing = (out / "services" / "billing" / "pyproject.toml").read_text()
    assert '"Faker>=20"' in orders and '"httpx>=0.27"' in orders and '"ruff' not in orders
    assert "Faker" not in billing and '"httpx>=0.27"' in billing
