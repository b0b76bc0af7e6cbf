"""The libcst pieces of extraction on small sources: the inventory of a module and the codemods
that turn it into a service's copy (imports, pruning, ORM models, code-naming strings)."""

from __future__ import annotations

from textwrap import dedent

import libcst as cst
import pytest

from analyzer.extract.codemod import CopyContext, copy_module
from analyzer.extract.inventory import parse
from analyzer.extract.model import PORTED, VENDOR, ModulePlan
from analyzer.facts import absolute

MONOLITH = {"shop", "shop.orders", "shop.orders.models", "shop.orders.services", "shop.catalog",
            "shop.catalog.models", "shop.common", "shop.common.helpers", "shop.config", "shop.db"}
SHARED = {"shop", "shop.common", "shop.common.helpers", "shop.config", "shop.db"}


def local(dotted: str) -> str:
    tree = VENDOR if dotted in SHARED else PORTED
    return f"orders_service.{tree}.{dotted}"


def context(**changes) -> CopyContext:
    base = {"service": "orders", "package": "orders_service", "source_path": "shop/orders/services.py",
            "local": local, "is_monolith": lambda d: d in MONOLITH, "strings": {}, "foreign_tables": frozenset(),
            "foreign_entities": frozenset(), "entity_classes": frozenset(), "replica_note": {}}
    base.update(changes)
    return CopyContext(**base)


def copy(source: str, module: str = "shop.orders.services", plan: ModulePlan | None = None, **changes) -> tuple[str, list]:
    parsed = parse(module, False, dedent(source))
    plan = plan or ModulePlan(module, PORTED, full=True)
    if plan.full:
        plan.units |= set(parsed.inventory.units())
    text, removals = copy_module(parsed, plan, context(**changes), "header line")
    cst.parse_module(text)  # the copy is valid Python
    return text, removals


# -- inventory -----------------------------------------------------------------------------------------


def test_relative_imports_resolve_against_the_module_or_package() -> None:
    assert absolute("shop.orders.services", False, 1, "models") == "shop.orders.models"
    assert absolute("shop.orders", True, 1, "services") == "shop.orders.services"
    assert absolute("shop.orders.services", False, 2, "catalog.models") == "shop.catalog.models"
    assert absolute("shop.orders.services", False, 0, "flask") == "flask"


def test_the_inventory_knows_units_uses_state_and_constants() -> None:
    inv = parse("shop.notifications.tasks", False, dedent("""
        import itertools
        from collections import deque
        from shop.config import get_setting

        TASKS = {}
        LIMIT = 5
        _queue = deque()
        _ids = itertools.count(1)

        def enqueue(name, *args):
            _queue.append((next(_ids), name, args))
            return get_setting("EAGER")

        def register(fn):
            TASKS[fn.__name__] = fn
            return fn

        def pure(x):
            return x * LIMIT
    """)).inventory
    units = inv.units()
    assert set(units) == {"enqueue", "register", "pure"}
    assert {"_queue", "_ids", "get_setting"} <= units["enqueue"].refs
    assert "x" not in units["pure"].refs and "LIMIT" in units["pure"].refs
    assert inv.mutated == {"_queue", "_ids", "TASKS"}
    constants = {st.binds[0]: st.constant for st in inv.statements if st.kind == "assign"}
    assert constants == {"TASKS": True, "LIMIT": True, "_queue": False, "_ids": False}
    [imp] = [b for st in inv.statements for b in st.imports if b.name == "get_setting"]
    assert (imp.module, imp.attr) == ("shop.config", "get_setting")


def test_a_forward_reference_in_an_annotation_is_a_use() -> None:
    """``settings: "UserSettingsRead | None"`` names a class that pydantic looks up in the
    module later: a copy of ``UserRead`` needs it too. The strings of a ``Literal`` are values."""
    inv = parse("shop.auth.models", False, dedent("""
        from typing import Literal, Optional

        class UserRead(Base):
            settings: "UserSettingsRead | None" = None
            teams: list["TeamRead"] = []
            role: Literal["admin", "member"] = "member"

            def owner(self) -> Optional["Owner"]:
                return None
    """)).inventory
    refs = inv.units()["UserRead"].refs
    assert {"UserSettingsRead", "TeamRead", "Owner", "Base"} <= refs
    assert not {"admin", "member"} & refs


