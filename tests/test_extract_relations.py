"""A relationship to another service's rows leaves the copy, whether it names the entity's own
model or a single-table subclass of it.

CTFd's ``Challenges.files = db.relationship("ChallengeFiles")`` names a subclass of ``Files``;
the uploads service owns the ``files`` table, and the api service's copy kept the relationship
to a class it holds only as a stub: SQLAlchemy failed to configure its mappers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.pipeline import AnalyzeOptions, run_analysis
from tests.helpers import plan_toml, python_in, python_ok

DECLARATIVE_BASE = """
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()
"""


def test_a_relationship_to_a_subclass_of_another_services_entity_goes(tmp_path: Path) -> None:
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/db.py": DECLARATIVE_BASE,
        "proj/files/__init__.py": "",
        "proj/files/models.py": """
            from sqlalchemy import Column, ForeignKey, Integer, String

            from proj.db import Base


            class Files(Base):
                __tablename__ = "files"
                id = Column(Integer, primary_key=True)
                type = Column(String(80))
                __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "standard"}


            class ChallengeFiles(Files):
                __mapper_args__ = {"polymorphic_identity": "challenge"}
                challenge_id = Column(Integer, ForeignKey("challenges.id"))


            def upload(session, challenge_id):
                session.add(ChallengeFiles(challenge_id=challenge_id))
        """,
        "proj/challenges/__init__.py": "",
        "proj/challenges/models.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import relationship

            from proj.db import Base


            class Challenges(Base):
                __tablename__ = "challenges"
                id = Column(Integer, primary_key=True)
                name = Column(String(80))
                files = relationship("ChallengeFiles", backref="challenge")


            def create(session, name):
                session.add(Challenges(name=name))
        """,
        "plan.toml": plan_toml({"files": ["proj.files"], "challenges": ["proj.challenges"]},
                               ["proj", "proj.db"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "challenges"
    models = (service / "challenges_service" / "ported" / "proj" / "challenges" / "models.py").read_text()
    assert 'relationship("ChallengeFiles"' not in models
    migration = (out / "MIGRATION.md").read_text()
    assert "a relationship to `ChallengeFiles`, an entity of another service" in migration
    check = ("from sqlalchemy.orm import configure_mappers; "
             "import challenges_service.ported.proj.challenges.models; configure_mappers(); print('ok')")
    result = python_in(service, check)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout[-3000:]


def test_what_a_function_reaches_through_a_callback_it_is_handed_is_its_callers(tmp_path: Path) -> None:
    """searxng's ``Result.filter_urls(filter_func)`` calls whatever it is handed; one plugin hands
    it a function that reads the database, so the class counted as reaching the database and
    could not be copied into the services that use it with their own callbacks."""
    from analyzer.extract.program import Program
    from tests.helpers import build_tree

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/db.py": DECLARATIVE_BASE,
        "proj/results.py": """
            class Result:
                def __init__(self, url):
                    self.url = url

                def filter_urls(self, filter_func):
                    self.url = filter_func(self.url)
                    return self.normalize()

                def normalize(self):
                    return self.url.strip()
        """,
        "proj/blocklist.py": """
            from sqlalchemy import Column, Integer, String
            from sqlalchemy.orm import Session

            from proj.db import Base
            from proj.results import Result


            class Blocked(Base):
                __tablename__ = "blocked"
                id = Column(Integer, primary_key=True)
                host = Column(String(200))


            def allowed(session: Session, url):
                return session.query(Blocked).filter(Blocked.host == url).first() is None


            def clean(url):
                return url if allowed(Session(), url) else ""


            def check(url):
                return Result(url).filter_urls(clean)
        """,
    })
    doc = run_analysis(root, AnalyzeOptions(use_cache=False, progress=False))
    prog = Program(doc)
    assert prog.called_back("proj.results.Result.filter_urls", "proj.blocklist.clean")
    assert not prog.called_back("proj.results.Result.filter_urls", "proj.results.Result.normalize")
    assert prog.touches("proj.results.Result") is None
    assert prog.touches("proj.blocklist.clean") == "proj.blocklist.allowed"
    # what it writes (for retries) and whether it reads the request still count the callback
    assert "proj.blocklist.allowed" in prog.reach("proj.results.Result.filter_urls")


