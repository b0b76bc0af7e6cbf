"""The environment the moved code reads reaches the deployment and the service's own tests.

Dispatch's config reads ``DATABASE_HOSTNAME`` and ``DISPATCH_ENCRYPTION_KEY`` on import with no
default. Its services' READMEs named them, but the compose file, the Kubernetes manifests and the
generated tests set none: every service failed at collection. The monolith writes values down
in its test set-up (``tests/conftest.py``) and in its ``.env.example``; the extraction reads
them (never runs them) and carries them over.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from analyzer.extract.environment import EnvVar, KnownValues, dotenv_values, known_values
from analyzer.scaffold.deploy import compose_value
from tests.helpers import build_tree, extract_planned, plan_toml, scaffold_support

support = scaffold_support()


def test_values_come_from_the_test_set_up_and_the_example_files(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "mono", {
        "tests/conftest.py": """
            import os
            from starlette.config import environ

            environ["DATABASE_HOSTNAME"] = "localhost"
            os.environ.setdefault("PORT", 5432)
            os.environ.update({"REGION": "eu"}, FLAG="1")
            os.environ["COMPUTED"] = compute()
            mp = MonkeyPatch()
            mp.setenv("PRODUCTION", "True")

            def pytest_configure(config):
                os.environ["IN_HOOK"] = "yes"

            def test_helper(monkeypatch):
                os.environ["IN_A_TEST"] = "no"
        """,
        "plugins/deep/tests/conftest.py": 'import os\nos.environ["DATABASE_HOSTNAME"] = "elsewhere"\n',
        "pytest.ini": "[pytest]\nenv =\n    D:R:FROM_PYTEST_ENV=on\n    TEMPLATED={envtmpdir}\n",
        "tox.ini": "[testenv]\nsetenv =\n    FROM_TOX = 1\n    REGION = us\n",
        "pyproject.toml": '[tool.pytest_env]\nTABLE = "t"\nNESTED = { value = "n", transform = true }\n',
        ".env.example": 'export SECRET_KEY="change-me"  \nEMPTY=""\nPLAIN=a b # comment\n# HIDDEN=x\n',
        "docker/prod.env.sample": "SECRET_KEY=other\nONLY_HERE='q'\n",
        ".env": "SECRET_KEY=the-real-secret\n",  # a deployment's own: never read
        "node_modules/x/.env.example": "NODE=1\n",
    })
    known = known_values(root)
    assert known.tests == {"DATABASE_HOSTNAME": "localhost", "PORT": "5432", "REGION": "eu", "FLAG": "1",
                           "IN_HOOK": "yes", "PRODUCTION": "True", "FROM_PYTEST_ENV": "on", "TABLE": "t", "NESTED": "n", "FROM_TOX": "1"}
    assert known.examples == {"SECRET_KEY": "change-me", "PLAIN": "a b", "ONLY_HERE": "q"}


def test_a_dotenv_file_is_read_line_by_line() -> None:
    text = "A=1\nexport B='two words'\nC = spaced\n9BAD=x\nD=x#not a comment\nE=y # a comment\n"
    assert dotenv_values(text) == {"A": "1", "B": "two words", "C": "spaced", "D": "x#not a comment", "E": "y"}


def test_variables_come_required_first_with_what_is_known() -> None:
    known = KnownValues(tests={"KEY": "test"}, examples={"KEY": "example", "HOST": "localhost"})
    assert known.variables(("HOST", "KEY", "LEVEL"), ("KEY",)) == (
        EnvVar("KEY", True, "example", "test"),
        EnvVar("HOST", False, "localhost", "localhost"),  # an example serves the tests too
        EnvVar("LEVEL", False, None, None),
    )


def test_the_compose_value_prefers_the_shell_then_the_example() -> None:
    assert compose_value(EnvVar("HOST", True, "local$host"), "orders") == "${HOST:-local$$host}"
    assert compose_value(EnvVar("KEY", True), "orders") == \
        "${KEY:?set KEY for the orders service: see services/orders/README.md}"
    assert compose_value(EnvVar("LEVEL", False), "orders") is None  # passed on from the shell when set
    assert compose_value(EnvVar("ODD", False, "a}b"), "orders") is None  # compose could not read it back


def test_the_deployment_and_the_tests_set_what_the_moved_code_reads(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/config.py": """
            import os

            SECRET_KEY = os.environ["SECRET_KEY"]
            REGION = os.getenv("REGION", "eu")
        """,
        "proj/orders/__init__.py": "",
        "proj/orders/views.py": """
            from proj.config import REGION, SECRET_KEY


            def show(order_id: int) -> dict:
                return {"id": order_id, "region": REGION, "signed": bool(SECRET_KEY)}
        """,
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": """
            import os

            TOKEN = os.environ["BILLING_TOKEN"]


            def total() -> int:
                return 0
        """,
        "tests/conftest.py": 'import os\n\nos.environ["SECRET_KEY"] = "test-key"\nos.environ["BILLING_TOKEN"] = "t"\n',
        ".env.example": "SECRET_KEY=change-me\n",
        "plan.toml": plan_toml({"orders": ["proj.orders"], "billing": ["proj.billing"]}, ["proj", "proj.config"]),
    })
    out = extract_planned(root, tmp_path / "out")

    compose = yaml.safe_load((out / "deploy" / "docker-compose.yml").read_text())
    schema = json.loads(support.COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft201909Validator(schema).validate(compose)
    orders = compose["services"]["orders"]["environment"]
    assert orders["SECRET_KEY"] == "${SECRET_KEY:-change-me}" and orders["REGION"] is None
    billing = compose["services"]["billing"]["environment"]
    assert billing["BILLING_TOKEN"].startswith("${BILLING_TOKEN:?set BILLING_TOKEN for the billing service")

    k8s = out / "deploy" / "k8s"
    deployment = next(d for d in yaml.safe_load_all((k8s / "orders.yaml").read_text()) if d["kind"] == "Deployment")
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["SECRET_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "orders-env", "key": "SECRET_KEY"}
    assert env["REGION"]["valueFrom"]["secretKeyRef"] == {"name": "orders-env", "key": "REGION", "optional": True}
    result = support.run([support.tool("kubernetes-validate"), "--strict", "--quiet", str(k8s / "orders.yaml")])
    assert result.returncode == 0, result.stdout + result.stderr
    kustomization = yaml.safe_load((k8s / "kustomization.yaml").read_text())
    assert {"name": "orders-env", "envs": ["env/orders.env"]} in kustomization["secretGenerator"]
    secret_file = (k8s / "env" / "orders.env").read_text()
    assert "# SECRET_KEY=change-me\n" in secret_file and "# REGION=\n" in secret_file
    assert dotenv_values(secret_file) == {}  # nothing set until the user sets it

    # the service's own tests run with the monolith's test values, set before the moved code is imported
    service = out / "services" / "orders"
    assert 'os.environ.setdefault("SECRET_KEY", "test-key")' in (service / "tests" / "__init__.py").read_text()
    result = support.run([support.PYTHON, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"], cwd=service,
                         env=support.clean_env(), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