def test_the_inventory_knows_the_environment_variables_a_statement_reads() -> None:
    """``os.environ[...]`` and a settings reader without a default are required; ``getenv``,
    ``environ.get`` and a reader given a default are not; a settings reader's name must be in
    capitals (``config("lower")`` is some other call); one the code checks for first
    (``"BUILD" in os.environ``) is not required either."""
    inv = parse("shop.config", False, dedent("""
        import os

        KEY = config("SECRET_KEY", cast=str)
        PORT = config("PORT", cast=int, default=5432)
        DB = os.environ["DATABASE_URL"]
        X = env.str("FLAVOUR", "plain")

        def flags():
            return os.getenv("DEBUG", "0"), os.environ.get("HOME"), config("lower"), env.bool("FEATURE_X")

        def app(environ, start_response):
            return environ["PATH_INFO"], environ.get("HTTP_HOST")

        def build():
            if "BUILD" in os.environ:
                return os.environ["BUILD"]
            return os.environ["VERSION"]
    """)).inventory
    env = {st.binds[0]: (sorted(st.env), sorted(st.env_required)) for st in inv.statements[1:]}
    assert env == {"KEY": (["SECRET_KEY"], ["SECRET_KEY"]), "PORT": (["PORT"], []),
                   "DB": (["DATABASE_URL"], ["DATABASE_URL"]), "X": (["FLAVOUR"], []),
                   "flags": (["DEBUG", "FEATURE_X", "HOME"], ["FEATURE_X"]), "app": ([], []),
                   "build": (["BUILD", "VERSION"], ["VERSION"])}  # checked before it is read: not required


def test_the_fields_of_a_settings_class_are_environment_variables() -> None:
    """pydantic-settings reads each field of a ``BaseSettings`` class from the environment
    (mealie's ``AppSettings``: ``SECRET: str``, ``BASE_URL: str = "..."``), with the class's
    ``env_prefix``, which a subclass in the module inherits."""
    inv = parse("shop.settings", False, dedent("""
        from typing import ClassVar

        from pydantic_settings import BaseSettings, SettingsConfigDict

        class Logging(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="shop_")
            log_level: str = "info"

        class App(Logging):
            SECRET: str
            BASE_URL: str = "http://localhost"
            _cache: dict = {}
            KINDS: ClassVar[tuple] = ()

        class Legacy(BaseSettings):
            token: str

            class Config:
                env_prefix = "OLD_"

        class Plain:
            NAME: str
    """)).inventory
    env = {st.binds[0]: (sorted(st.env), sorted(st.env_required)) for st in inv.statements if st.kind == "class"}
    assert env == {"Logging": (["SHOP_LOG_LEVEL"], []),
                   "App": (["SHOP_BASE_URL", "SHOP_SECRET"], ["SHOP_SECRET"]),
                   "Legacy": (["OLD_TOKEN"], ["OLD_TOKEN"]), "Plain": ([], [])}


def test_registries_a_module_fills_on_import_count_as_constants() -> None:
    # a template tag library and a signal, which the module's decorators name: a copy of
    # some of its units gets its own rather than a stub that fails the decorator on import;
    # and choices with translated labels
    inv = parse("site.utils.templatetags.topbar", False, dedent("""
        from django import template
        from django.dispatch import Signal

        register = template.Library()
        post_unread = Signal()
        cache = make_cache()
        STATUS_CHOICES = (("open", _("Open")), ("closed", gettext_lazy("Closed")))
    """)).inventory
    constants = {st.binds[0]: st.constant for st in inv.statements if st.kind == "assign"}
    assert constants == {"register": True, "post_unread": True, "cache": False, "STATUS_CHOICES": True}