def test_a_module_another_services_module_imports_is_re_exported_by_its_facade(tmp_path: Path) -> None:
    """``from proj.incident.flows import incident_service`` where ``flows`` binds the module
    (``from proj.incident import service as incident_service``) and every function of
    ``flows`` belongs to another service: the facade of ``flows`` in the importing service
    must still bind the module (Dispatch's task service failed on import)."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/incident/__init__.py": "",
        "proj/incident/service.py": """
            def get(incident_id: int) -> dict:
                return {"id": incident_id}
        """,
        "proj/incident/flows.py": """
            from proj.incident import service as incident_service


            def open_incident(incident_id: int) -> dict:
                return incident_service.get(incident_id)
        """,
        "proj/task/__init__.py": "",
        "proj/task/service.py": """
            from proj.incident import flows
            from proj.incident.flows import incident_service


            def remind(incident_id: int) -> dict:
                flows.open_incident(incident_id)
                return incident_service.get(incident_id)
        """,
        "plan.toml": plan_toml({"incident": ["proj.incident"], "task": ["proj.task"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "task"
    check = "import task_service.ported.proj.task.service as m; print(m.incident_service.__name__)"
    result = python_ok(service, check)
    assert result.stdout.strip().endswith("proj.incident.service")


def test_a_stubbed_function_is_a_function_of_the_same_parameters(tmp_path: Path) -> None:
    """A function of another service that can be neither called (no operation) nor copied
    (it reads the database) is bound to a stub; handed on import to a library that inspects
    it (Slack Bolt's ``middleware=[db_middleware]``), a stub object failed the import. The stub
    is a function of the same parameters, which raises ``NotExtracted`` when called."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/db.py": DECLARATIVE_BASE,
        "proj/slack/__init__.py": "",
        "proj/slack/middleware.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import Session

            from proj.db import Base


            class Installation(Base):
                __tablename__ = "installations"
                id = Column(Integer, primary_key=True)


            async def db_middleware(context, next, *, session: Session = None):
                context["installation"] = session.query(Installation).first()
                return await next()
        """,
        "proj/report/__init__.py": "",
        "proj/report/views.py": """
            import inspect

            from proj.slack.middleware import db_middleware

            MIDDLEWARE = [db_middleware]
            ARITY = {m.__name__: list(inspect.signature(m).parameters) for m in MIDDLEWARE}
        """,
        "plan.toml": plan_toml({"slack": ["proj.slack"], "report": ["proj.report"]}, ["proj", "proj.db"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "report"
    check = ("import asyncio, inspect; import report_service.ported.proj.report.views as m; "
             "from report_service.wire import NotExtracted\n"
             "print(m.ARITY, inspect.iscoroutinefunction(m.MIDDLEWARE[0]))\n"
             "try:\n    asyncio.run(m.MIDDLEWARE[0]({}, None))\n"
             "except NotExtracted as exc:\n    print('raised', 'proj.slack.middleware.db_middleware' in str(exc))")
    result = python_ok(service, check)
    assert result.stdout.split("\n")[:2] == ["{'db_middleware': ['context', 'next', 'session']} True", "raised True"]


@pytest.mark.parametrize(("imports", "test"), [("import typing as t", "t.TYPE_CHECKING"),
                                               ("from typing import TYPE_CHECKING", "TYPE_CHECKING")])
def test_a_type_checking_block_kept_for_a_forward_reference_keeps_what_its_test_reads(
        tmp_path: Path, imports: str, test: str) -> None:
    """``resp: "SXNG_Response"`` names a class imported under ``if t.TYPE_CHECKING:``; a copy
    that keeps the block for it must keep ``import typing as t`` too (searxng's
    ``raise_for_httperror`` failed with ``NameError: name 't' is not defined``), and
    ``from typing import TYPE_CHECKING`` for a bare ``if TYPE_CHECKING:`` (mealie's models:
    ``NameError: name 'TYPE_CHECKING' is not defined`` in 16 services)."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/types.py": """
            class Response:
                status_code = 200
        """,
        "proj/net/__init__.py": "",
        "proj/net/errors.py": f"""
            {imports}

            if {test}:
                from proj.types import Response


            def is_error(resp: "Response") -> bool:
                return resp.status_code >= 400


            def is_busy(resp: "Response") -> bool:
                return resp.status_code == 429
        """,
        "proj/search/__init__.py": "",
        "proj/search/fetch.py": """
            from proj.net.errors import is_error


            def fetch(resp) -> bool:
                return not is_error(resp)
        """,
        "plan.toml": plan_toml({"net": ["proj.net"], "search": ["proj.search", "proj.net.errors.is_error"]},
                               ["proj", "proj.types"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "search"
    check = "import search_service.ported.proj.net.errors as m; print(m.is_error.__name__)"
    python_ok(service, check)


def test_a_function_a_module_calls_on_import_is_copied_not_rewired(tmp_path: Path) -> None:
    """``install_plugins()`` at the top of Dispatch's ``main.py`` runs while the module is
    imported, before the service binds any client: rewired, it failed with "no client bound".
    What it sets up (a registry of plugins) is the calling process's own, so a function that
    can be copied is copied; one called only from functions is still rewired."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/plugins/__init__.py": "",
        "proj/plugins/cli.py": """
            import os


            def install_plugins() -> int:
                return len(os.environ.get("PLUGINS", "").split(","))


            def plugin_count() -> int:
                return 3
        """,
        "proj/slack/__init__.py": "",
        "proj/slack/main.py": """
            from proj.plugins.cli import install_plugins, plugin_count

            INSTALLED = install_plugins()


            def status() -> int:
                return plugin_count()
        """,
        "plan.toml": plan_toml({"plugins": ["proj.plugins"], "slack": ["proj.slack"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "slack"
    copied = (service / "slack_service" / "ported" / "proj" / "plugins" / "cli.py").read_text()
    assert "def install_plugins() -> int:\n    return len(" in copied
    assert "_msa_wire.call(" in copied and "def plugin_count()" in copied  # still a proxy
    check = "import slack_service.ported.proj.slack.main as m; print(m.INSTALLED)"
    result = python_in(service, check)
    assert result.returncode == 0 and result.stdout.strip() == "1", result.stdout[-3000:] + result.stderr[-3000:]


def test_another_services_fastapi_dependencies_keep_the_routes_that_name_them_defined(tmp_path: Path) -> None:
    """``CurrentUser = Annotated[User, Depends(get_current_user)]`` of the auth service: a
    route of another service that names it is defined on import (FastAPI reads the type), and
    so are the shared library's dependencies built on it and on ``Depends(get_current_role)``
    (Dispatch's ``CommonParameters``, which the views of 15 services import). A request that
    needs one fails with ``NotExtracted`` until it is ported."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/db.py": DECLARATIVE_BASE,
        "proj/auth/__init__.py": "",
        "proj/auth/models.py": """
            from sqlalchemy import Column, Integer, String

            from proj.db import Base


            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
                role = Column(String(20))
        """,
        "proj/auth/service.py": """
            from typing import Annotated

            from fastapi import Depends, Request
            from sqlalchemy.orm import Session

            from proj.auth.models import User


            def get_current_user(request: Request) -> User:
                return Session().query(User).first()


            CurrentUser = Annotated[User, Depends(get_current_user)]


            def get_current_role(request: Request, current_user: CurrentUser) -> str:
                return current_user.role
        """,
        "proj/common.py": """
            from typing import Annotated

            from fastapi import Depends, Query

            from proj.auth.service import CurrentUser, get_current_role


            def common_parameters(current_user: CurrentUser, page: int = Query(1), role: str = Depends(get_current_role)):
                return {"page": page, "role": role}


            CommonParameters = Annotated[dict, Depends(common_parameters)]
        """,
        "proj/tags/__init__.py": "",
        "proj/tags/views.py": """
            from fastapi import APIRouter

            from proj.auth.service import CurrentUser
            from proj.common import CommonParameters

            router = APIRouter()


            @router.get("/tags")
            def get_tags(common: CommonParameters, user: CurrentUser):
                return [common["page"]]
        """,
        "plan.toml": plan_toml({"auth": ["proj.auth"], "tags": ["proj.tags"]},
                               ["proj", "proj.db", "proj.common"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "tags"
    check = ("from fastapi import FastAPI; from fastapi.testclient import TestClient\n"
             "import tags_service.ported.proj.tags.views as views\n"
             "app = FastAPI(); app.include_router(views.router)\n"
             "try:\n    TestClient(app).get('/tags')\n"
             "except Exception as exc:\n    print(type(exc).__name__, 'proj.auth.service' in str(exc))")
    result = python_ok(service, check)
    assert result.stdout.strip().splitlines()[-1] == "NotExtracted True"


def test_a_services_readme_names_the_environment_its_code_reads(tmp_path: Path) -> None:
    """Dispatch's config reads ``DISPATCH_ENCRYPTION_KEY`` on import with no default: every
    service failed without it, and nothing generated named it. The README of a service lists
    the variables its copied code reads (the shared library's included), those without a
    default first."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/config.py": """
            import os

            SECRET_KEY = os.environ["SECRET_KEY"]
            DEBUG = os.getenv("DEBUG", "0") == "1"
        """,
        "proj/orders/__init__.py": "",
        "proj/orders/views.py": """
            import os

            from proj.config import DEBUG


            def show(order_id: int) -> dict:
                return {"id": order_id, "debug": DEBUG, "region": os.environ.get("REGION")}
        """,
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": """
            def total() -> int:
                return 0
        """,
        "plan.toml": plan_toml({"orders": ["proj.orders"], "billing": ["proj.billing"]},
                               ["proj", "proj.config"]),
    })
    out = extract_planned(root, tmp_path / "out")
    readme = (out / "services" / "orders" / "README.md").read_text()
    assert "Read with no default (the code that reads them fails without them):\n`SECRET_KEY`." in readme
    assert "Read with a default: `DEBUG`, `REGION`." in readme
    billing = (out / "services" / "billing" / "README.md").read_text()  # the shared library is in every service
    assert "`SECRET_KEY`." in billing and "REGION" not in billing


def test_a_star_import_does_not_bind_what_its_module_imports_only_for_type_checkers(tmp_path: Path) -> None:
    """mealie's ``models/users/__init__.py`` star-imports ``password_reset``, then ``users``.
    ``password_reset`` imports ``User`` under ``if TYPE_CHECKING:`` only, so at run time the
    package's ``User`` is ``users``'s; the copy followed the first star import and bound it to
    a module holding nothing but that block (``NameError`` in 4 services)."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/accounts/__init__.py": "",
        "proj/accounts/models/__init__.py": "from .reset import *\nfrom .users import *\n",
        "proj/accounts/models/reset.py": """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from .users import User


            class Reset:
                def owner(self) -> "User":
                    raise NotImplementedError
        """,
        "proj/accounts/models/users.py": """
            class User:
                def __init__(self, name: str) -> None:
                    self.name = name
        """,
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": """
            from proj.accounts.models import User


            def customer(name: str) -> str:
                return User(name).name
        """,
        "plan.toml": plan_toml({"accounts": ["proj.accounts"], "billing": ["proj.billing"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "billing"
    result = python_ok(service, "import billing_service.ported.proj.billing.views as m; print(m.customer('ann'))")
    assert result.stdout.strip().splitlines()[-1] == "ann"


def test_a_module_a_kept_star_import_names_exists_in_the_copy(tmp_path: Path) -> None:
    """mealie's shared ``models/recipe/__init__.py`` star-imports every model module, most of
    them other services'. A module nothing of this service uses was never copied, and the
    vendored package failed on import (``No module named ...api_extras``)."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/models/__init__.py": "from .orders import *\nfrom .invoices import *\n",
        "proj/models/orders.py": "class Order:\n    total = 0\n",
        "proj/models/invoices.py": "class Invoice:\n    number = ''\n",
        "proj/orders/__init__.py": "",
        "proj/orders/views.py": "from proj.models import Order\n\n\ndef total() -> int:\n    return Order.total\n",
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": "from proj.models import Invoice\n\n\ndef number() -> str:\n    return Invoice.number\n",
        "plan.toml": plan_toml({"orders": ["proj.orders", "proj.models.orders"],
                                "billing": ["proj.billing", "proj.models.invoices"]}, ["proj", "proj.models"]),
    })
    out = extract_planned(root, tmp_path / "out")
    python_ok(out / "services" / "billing", "import billing_service.vendor.proj.models as m; print(m.Invoice)")


def test_top_level_code_using_a_stub_on_import_is_left_out(tmp_path: Path) -> None:
    """mealie's shared schema module stubs ``RecipeCategoryResponse`` (it reads another
    service's model when it is defined) and then calls ``RecipeCategoryResponse.model_rebuild()``
    on import; its users module registers ``@event.listens_for(UserToRecipe, ...)`` on another
    service's model. Both raised on import in every service that holds the copy."""
    from tests.helpers import build_tree, extract_planned, sqlalchemy_models

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/db.py": DECLARATIVE_BASE,
        "proj/recipes/__init__.py": "",
        "proj/recipes/models.py": sqlalchemy_models(Recipe="recipes"),
        "proj/recipes/views.py": """
            from proj.recipes.models import Recipe


            def count(session) -> int:
                return session.query(Recipe).count()
        """,
        "proj/schema.py": """
            from pydantic import BaseModel, ConfigDict
            from sqlalchemy import event

            from proj.recipes.models import Recipe


            class Category(BaseModel):
                name: str = ""


            class CategoryResponse(Category):
                model_config = ConfigDict(arbitrary_types_allowed=True)
                recipes: list[Recipe] = []


            CategoryResponse.model_rebuild()
        """,
        "proj/billing/__init__.py": "",
        "proj/billing/hooks.py": """
            from sqlalchemy import event

            from proj.recipes.models import Recipe


            @event.listens_for(Recipe, "after_insert")
            def on_recipe(mapper, connection, target) -> None:
                pass
        """,
        "proj/billing/views.py": """
            from proj.billing import hooks
            from proj.schema import Category


            def label() -> str:
                return Category(name="x").name + hooks.on_recipe.__name__
        """,
        "plan.toml": plan_toml({"recipes": ["proj.recipes"], "billing": ["proj.billing"]},
                               ["proj", "proj.db", "proj.schema"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "billing"
    result = python_ok(service, "import billing_service.ported.proj.billing.views as m; print(m.label())")
    assert result.stdout.strip().splitlines()[-1] == "xon_recipe"
    migration = (out / "MIGRATION.md").read_text()
    assert "CategoryResponse.model_rebuild()" in migration and '@event.listens_for(Recipe, "after_insert")' in migration
    hooks = (service / "billing_service" / "ported" / "proj" / "billing" / "hooks.py").read_text()
    assert "listens_for" not in hooks and "def on_recipe" in hooks

