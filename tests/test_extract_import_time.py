"""What a copied module does when it is imported: the generated import tests import each copy
as the monolith does, inside its app's context where the monolith's own import needs one, and
compile (not import) the scripts the monolith only ever runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import build_tree, django_project, extract_planned, plan_toml, python_in, python_ok


def _pytest_tail(service: Path, test_file: str) -> str:
    """The last line pytest prints for one of the service's own test files."""
    result = python_in(service, "import subprocess, sys\n"
                                f"r = subprocess.run([sys.executable, '-m', 'pytest', '-q', {test_file!r}],"
                                " capture_output=True, text=True)\nprint(r.stdout.strip().splitlines()[-1])")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout.strip()


def test_a_module_using_the_app_on_import_is_imported_in_an_app_context(tmp_path: Path) -> None:
    """CTFd's ``utils/helpers`` registers URL defaults with ``@current_app.url_defaults`` as it is
    imported, which the monolith does inside its app factory's app context; imported bare, it
    raised 'Working outside of application context' in 35 of the services' import tests. With
    no factory found, the service runs its moved code in a bare app's context and its tests
    import every module in one (one module may import another)."""
    pytest.importorskip("flask")
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/web/__init__.py": "",
        "proj/web/helpers.py": """
            from flask import current_app

            SEEN = []


            @current_app.url_defaults
            def versioned(endpoint, values):
                SEEN.append(endpoint)


            def shout(text: str) -> str:
                return text.upper()
        """,
        "proj/web/pages.py": "from proj.web.helpers import shout\n\n\ndef title(name: str) -> str:\n"
                             "    return shout(name)\n",
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": "from proj.web.pages import title\n\n\ndef invoice_title() -> str:\n"
                                 "    return title('invoice')\n",
        "plan.toml": plan_toml({"web": ["proj.web"], "billing": ["proj.billing"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "web"
    tests = (service / "tests" / "test_extracted.py").read_text()
    assert '"web_service.ported.proj.web.helpers": "flask.current_app",' in tests
    assert "with _importing():" in tests
    runtime = (service / "web_service" / "runtime.py").read_text()
    assert "from flask import Flask" in runtime and "app = code_app()" in runtime
    assert _pytest_tail(service, "tests/test_extracted.py").startswith("4 passed")
    # the operation other services call runs in that context too
    python_ok(service, "from web_service.api import _title\nfrom web_service.runtime import _run\n"
                       "assert _run(_title, {'name': 'a'}, None, None, (), True) == 'A'\n")
    # a service whose modules need no app context keeps running without one
    billing = (out / "services" / "billing" / "billing_service" / "runtime.py").read_text()
    assert "from flask import" not in billing and "_importing" not in (
        out / "services" / "billing" / "tests" / "test_extracted.py").read_text()


def test_scripts_that_act_on_import_are_compiled_not_imported(tmp_path: Path) -> None:
    """CTFd's ``serve.py`` and ``populate.py`` parse the command line at their top level, its
    ``export.py`` reads ``sys.argv`` and ``ping.py`` exits, healthchecks' Docker probe asks the
    server and prints: importing one runs it, and the
    import tests failed with ``SystemExit``. The monolith runs them and never imports them;
    the service's tests compile them. A module whose script part is under
    ``if __name__ == "__main__":`` is an ordinary module."""
    root = build_tree(tmp_path / "mono", {
        "serve.py": """
            import argparse

            from proj.orders.views import show

            parser = argparse.ArgumentParser()
            parser.add_argument("--port", default=4000)
            args = parser.parse_args()
            print(show(int(args.port)))
        """,
        "ping.py": "import sys\n\nfrom proj.orders.views import show\n\nif show(1):\n    sys.exit(0)\n",
        "export.py": "import sys\n\nfrom proj.orders.views import show\n\nprint(show(len(sys.argv)))\n",
        # a health probe: it asks the running server as it is imported, and prints the answer
        "probe.py": "from urllib.request import urlopen\n\nfrom proj.orders.views import show\n\n"
                    "print(show(1), urlopen('http://127.0.0.1:9/status').status)\n",
        # a flag looked for in the arguments is no script's (a settings module's test switch)
        "flags.py": "import sys\n\nTESTING = 'test' in sys.argv\nfail = lambda: sys.exit(1)\n"
                    "say = lambda text: print(text)\n",
        "tool.py": """
            import argparse

            from proj.orders.views import show


            def main() -> None:
                parser = argparse.ArgumentParser()
                print(show(parser.parse_args().n))


            if __name__ == "__main__":
                main()
        """,
        # a script whose top level calls its own function, which acts (Tandoor's ``fdc_helper.py``)
        "dump.py": "from proj.orders.views import show\n\n\ndef dump() -> None:\n"
                   "    with open('') as f:\n        print(show(len(f.read())))\n\n\ndump()\n",
        "proj/__init__.py": "",
        "proj/orders/__init__.py": "",
        "proj/orders/views.py": "def show(order_id: int) -> dict:\n    return {'id': order_id}\n",
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": "from proj.orders.views import show\n\n\ndef total() -> int:\n    return show(1)['id']\n",
        "plan.toml": plan_toml({"orders": ["proj.orders", "serve", "ping", "export", "probe", "tool", "flags", "dump"],
                                "billing": ["proj.billing"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "orders"
    tests = (service / "tests" / "test_extracted.py").read_text()
    scripts = tests.split("SCRIPTS = {")[1]
    assert '"orders_service/ported/serve.py": "`parser.parse_args()` at its top level",' in scripts
    assert '"orders_service/ported/ping.py": "`sys.exit` at its top level",' in scripts
    assert '"orders_service/ported/export.py": "`sys.argv` at its top level",' in scripts
    assert '"orders_service/ported/probe.py": "`print()` at its top level",' in scripts
    assert '"orders_service/ported/dump.py": "`print()` in `dump()`, which its top level calls",' in scripts
    modules = tests.split("MODULES = [")[1].split("]")[0]
    assert '"orders_service.ported.tool",' in modules and '"orders_service.ported.flags",' in modules
    assert "serve" not in modules and "ping" not in modules
    assert _pytest_tail(service, "tests/test_extracted.py").startswith("10 passed")  # 5 modules imported, 5 scripts compiled


def test_code_written_for_pydantic_1_runs_on_pydantic_2s_v1_api(tmp_path: Path) -> None:
    """CTFd pins ``pydantic==1.6.2`` and reads a model's ``schema()["definitions"]``, which
    pydantic 2 (the services' own stack) calls ``$defs``: three services failed on import with
    ``KeyError``. Pydantic 2 keeps the first API as ``pydantic.v1``, and the copies import it
    from there; MIGRATION.md lists each rewritten import. A monolith on pydantic 2 keeps its
    imports."""
    files = {
        "requirements.txt": "pydantic==1.10.13\n",
        "proj/__init__.py": "",
        "proj/orders/__init__.py": "",
        "proj/orders/schemas.py": """
            import pydantic
            from pydantic import BaseModel


            class Item(BaseModel):
                name: str


            class Order(pydantic.BaseModel):
                items: list[Item]


            def order_schema_names() -> list[str]:
                return sorted(Order.schema()["definitions"])
        """,
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": "from proj.orders.schemas import order_schema_names\n\n\n"
                                 "def lines() -> int:\n    return len(order_schema_names())\n",
        "plan.toml": plan_toml({"orders": ["proj.orders"], "billing": ["proj.billing"]}, ["proj"]),
    }
    out = extract_planned(build_tree(tmp_path / "mono", files), tmp_path / "out")
    service = out / "services" / "orders"
    copy = (service / "orders_service" / "ported" / "proj" / "orders" / "schemas.py").read_text()
    assert "import pydantic.v1 as pydantic\nfrom pydantic.v1 import BaseModel\n" in copy
    assert "`pydantic` is now `pydantic.v1`" in (out / "MIGRATION.md").read_text()
    python_ok(service, "from orders_service.ported.proj.orders.schemas import order_schema_names\n"
                       "assert order_schema_names() == ['Item'], order_schema_names()\n")
    files["requirements.txt"] = "pydantic>=2.6\n"
    out = extract_planned(build_tree(tmp_path / "mono2", files), tmp_path / "out2")
    copy = (out / "services" / "orders" / "orders_service" / "ported" / "proj" / "orders" / "schemas.py").read_text()
    assert "pydantic.v1" not in copy and "from pydantic import BaseModel" in copy


def test_a_value_made_on_import_from_another_services_entity_is_a_stub(tmp_path: Path) -> None:
    """ihatemoney's ``PersonVersion = version_class(Person)`` and CTFd's ``AwardModel =
    sqlalchemy_to_pydantic(Awards)`` run on import, where the entity is another service's and a
    stub: the copy failed on import (ihatemoney's two failing tests, 18 of CTFd's). The value is
    a stub too, so are the classes that read it while they are defined, and a top-level call of
    a stub's method, in an argument too (``ns.schema_model(AwardResponse.apidoc())``), leaves
    the copy, as MIGRATION.md says; the rest of the module imports and works."""
    from tests.helpers import sqlalchemy_models

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/shapes.py": """
            def shape_of(model) -> dict:
                return {"table": model.__tablename__}


            class Registry:
                def __init__(self) -> None:
                    self.shapes = []

                def add(self, name: str, shape: dict) -> None:
                    self.shapes.append((name, shape))
        """,
        "proj/orders/__init__.py": "",
        "proj/orders/models.py": sqlalchemy_models(Order="orders"),
        "proj/orders/service.py": "from proj.orders.models import Order\n\n\n"
                                  "def count() -> int:\n    return len([Order])\n",
        "proj/reports/__init__.py": "",
        "proj/reports/views.py": """
            from proj.orders.models import Order
            from proj.orders.service import count
            from proj.shapes import Registry, shape_of

            REGISTRY = Registry()
            OrderShape = shape_of(Order)


            class OrderReport:
                shape = OrderShape

                @classmethod
                def describe(cls) -> dict:
                    return cls.shape


            REGISTRY.add("orders", OrderReport.describe())


            def report_count() -> int:
                return count()
        """,
        "plan.toml": plan_toml({"orders": ["proj.orders"], "reports": ["proj.reports"]}, ["proj", "proj.shapes"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "reports"
    copy = (service / "reports_service" / "ported" / "proj" / "reports" / "views.py").read_text()
    assert "OrderShape = _msa_wire.Stub(" in copy and "OrderReport = _msa_wire.Stub(" in copy
    assert "OrderShape = shape_of(Order)" not in copy and 'REGISTRY.add("orders"' not in copy
    migration = (out / "MIGRATION.md").read_text()
    assert "a module-level value made on import from the orders service's entity `Order`" in migration
    tail = _pytest_tail(service, "tests/test_extracted.py")
    assert tail.startswith("6 passed") and "failed" not in tail and "error" not in tail, tail
    python_ok(service, "from reports_service.ported.proj.reports import views\n"
                       "assert views.REGISTRY.shapes == []\n"
                       "try:\n    views.OrderShape.get('table')\nexcept Exception as exc:\n"
                       "    assert type(exc).__name__ == 'NotExtracted', exc\nelse:\n    raise AssertionError\n")


def test_a_source_in_a_declared_encoding_is_copied_in_utf8(tmp_path: Path) -> None:
    """A file in latin-1 that says so (PEP 263) is legal Python and the analysis reads it, but
    extraction stopped the whole run on it ("not UTF-8"). It is read in its encoding and
    copied in UTF-8, its declaration saying ``utf-8``, and its strings stay the same."""
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/orders/__init__.py": "",
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": "from proj.orders.labels import label\n\n\ndef title() -> str:\n"
                                 "    return label()\n",
        "plan.toml": plan_toml({"orders": ["proj.orders"], "billing": ["proj.billing"]}, ["proj"]),
    })
    (root / "proj/orders/labels.py").write_bytes(
        b'#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nLABEL = "caf\xe9"\n\n\ndef label() -> str:\n'
        b"    return LABEL\n")
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "orders"
    copy = (service / "orders_service" / "ported" / "proj" / "orders" / "labels.py").read_bytes()
    assert b"# -*- coding: utf-8 -*-\n" in copy and 'LABEL = "café"'.encode() in copy
    python_ok(service, "from orders_service.ported.proj.orders.labels import label\n"
                       "assert label() == 'caf\\xe9', label()\n")


def test_a_logging_handler_of_another_service_is_a_null_handler(tmp_path: Path) -> None:
    """healthchecks' settings log to ``"db": {"class": "hc.logs.Handler"}``, the logs service's
    code: in every other service ``django.setup()`` failed on it ("Unable to configure handler
    'db'"), and five services could not load their tests. It becomes a ``logging.NullHandler``
    keeping its level (the loggers still name it); MIGRATION.md says where the records went."""
    pytest.importorskip("django")
    root = build_tree(tmp_path / "mono", {
        **django_project(["proj.logs", "proj.orders"], """
            LOGGING = {
                "version": 1,
                "disable_existing_loggers": False,
                "handlers": {"db": {"level": "DEBUG", "class": "proj.logs.handlers.Handler", "table": "entries"}},
                "loggers": {"proj": {"level": "DEBUG", "handlers": ["db"]}},
            }
        """),
        "proj/logs/__init__.py": "",
        "proj/logs/models.py": "from django.db import models\n\n\nclass Entry(models.Model):\n"
                               "    text = models.TextField()\n",
        "proj/logs/handlers.py": """
            import logging


            class Handler(logging.Handler):
                def __init__(self, table: str) -> None:
                    super().__init__()
                    self.table = table

                def emit(self, record) -> None:
                    from proj.logs.models import Entry

                    Entry.objects.create(text=record.getMessage())
        """,
        "proj/orders/__init__.py": "",
        "proj/orders/models.py": "from django.db import models\n\n\nclass Order(models.Model):\n"
                                 "    total = models.IntegerField()\n",
        "proj/orders/views.py": "import logging\n\nfrom proj.orders.models import Order\n\n\n"
                                "def count() -> int:\n    logging.getLogger('proj').info('counted')\n"
                                "    return Order.objects.count()\n",
        "plan.toml": plan_toml({"logs": ["proj.logs"], "orders": ["proj.orders"]}, ["proj", "manage"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "orders"
    settings = next(p for p in service.rglob("settings.py") if "proj" in p.parts).read_text()
    assert '"db": {"level": "DEBUG", "class": "logging.NullHandler"}' in settings
    migration = (out / "MIGRATION.md").read_text()
    assert "`proj.logs.handlers.Handler`" in migration
    assert "a `logging.NullHandler` here, so the records it took go nowhere in this service" in migration
    tail = _pytest_tail(service, "tests/test_extracted.py")
    assert "passed" in tail and "failed" not in tail and "error" not in tail, tail


def test_an_annotation_without_a_value_is_no_value_made_on_import(tmp_path: Path) -> None:
    """mitmproxy: a module-level ``name: Type`` (no value) stopped the whole extraction with an
    AttributeError while values made from another service's entity were looked for."""
    state = "from typing import Optional\n\ncurrent: Optional[int]\nLIMIT: int = 3\n\n\ndef limit() -> int:\n" \
            "    return LIMIT\n"
    views = "from proj.orders.state import limit\n\n\ndef twice() -> int:\n    return 2 * limit()\n"
    files = {"proj/__init__.py": "", "proj/orders/__init__.py": "", "proj/orders/state.py": state,
             "proj/billing/__init__.py": "", "proj/billing/views.py": views,
             "plan.toml": plan_toml({"orders": ["proj.orders"], "billing": ["proj.billing"]}, ["proj"])}
    out = extract_planned(build_tree(tmp_path / "mono", files), tmp_path / "out")
    copy = (out / "services" / "orders" / "orders_service" / "ported" / "proj" / "orders" / "state.py").read_text()
    assert "current: Optional[int]" in copy and "LIMIT: int = 3" in copy