def test_values_made_of_the_modules_constants_are_constants() -> None:
    # Django's choices built of the module's own constants, and lists derived from them
    inv = parse("site.tutorials.models", False, dedent("""
        from django.utils.translation import gettext_lazy as _

        DRAFT = 0
        PUBLISHED = 1
        STATUS_CHOICES = ((DRAFT, _("Draft")), (PUBLISHED, _("Published")))
        CONTENT_TYPES = [{"name": "ARTICLE", "verbose_name": "article"}, {"name": "TUTORIAL", "verbose_name": "tuto"}]
        TYPE_CHOICES = [(c["name"], c["verbose_name"].capitalize()) for c in CONTENT_TYPES]
        TYPE_CHOICES_DICT = dict(TYPE_CHOICES)
        counter = 0
        COUNTED = [counter]
        LOADED = load_types(CONTENT_TYPES)

        def bump():
            global counter
            counter += 1
    """)).inventory
    constants = {st.binds[0]: st.constant for st in inv.statements if st.kind == "assign"}
    assert constants == {"DRAFT": True, "PUBLISHED": True, "STATUS_CHOICES": True, "CONTENT_TYPES": True,
                         "TYPE_CHOICES": True, "TYPE_CHOICES_DICT": True,
                         "counter": True, "COUNTED": False,  # ``counter`` changes after import: state
                         "LOADED": False}


def test_instances_a_library_makes_of_constants_are_copied_like_constants() -> None:
    # each service makes its own ``db = SQLAlchemy()``: a stub in its place failed the
    # service's own models on import (CTFd's ``class Fields(db.Model)``)
    inv = parse("app.models", False, dedent("""
        import os

        from flask import Blueprint
        from flask_limiter import Limiter
        from flask_limiter.util import get_remote_address
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy import create_engine
        from sqlalchemy.orm import declarative_base, sessionmaker

        from app.config import make_engine
        from app.state import registry

        db = SQLAlchemy()
        Base = declarative_base()
        engine = create_engine(os.environ["DB_URL"], pool_size=5)
        Session = sessionmaker(bind=engine)
        limiter = Limiter(key_func=get_remote_address)
        bp = Blueprint("app", __name__)
        ours = make_engine()
        theirs = create_engine(registry.url)
        tracked = SQLAlchemy()
        tracked.extra = 1
    """), lambda module: module.startswith("app.")).inventory
    makers = {st.binds[0]: st.maker for st in inv.statements if st.kind == "assign" and st.binds}
    assert makers == {
        "db": "flask_sqlalchemy.SQLAlchemy", "Base": "sqlalchemy.orm.declarative_base",
        "engine": "sqlalchemy.create_engine", "Session": "sqlalchemy.orm.sessionmaker",
        "limiter": "flask_limiter.Limiter",
        "bp": "flask.Blueprint",  # a copy serves the routes decorated with it there
        "ours": "", "theirs": "",  # the project's own factory, a project value as argument
        "tracked": "",  # changed after import: state
    }
    # without knowing the project, nothing counts as a library's instance
    plain = parse("app.models", False, "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n").inventory
    assert [st.maker for st in plain.statements if st.kind == "assign"] == [""]


def test_function_level_imports_are_recorded_with_their_unit() -> None:
    inv = parse("shop.payments.services", False, dedent("""
        def capture(session, payment_id):
            from shop.orders.services import mark_paid
            return mark_paid(session, payment_id)
    """)).inventory
    unit = inv.units()["capture"]
    assert [(b.name, b.module, b.attr) for b in unit.imports] == [("mark_paid", "shop.orders.services", "mark_paid")]


def test_names_follow_pythons_scopes() -> None:
    inv = parse("shop.orders.services", False, dedent("""
        import datetime
        import json
        import shop.common.helpers
        from shop.config import LIMIT, get_setting


        class Window:
            datetime: datetime.datetime  # the field's annotation reads the module
            LIMIT = LIMIT  # so does its value, before the class binds its own

            def size(self, json=None):  # a parameter hides the module's json
                return [get_setting for get_setting in range(3)]  # so does a comprehension's target


        def dump(rows):
            json = rows  # a local: the module's json is not read here
            return json
    """)).inventory
    window = inv.units()["Window"]
    assert {"datetime", "LIMIT"} <= window.refs
    assert "datetime" in window.defined_with and "LIMIT" in window.defined_with
    assert "json" not in window.refs and "get_setting" not in window.refs
    assert "json" not in inv.units()["dump"].refs
    bare = [b for st in inv.statements for b in st.imports if b.loads]
    assert [(b.name, b.module, b.loads) for b in bare] == [("shop", "shop", "shop.common.helpers")]


# -- imports ---------------------------------------------------------------------------------------------


def test_imports_follow_the_service_layout() -> None:
    text, removals = copy("""
        from __future__ import annotations
        import logging
        import shop.orders.models as order_models
        from flask import g
        from shop.common.helpers import utcnow
        from shop.orders import models
        from .models import Order
        from shop import config, orders
        from shop.catalog.models import *

        def place(session):
            from shop.orders.models import Order as O
            return O, Order, utcnow, g, models, config, orders, order_models, logging
    """)
    assert "from __future__ import annotations" in text
    assert "import logging\n" in text and "from flask import g\n" in text
    assert "import orders_service.ported.shop.orders.models as order_models" in text
    assert "from orders_service.vendor.shop.common.helpers import utcnow" in text
    assert "from orders_service.ported.shop.orders import models" in text
    assert "from orders_service.ported.shop.orders.models import Order\n" in text
    # one import naming a shared and a service module becomes two
    assert "from orders_service.vendor.shop import config" in text
    assert "from orders_service.ported.shop import orders" in text
    assert "from orders_service.ported.shop.catalog.models import *" in text
    assert "    from orders_service.ported.shop.orders.models import Order as O" in text
    assert text.startswith("# header line\n")
    assert removals == []


# -- the shared library's copy ---------------------------------------------------------------------------


def test_statements_using_another_services_code_are_pruned_from_the_shared_copy() -> None:
    plan = ModulePlan("shop", VENDOR, full=True, pruned={"catalog_bp", "run_pending"})
    text, removals = copy("""
        def register(app):
            from shop.catalog.views import bp as catalog_bp
            from shop.orders.views import bp as orders_bp
            app.register_blueprint(catalog_bp, url_prefix="/catalog")
            app.register_blueprint(orders_bp, url_prefix="/orders")

        def after(response):
            from shop.notifications.tasks import run_pending
            done = run_pending()
            if done:
                print(done)
            return response
    """, module="shop", plan=plan)
    assert "catalog_bp" not in text and "run_pending" not in text
    assert 'app.register_blueprint(orders_bp, url_prefix="/orders")' in text
    # `done` was bound by a pruned statement: what uses it goes too
    assert "done" not in text and "return response" in text
    lines = sorted(int(r.source.rsplit(":", 1)[1]) for r in removals)
    assert lines == [3, 5, 9, 10, 11]  # the `if done:` block goes whole, reported once
    assert all(r.reason for r in removals)


def test_pruning_follows_pythons_scopes() -> None:
    """A name pruned at the top level, or a local pruned in one function, says nothing of a
    parameter or local of the same name in another function; a parameter that a pruned
    statement binds again stays bound (Dispatch's vendored ``database/service.py`` had lost
    the bodies of ``get_all``, ``has_tag_all`` and a dozen more)."""
    plan = ModulePlan("shop.db", VENDOR, full=True, pruned={"Signal"})
    text, removals = copy("""
        from shop.signals.models import Signal

        KINDS = {Signal: "signal"}
        model = Signal

        def joins(query):
            model_map = {Signal: "signal"}
            for model, join in model_map.items():
                query = query.join(model)
            return query

        def get_all(*, session, model):
            return session.query(model)

        def has_filter(spec):
            model_map = {}
            return any(f["model"] in model_map for f in spec)

        def named():
            return model
    """, module="shop.db", plan=plan)
    assert "return session.query(model)" in text
    assert 'model_map = {}\n    return any(f["model"] in model_map for f in spec)' in text
    assert "KINDS" not in text and "Signal" not in text
    assert "def joins(query):\n    return query" in text
    assert "def named():\n    pass" in text  # the module's ``model`` went: this one reads it
    assert len(removals) == 6  # import, KINDS, model, model_map, the loop, ``return model``


def test_a_def_whose_annotations_name_pruned_code_keeps_them_as_strings() -> None:
    """An annotation is kept, not run (unless something asks for the type hints): a def whose
    parameters or result are annotated with another service's class stays, its annotations
    quoted; one whose decorator or default uses it goes (Dispatch's
    ``search_filter_sort_paginate(..., current_user: DispatchUser = None)``)."""
    plan = ModulePlan("shop.db", VENDOR, full=True, pruned={"User", "current_user"})
    text, removals = copy("""
        from shop.auth.models import User
        from shop.auth.deps import current_user

        def paginate(query, page: int = 1, user: User | None = None) -> list[User]:
            return query.limit(page)

        def me(user=current_user):
            return user
    """, module="shop.db", plan=plan)
    assert "def paginate(query, page: int = 1, user: 'User | None' = None) -> 'list[User]':" in text
    assert "return query.limit(page)" in text
    assert "def me" not in text
    assert any("kept as strings" in r.reason for r in removals)


def test_an_emptied_block_keeps_a_pass() -> None:
    plan = ModulePlan("shop", VENDOR, full=True, pruned={"hook"})
    text, _ = copy("""
        from shop.x import hook

        def start():
            hook()
    """, module="shop", plan=plan)
    assert "def start():\n    pass\n" in text


# -- ORM models -------------------------------------------------------------------------------------------


def test_foreign_keys_and_relationships_to_other_services_go() -> None:
    text, removals = copy("""
        from sqlalchemy import ForeignKey
        from sqlalchemy.orm import Mapped, mapped_column, relationship
        from shop.db import Base

        class Order(Base):
            __tablename__ = "orders"
            id: Mapped[int] = mapped_column(primary_key=True)
            customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
            lines: Mapped[list["OrderLine"]] = relationship(back_populates="order")

        class OrderLine(Base):
            __tablename__ = "order_lines"
            order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
            product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
            order: Mapped[Order] = relationship(back_populates="lines")
            product: Mapped["Product"] = relationship("Product", viewonly=True)
    """, module="shop.orders.models", foreign_tables=frozenset({"customers", "products"}),
        foreign_entities=frozenset({"Product", "Customer"}), entity_classes=frozenset({"Order", "OrderLine"}))
    assert 'mapped_column(index=True)' in text
    assert 'ForeignKey("orders.id")' in text
    assert "product_id: Mapped[int] = mapped_column()" in text
    assert 'relationship(back_populates="order")' in text and 'relationship(back_populates="lines")' in text
    assert '"Product"' not in text
    reasons = sorted(r.reason.split(",")[0] for r in removals)
    assert reasons == ["a foreign key to `customers`", "a foreign key to `products`",
                       "a relationship to `Product`"]


def test_a_foreign_key_naming_another_services_model_class_goes_too() -> None:
    """``ForeignKey(PluginEvent.id)`` reads the class when the model is defined: here the class
    is a stub, so the constraint goes and the column stays (Dispatch's ``ParticipantActivity``)."""
    text, removals = copy("""
        from sqlalchemy import Column, ForeignKey, Integer
        from shop.db import Base
        from shop.plugins.models import PluginEvent
        from shop.orders.models import Order

        class Activity(Base):
            __tablename__ = "activity"
            id = Column(Integer, primary_key=True)
            plugin_event_id = Column(Integer, ForeignKey(PluginEvent.id, ondelete="CASCADE"))
            order_id = Column(Integer, ForeignKey(Order.id))
    """, module="shop.activity.models", foreign_entities=frozenset({"PluginEvent"}),
        entity_classes=frozenset({"Activity"}))
    assert "plugin_event_id = Column(Integer)" in text
    assert "ForeignKey(Order.id)" in text  # this service's own model
    assert [r.reason.split(",")[0] for r in removals] == ["a foreign key to `PluginEvent`"]


# -- strings that name code ---------------------------------------------------------------------------------


def test_code_naming_strings_point_at_the_copy_or_leave_the_list() -> None:
    text, removals = copy("""
        class Config:
            MODEL_MODULES = ("shop.orders.models", "shop.catalog.models")
            GATEWAY = "shop.payments.gateways.FakeGateway"
        CONFIGS = {"testing": "shop.config.TestingConfig"}
    """, module="shop.config", strings={
        "shop.orders.models": "orders_service.ported.shop.orders.models",
        "shop.catalog.models": None,
        "shop.payments.gateways.FakeGateway": None,
        "shop.config.TestingConfig": "orders_service.vendor.shop.config.TestingConfig",
    })
    assert 'MODEL_MODULES = ("orders_service.ported.shop.orders.models", )' in text or \
        'MODEL_MODULES = ("orders_service.ported.shop.orders.models",)' in text
    assert '"shop.payments.gateways.FakeGateway"' in text  # another service's: left, unused here
    assert '"orders_service.vendor.shop.config.TestingConfig"' in text
    assert [r.what for r in removals] == ["shop.catalog.models"]


# -- partial copies ------------------------------------------------------------------------------------------


def test_a_partial_copy_keeps_its_units_marks_replicas_and_drops_unused_imports() -> None:
    source = """
        import hmac
        from flask import g, request
        from shop.common.helpers import utcnow

        def current_customer_id():
            return g.customer_id

        def issue_token(customer_id):
            return hmac.new(b"k", str(customer_id).encode(), "sha256").hexdigest() + str(utcnow())
    """
    parsed = parse("shop.accounts.auth", False, dedent(source))
    plan = ModulePlan("shop.accounts.auth", PORTED, full=False, units={"current_customer_id"},
                      replicas={"current_customer_id"}, statements={0, 1, 2})
    text, _ = copy_module(parsed, plan, context(replica_note={"current_customer_id": "accounts"}), "partial copy",
                          facade="# facade section\n")
    assert "def current_customer_id" in text and "def issue_token" not in text
    assert "# Replicated from the accounts service" in text
    assert "from flask import g\n" in text
    assert "hmac" not in text and "utcnow" not in text
    assert text.rstrip().endswith("# facade section")


@pytest.mark.parametrize("head", ["import shop.orders.models\n", "import shop.orders.models, os\n"])
def test_code_reaching_a_bare_dotted_import_uses_the_copys_name(head: str) -> None:
    # ``import shop.orders.models`` binds ``shop``; the copy's import binds ``orders_service``,
    # so the code's ``shop.orders.models.Order`` takes the copy's full name (searxng's
    # ``Iterable[searx.plugins.Plugin]``, evaluated where its class is defined, was a NameError)
    text, removals = copy(head + """
        from shop.orders.models import Order


        def pick(items: "list[shop.orders.models.Order]", kind=shop.orders.models.Order):
            return [shop.orders.models.Order(i) for i in items], kind, Order
    """.replace("\n        ", "\n"))
    assert "import orders_service.ported.shop.orders.models" in text
    assert "kind=orders_service.ported.shop.orders.models.Order" in text
    assert "[orders_service.ported.shop.orders.models.Order(i) for i in items]" in text
    assert "from orders_service.ported.shop.orders.models import Order" in text
    assert "shop.orders.models.Order(" not in text.replace("orders_service.ported.shop", "")
    assert removals == []


def test_a_route_registration_of_another_services_handler_is_left_out() -> None:
    text, removals = copy("""
        from flask import Flask
        from shop.catalog import views

        app = Flask(__name__)
        app.add_url_rule("/items", view_func=views.items)
        app.add_url_rule("/orders", view_func=views.orders)
    """, foreign_routes={6: "registers `GET /items`, a route the catalog service serves"})
    assert "/items" not in text and 'app.add_url_rule("/orders", view_func=views.orders)' in text
    assert [(r.what, r.reason) for r in removals] == [
        ('app.add_url_rule("/items", view_func=views.items)', "registers `GET /items`, a route the catalog service serves")]
