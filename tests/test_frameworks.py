"""One fixture folder per framework pattern (tests/fixtures/frameworks/<pattern>/), each run
through discover + parse + resolve + extract, asserting the exact entities and edges."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import front_end, sqlalchemy_models

from analyzer.frameworks import extract

FIXTURES = Path(__file__).parent / "fixtures" / "frameworks"


def run(pattern: str):
    facts, resolution = front_end(FIXTURES / pattern)
    return extract(facts, resolution)


def entities(found) -> set[tuple[str, str | None, bool]]:
    return {(e.id, e.table, e.abstract) for e in found.entities}


def edges(found, kind: str) -> set[tuple[str, str, int]]:
    return {(e.source, e.target, e.weight) for e in found.edges if e.kind == kind}


def routes(found) -> set[tuple[str, str | None]]:
    return {(r.id, r.handler) for r in found.routes}


def transactions(found) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(t.function, t.kind, t.writes) for t in found.transactions}


def references(found) -> set[tuple[str, str, str]]:
    return {(r["source"], r["target"], r["kind"]) for r in found.references}


# -- Django -----------------------------------------------------------------------------------

def test_django_models_tables_inheritance_and_relations():
    found = run("django_models")
    E = "entity:djshop."
    assert entities(found) == {
        (E + "accounts.models.Customer", "accounts_customer", False),  # AbstractUser subclass
        (E + "catalog.models.Category", "catalog_categories", False),  # Meta.db_table
        (E + "catalog.models.Product", "catalog_product", False),
        (E + "catalog.models.Tag", "catalog_tag", False),
        (E + "catalog.models.DigitalProduct", "catalog_digitalproduct", False),  # multi-table child
        (E + "common.models.TimeStamped", None, True),  # abstract: no table
        (E + "orders.models.Order", "sales_order", False),  # app label from the AppConfig
        (E + "orders.models.OrderLine", "sales_orderline", False),
        (E + "orders.models.Invoice", "sales_invoice", False),
    }  # FeaturedProduct is a proxy: no entity of its own
    assert edges(found, "relation") == {
        (E + "catalog.models.Product", E + "catalog.models.Category", 1),  # ForeignKey(Category)
        (E + "catalog.models.Product", E + "catalog.models.Tag", 1),  # ManyToManyField("Tag"), same app
        (E + "catalog.models.DigitalProduct", E + "catalog.models.Product", 1),  # parent link
        (E + "orders.models.Order", E + "accounts.models.Customer", 2),  # AUTH_USER_MODEL + inherited owner
        (E + "orders.models.OrderLine", E + "accounts.models.Customer", 1),  # inherited from the abstract base
        (E + "orders.models.OrderLine", E + "orders.models.Order", 1),
        (E + "orders.models.OrderLine", E + "catalog.models.Product", 1),  # "catalog.Product"
        (E + "orders.models.Invoice", E + "orders.models.Order", 1),  # OneToOneField("sales.Order")
    }
    # custom managers and querysets read their model
    assert edges(found, "read") == {
        ("djshop.catalog.models.ProductQuerySet.active", E + "catalog.models.Product", 1),
        ("djshop.orders.models.OrderManager.open", E + "orders.models.Order", 1),
    }
    assert ("djshop.orders.models.Invoice", "djshop.orders.models.Order", "model") in references(found)
    assert ("djshop.settings", "djshop.orders.apps.OrdersConfig", "installed-app") in references(found)
    assert found.counts["unresolved_relations"] == 0


def test_django_reads_writes_and_transactions():
    found = run("django_access")
    S, E = "app.store.services.", "entity:app.store.models."
    assert edges(found, "read") == {
        (S + "list_books", E + "Book", 1),  # filter().order_by(): one chain, one read
        (S + "ensure_author", E + "Author", 1),  # get_or_create reads and writes
        (S + "retitle", E + "Book", 1),
        (S + "find", E + "Book", 1),  # get_object_or_404(Book, ...)
        (S + "reviews_of", E + "Author", 1),
        (S + "reviews_of", E + "Book", 1),  # author.books.all(): related manager (related_name)
        (S + "by_name", E + "Author", 1),  # apps.get_model("store", "Author").objects.count()
        (S + "stats", E + "Book", 1),  # raw SQL through a cursor, table store_book
        (S + "stats", "entity:table:audit_log", 1),  # a table no model maps
    }
    assert edges(found, "write") == {
        (S + "rename_all", E + "Book", 1),  # filter().update(): one write, no read
        (S + "ensure_author", E + "Author", 1),
        (S + "retitle", E + "Book", 1),  # book = Book.objects.get(...); book.save()
        (S + "drop", E + "Book", 1),  # parameter annotated Book
        (S + "touch", E + "Book", 1),  # find() -> Book (return annotation)
        (S + "reviews_of", E + "Review", 1),  # book.review_set.create(): default reverse name
        (S + "checkout", E + "Review", 1),
    }
    assert transactions(found) == {
        (S + "checkout", "atomic-decorator", (E + "Book", E + "Review")),  # Book through retitle()
        (S + "archive", "atomic-with", (E + "Book",)),  # through rename_all()
    }
    assert found.counts["unresolved_accesses"] == 0


def test_django_urls_includes_class_views_and_drf_routers():
    found = run("django_urls")
    V, A = "mysite.blog.views.", "mysite.api."
    assert routes(found) == {
        ("entry:http:ANY /", V + "home"),
        ("entry:http:GET /blog/", V + "PostList"),  # ListView: GET
        ("entry:http:GET /blog/<int:pk>/edit/", V + "PostEdit"),  # include(extra): a named list
        ("entry:http:POST /blog/<int:pk>/edit/", V + "PostEdit"),  # the verbs PostEdit defines
        ("entry:http:POST /blog/<int:pk>/publish/", V + "publish"),  # include([...]); @require_POST
        ("entry:http:ANY /blog/<int:pk>/secret/", V + "secret"),  # login_required(views.secret)
        ("entry:http:GET /blog/drafts/", V + "Drafts"),  # drafts = Drafts.as_view() in views.py
        ("entry:http:GET /blog/drafts/mine/", V + "Drafts"),  # ... = login_required(Drafts.as_view())
        ("entry:http:ANY /legacy/(?P<year>[0-9]{4})/", V + "archive"),  # re_path, anchors dropped
        ("entry:http:GET /api/v1/posts/", A + "PostViewSet"),  # include(module) + include(router.urls)
        ("entry:http:POST /api/v1/posts/", A + "PostViewSet"),
        ("entry:http:GET /api/v1/posts/<pk>/", A + "PostViewSet"),
        ("entry:http:PUT /api/v1/posts/<pk>/", A + "PostViewSet"),
        ("entry:http:PATCH /api/v1/posts/<pk>/", A + "PostViewSet"),
        ("entry:http:DELETE /api/v1/posts/<pk>/", A + "PostViewSet"),
        ("entry:http:POST /api/v1/posts/<pk>/like/", A + "PostViewSet.like"),  # @action(detail=True)
        ("entry:http:GET /api/v1/stats/", A + "StatsViewSet.list"),  # only the actions it has
    }
    assert {(e.source, e.target) for e in found.edges if e.kind == "route"} == \
        {(rid, handler) for rid, handler in routes(found)}
    assert {("mysite.urls", "mysite.blog.urls", "urlconf"), ("mysite.urls", "mysite.api", "urlconf"),
            ("mysite.settings", "mysite.urls", "setting")} <= references(found)
    assert found.counts["unreached_urlconfs"] == 0


# -- SQLAlchemy -------------------------------------------------------------------------------

def test_sqlalchemy_models_tables_and_relations():
    found = run("sqlalchemy_models")
    E = "entity:inv."
    assert entities(found) == {
        (E + "models.Warehouse", "warehouses", False),
        (E + "models.Item", "items", False),
        (E + "models.Tag", "tags", False),
        (E + "models.Perishable", "perishables", False),  # joined-table inheritance
        (E + "models.Audited", None, True),  # __abstract__
        (E + "legacy.Supplier", "suppliers", False),  # declarative_base()
        (E + "legacy.Contract", "contracts", False),
        (E + "flaskmodels.StockMove", "stock_move", False),  # Flask-SQLAlchemy default name
        ("entity:table:item_tags", "item_tags", False),  # Table("item_tags", ...)
    }  # Gadget (single-table inheritance) shares Item's entity
    assert edges(found, "relation") == {
        (E + "models.Item", E + "models.Warehouse", 1),  # ForeignKey("warehouses.id")
        (E + "models.Item", "entity:table:item_tags", 1),  # relationship(secondary=item_tags)
        ("entity:table:item_tags", E + "models.Item", 1),
        ("entity:table:item_tags", E + "models.Tag", 1),
        (E + "models.Perishable", E + "models.Item", 2),  # parent link and its key
        (E + "legacy.Contract", E + "legacy.Supplier", 1),  # ForeignKey(Supplier.id)
        (E + "flaskmodels.StockMove", E + "models.Item", 1),  # db.ForeignKey("items.id")
    }  # relationship()s along a foreign key add no second edge


def test_sqlalchemy_reads_writes_and_transactions():
    found = run("sqlalchemy_access")
    R, E = "ledger.repo.", "entity:ledger.models."
    assert edges(found, "read") == {
        (R + "get_account", E + "Account", 1),  # session.get(Account, id)
        (R + "entries_of", E + "Entry", 1),  # select(Entry).where().order_by(): one read
        (R + "open_count", E + "Account", 1),  # session.query(Account).filter().count()
        (R + "balance", E + "Entry", 1),  # text(BALANCE_SQL): a module constant
        (R + "with_draft", E + "Entry", 1),  # and its ``rows.append(...)`` writes nothing
        ("ledger.notes.first_note", "entity:ledger.notes.Note", 1),  # Note.query.filter_by().first()
    }
    assert edges(found, "write") == {
        (R + "open_account", E + "Account", 1),  # session.add(account)
        (R + "post", E + "Account", 1),  # account.balance += amount (unit of work)
        (R + "post", E + "Entry", 1),  # account.entries.append(Entry(...))
        (R + "close", E + "Entry", 1),  # delete(Entry)
        (R + "close", E + "Account", 1),  # update(Account)
        (R + "nightly", E + "Entry", 1),  # insert(Entry) on an engine connection
        ("ledger.notes.add_note", "entity:ledger.notes.Note", 1),  # db.session.add(note)
    }
    assert transactions(found) == {
        (R + "transfer", "session-begin", (E + "Account", E + "Entry")),  # through post()
        (R + "nightly", "session-begin", (E + "Entry",)),  # engine.begin()
        (R + "signup", "session-commit", (E + "Account",)),  # with Session() as s: ... s.commit()
        ("ledger.notes.add_note", "session-commit", ("entity:ledger.notes.Note",)),  # commits itself
    }
    assert edges(found, "relation") == {(E + "Entry", E + "Account", 1)}
    assert found.counts["unresolved_accesses"] == 0


# -- Flask and FastAPI ------------------------------------------------------------------------

def test_flask_routes_blueprints_prefixes_and_rule_helpers():
    found = run("flask_routes")
    assert routes(found) == {
        ("entry:http:GET /", "web.create_app.index"),  # @app.route inside the factory
        ("entry:http:GET /ping", "web.ping"),  # app.add_url_rule
        ("entry:http:GET /shop/items", "web.shop.items"),  # register_blueprint's prefix wins
        ("entry:http:POST /shop/items", "web.shop.items"),
        ("entry:http:GET /shop/items/<int:item_id>", "web.shop.item"),  # @bp.get
        ("entry:http:GET /shop/cart", "web.shop.CartView"),  # MethodView.as_view: its verbs
        ("entry:http:POST /shop/cart", "web.shop.CartView"),
        ("entry:http:GET /shop/a", "web.shop.CartView"),  # through the register_view helper
        ("entry:http:POST /shop/a", "web.shop.CartView"),
        ("entry:http:GET /shop/b", "web.shop.CartView"),
        ("entry:http:POST /shop/b", "web.shop.CartView"),
        ("entry:http:DELETE /admin/users/<int:uid>", "web.admin.delete_user"),  # Blueprint(url_prefix=)
        ("entry:http:GET /admin/reports/daily", "web.admin.daily"),  # nested blueprint
    }
    assert all(r.framework == "flask" and r.kind == "http" for r in found.routes)
    kinds = {s.kind for s in found.symbols}
    assert kinds == {"entry"}


def test_flask_restx_namespaces_and_restful_resource_helpers():
    found = run("flask_restx")
    V1 = "board.api.v1."
    assert routes(found) == {
        ("entry:http:GET /api/v1/notes", V1 + "notes.NoteList"),  # add_namespace(ns, "/notes")
        ("entry:http:POST /api/v1/notes", V1 + "notes.NoteList"),
        ("entry:http:GET /api/v1/notes/<int:note_id>", V1 + "notes.Note"),
        ("entry:http:DELETE /api/v1/notes/<int:note_id>", V1 + "notes.Note"),
        ("entry:http:GET /api/v1/tags/<tag_id>", V1 + "tags.Tag"),  # the namespace's name as its path
        ("entry:http:PUT /api/v1/ballots/<int:vote_id>", V1 + "votes.Vote"),  # path= wins over its own
        ("entry:http:GET /api/v2/todos/<int:todo_id>", "board.api.v2.Todo"),  # api.namespace("todos")
        ("entry:http:GET /api/v2/todo-lists", "board.api.v2.TodoLists"),  # api.namespace(..., path=)
        # flask_restful, through a method of the project's Api subclass that registers on self
        ("entry:http:GET /api/v3/cards", "board.api.v3.CardList"),
        ("entry:http:POST /api/v3/cards", "board.api.v3.CardList"),
        ("entry:http:GET /api/v3/cards/<int:card_id>", "board.api.v3.Card"),  # *urls: every path
        ("entry:http:DELETE /api/v3/cards/<int:card_id>", "board.api.v3.Card"),
        ("entry:http:GET /api/v3/c/<int:card_id>", "board.api.v3.Card"),
        ("entry:http:DELETE /api/v3/c/<int:card_id>", "board.api.v3.Card"),
        ("entry:http:PUT /api/v3/lanes/<int:lane_id>", "board.api.v3.Lane"),  # a function given the Api
        # the project's decorators that register what they decorate, on an Api attached to a
        # blueprint by init_app, the blueprint handed through a function that returns it
        ("entry:http:GET /api/v4/boards", "board.api.v4.BoardList"),  # @resource(*urls)
        ("entry:http:GET /api/v4/b", "board.api.v4.BoardList"),
        # a path made by str.format on a named constant
        ("entry:http:DELETE /api/v4/cards/<int:card_id>/comments/<int:comment_id>", "board.api.v4.Comment"),
        ("entry:http:POST /api/v4/cards/<int:card_id>/archive", "board.api.v4.archive"),  # @view(rule, **options)
        ("entry:http:GET /api/v4/health", "board.api.v4.health"),
        # add_resource of a plain project object that holds the blueprint
        ("entry:http:GET /api/v5/ping", "board.api.v5.PingResource"),
        ("entry:http:GET /api/v5/file/<file_id>", "board.api.v5.FileResource"),
        ("entry:http:DELETE /api/v5/file/<file_id>", "board.api.v5.FileResource"),
        ("entry:http:GET /api/v5/f/<file_id>", "board.api.v5.FileResource"),
        ("entry:http:DELETE /api/v5/f/<file_id>", "board.api.v5.FileResource"),
    }
    assert found.counts["unresolved_routes"] == 0


def test_a_router_kept_in_the_project_is_a_rest_router():
    # no rest_framework import: the router classes are the project's own copy
    found = run("drf_vendored")
    assert routes(found) == {
        ("entry:http:GET /api/v1/notes", "board.base.viewsets.ListMixin.list"),
        ("entry:http:GET /api/v1/notes/<pk>", "board.base.viewsets.RetrieveMixin.retrieve"),
        ("entry:http:DELETE /api/v1/notes/<pk>", "board.base.viewsets.DestroyMixin.destroy"),
        ("entry:http:POST /api/v1/notes/<pk>/pin", "board.views.NoteViewSet.pin"),  # @detail_route
        ("entry:http:GET /api/v1/notes/by-author", "board.views.NoteViewSet.by_author"),  # @list_route
        ("entry:http:GET /api/v1/tags", "board.base.viewsets.ListMixin.list"),
        ("entry:http:GET /api/v1/tags/<slug>", "board.base.viewsets.RetrieveMixin.retrieve"),
    }


def test_pyramid_routes_and_view_configs():
    found = run("pyramid_routes")
    V = "store.views."
    assert routes(found) == {
        ("entry:http:GET /", V + "home"),  # no request_method: listed as GET
        ("entry:http:GET /products/{product_id}", V + "show_product"),
        ("entry:http:PATCH /products/{product_id}", V + "update_product"),
        ("entry:http:PUT /products/{product_id}", V + "update_product"),
        ("entry:http:POST /cart/", V + "CartViews.add"),  # the route from @view_defaults
        ("entry:http:DELETE /cart/", V + "CartViews.clear"),
        # config.include("store.api", route_prefix="/api/v1"): its includeme's routes
        ("entry:http:GET /api/v1/products", "store.api.list_products"),
        ("entry:http:GET /api/v1/", "store.api.api_root"),
        ("entry:http:GET /api/v1/reports/daily", "store.reports.daily"),  # a nested include's prefix
        ("entry:http:GET /api/v1/legacy/orders/{order_id}", "store.api.legacy_order"),  # route_prefix_context
        ("entry:http:DELETE /admin/users/{user_id}", "store.admin.delete_user"),  # a function included
        # "module:function" included inside a route_prefix_context block: the block's prefix first
        ("entry:http:POST /api/v1/legacy/hooks/ping", "store.hooks.ping"),
    }
    assert all(r.framework == "pyramid" for r in found.routes)


def test_fastapi_routers_and_prefixes():
    found = run("fastapi_routes")
    assert routes(found) == {
        ("entry:http:GET /health", "api.main.health"),
        ("entry:http:POST /legacy", "api.main.legacy"),  # add_api_route
        ("entry:http:GET /api/v1/accounts/users/", "api.users.list_users"),  # three prefixes
        ("entry:http:PUT /api/v1/accounts/users/{uid}", "api.users.update_user"),  # api_route
        ("entry:http:PATCH /api/v1/accounts/users/{uid}", "api.users.update_user"),
    }


# -- other entry points and string references ---------------------------------------------------

def test_remote_procedures_of_modernrpc_are_entry_points(tmp_path):
    """Kiwi TCMS registers 131 procedures through its own decorator factory, which calls
    ``RpcServer.register_procedure`` (modernrpc 2); Mathesar's factory applies modernrpc 1's
    ``rpc_method``. Neither was an entry point: the API looked like idle code."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "tcms/__init__.py": "",
        "tcms/views.py": """
            from modernrpc.server import RpcServer

            server = RpcServer()


            def rpc_method(name, auth):
                def decorator(func):
                    server.register_procedure(func, name=name, auth=auth)
                    return func

                return decorator
        """,
        "tcms/api.py": """
            from modernrpc.core import rpc_method as plain

            from tcms.views import rpc_method


            @rpc_method(name="TestRun.create", auth=None)
            def create(values):
                return values


            @plain
            def ping():
                return "pong"


            @plain(name="Auth.login")
            def login(username, password):
                return username


            def helper():
                return 1
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(r.id, r.kind, r.handler, r.name) for r in found.routes} == {
        ("entry:rpc:TestRun.create", "rpc", "tcms.api.create", "TestRun.create"),
        ("entry:rpc:ping", "rpc", "tcms.api.ping", "ping"),  # bare: the function's own name
        ("entry:rpc:Auth.login", "rpc", "tcms.api.login", "Auth.login"),
    }


def test_a_module_list_of_tornado_handlers_is_a_route_table_however_it_is_gathered(tmp_path):
    """JupyterHub gathers each module's ``default_handlers`` with ``extend`` in a loop over
    the modules and stores them on ``self.handlers``: 4 of its 105 routes were found. A
    module's list whose every row is a literal pattern and a ``RequestHandler`` subclass is
    a route table; a list of other tuples is not."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "hub/__init__.py": "",
        "hub/users.py": """
            from tornado import web


            class UserHandler(web.RequestHandler):
                def get(self, name):
                    pass

                def delete(self, name):
                    pass


            default_handlers = [(r"/api/users/([^/]+)", UserHandler)]
            not_routes = [("a", 1), ("b", 2)]
        """,
        "hub/app.py": """
            from tornado import web

            from hub import users


            class Hub:
                def init_handlers(self):
                    h = []
                    for mod in (users,):
                        h.extend(mod.default_handlers)
                    self.handlers = h

                def start(self):
                    return web.Application(self.handlers)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(r.path, r.handler, tuple(r.methods)) for r in found.routes} == {
        ("/api/users/([^/]+)", "hub.users.UserHandler", ("DELETE",)),
        ("/api/users/([^/]+)", "hub.users.UserHandler", ("GET",))}


def test_tasks_commands_and_signal_receivers():
    found = run("tasks_commands_signals")
    J = "jobs."
    assert {(r.id, r.handler, r.name) for r in found.routes} == {
        ("entry:task:jobs.tasks.sync_catalog", J + "tasks.sync_catalog", J + "tasks.sync_catalog"),
        ("entry:task:jobs.tasks.cleanup", J + "tasks.cleanup", "jobs.cleanup"),  # @app.task(name=...)
        ("entry:task:jobs.tasks.Reindex", J + "tasks.Reindex.run", "jobs.reindex"),  # Task subclass
        ("entry:command:rebuild_index", J + "management.commands.rebuild_index.Command.handle",
         "rebuild_index"),
        ("entry:command:purge-stale", J + "management.commands.purge-stale.Command.handle",
         "purge-stale"),  # a file no import can name, which Django loads by its name
        ("entry:command:cli", J + "cli.cli", "cli"),  # click group
        ("entry:command:import-data", J + "cli.import_data", "import-data"),  # @cli.command()
        ("entry:command:export", J + "cli.export_data", "export"),
        ("entry:signal:jobs.signals.on_save", J + "signals.on_save", "post_save(Order)"),  # @receiver
        ("entry:signal:jobs.signals.on_delete", J + "signals.on_delete", "pre_delete(Order)"),  # .connect
        ("entry:signal:jobs.signals.on_paid", J + "signals.on_paid", "order_paid"),  # project Signal()
    }
    assert {r.kind for r in found.routes} == {"task", "command", "signal"}


def test_airflow_tasks_dags_operators_and_python_callables_are_task_entries(tmp_path):
    """The code a scheduler runs (opencve's scheduler/dags/) is reached by no route: without
    these entries it looked idle and was set aside into the shared library."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "dags/__init__.py": "",
        "dags/jobs.py": """
            from airflow.decorators import dag, task
            from airflow.models import BaseOperator
            from airflow.operators.python import PythonOperator


            @task(task_id="collect_changes")
            def collect():
                return 1


            @task.branch
            def choose():
                return "a"


            @dag(dag_id="hourly", schedule="@hourly")
            def hourly():
                collect() >> choose()


            class FetchOperator(BaseOperator):
                def execute(self, context):
                    return fetch()


            def fetch():
                return 2


            def clean_reports():
                return 3


            PythonOperator(task_id="clean_reports", python_callable=clean_reports)


            @task_like
            def not_a_task():
                return 4
        """,
    })
    found = extract(*front_end(tmp_path))
    J = "dags.jobs."
    assert {(r.id, r.handler, r.name, r.framework) for r in found.routes} == {
        ("entry:task:dags.jobs.collect", J + "collect", "collect_changes", "airflow"),
        ("entry:task:dags.jobs.choose", J + "choose", J + "choose", "airflow"),
        ("entry:task:dags.jobs.hourly", J + "hourly", "hourly", "airflow"),
        ("entry:task:dags.jobs.FetchOperator", J + "FetchOperator.execute", J + "FetchOperator", "airflow"),
        ("entry:task:dags.jobs.clean_reports", J + "clean_reports", "clean_reports", "airflow"),
    }


def test_scheduled_jobs_are_tasks_the_scheduler_runs(tmp_path):
    # APScheduler's decorator and add_job, Flask-APScheduler's task decorator, the schedule
    # library's chain; a job's id names it. The code that hands a function over calls it.
    from helpers import build_tree

    build_tree(tmp_path, {
        "ops/__init__.py": "",
        "ops/jobs.py": """
            import schedule
            from apscheduler.schedulers.background import BackgroundScheduler
            from flask_apscheduler import APScheduler

            scheduler = BackgroundScheduler()
            flask_scheduler = APScheduler()


            @scheduler.scheduled_job("cron", hour=3, id="nightly-report")
            def report():
                return 1


            @flask_scheduler.task("interval", id="heartbeat", seconds=30)
            def heartbeat():
                return 2


            def sync():
                return 3


            def purge():
                return 4


            def start():
                scheduler.add_job(sync, "interval", minutes=5, id="sync-catalog")
                schedule.every(10).minutes.do(purge)
                scheduler.start()


            def helper():
                return 5


            def not_scheduled(items):
                items.add_job(helper)
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    J = "ops.jobs."
    assert {(r.id, r.handler, r.name, r.framework) for r in found.routes} == {
        ("entry:task:ops.jobs.report", J + "report", "nightly-report", "apscheduler"),
        ("entry:task:ops.jobs.heartbeat", J + "heartbeat", "heartbeat", "flask_apscheduler"),
        ("entry:task:ops.jobs.sync", J + "sync", "sync-catalog", "apscheduler"),
        ("entry:task:ops.jobs.purge", J + "purge", J + "purge", "schedule"),
    }
    calls = {(e.source, e.target) for e in resolution.edges if e.kind == "call"}
    assert {(J + "start", J + "sync"), (J + "start", J + "purge")} <= calls
    assert (J + "not_scheduled", J + "helper") not in calls


def test_string_references_and_unresolved_counts():
    found = run("references")
    L = "plug.loader.load"
    assert references(found) == {
        (L, "plug.billing.backends", "import"),  # importlib.import_module
        (L, "plug.billing.backends.StripeBackend", "import"),  # import_string
        (L, "plug.billing.models.Invoice", "model"),  # apps.get_model, both forms
        (L, "plug.billing.backends.StripeBackend", "class-loader"),  # get_class by module suffix
        ("plug.settings", "plug.billing", "installed-app"),
        ("plug.settings", "plug.urls", "setting"),  # ROOT_URLCONF
        ("plug.settings", "plug.billing.backends.StripeBackend", "setting"),
        ("plug.urls", "plug.billing.urls", "urlconf"),  # include("plug.billing.urls")
    }
    assert edges(found, "reference") == {
        (L, "plug.billing.backends", 1),
        (L, "plug.billing.backends.StripeBackend", 2),
        (L, "plug.billing.models.Invoice", 2),
        ("plug.settings", "plug.billing", 1),
        ("plug.settings", "plug.urls", 1),
        ("plug.settings", "plug.billing.backends.StripeBackend", 1),
        ("plug.urls", "plug.billing.urls", 1),
    }
    assert found.counts["unresolved_references"] == 2
    assert {x["expr"] for x in found.counts["unresolved_references_top"]} == {
        "plug.billing.backends.PaypalBackend", "plug.nowhere"}
    assert found.counts["dynamic_references"] == 1  # import_module(f"plug.{label}") in get_class


# -- invariants over every fixture --------------------------------------------------------------

PATTERNS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("pattern", PATTERNS)
def test_output_is_consistent_and_deterministic(pattern):
    first, second = run(pattern), run(pattern)
    assert first == second
    ids = {s.id for s in first.symbols}
    assert len(ids) == len(first.symbols)
    assert {e.id for e in first.entities} <= ids
    assert {r.id for r in first.routes} <= ids
    for e in first.edges:
        if e.kind in ("read", "write"):
            assert e.target in ids and e.target.startswith("entity:")
        elif e.kind == "relation":
            assert e.source in ids and e.target in ids
        elif e.kind == "route":
            assert e.source in ids and e.source.startswith("entry:")
        assert e.weight >= 1 and list(e.lines) == sorted(e.lines)
    assert first.counts["reads"] == sum(e.weight for e in first.edges if e.kind == "read")
    assert first.counts["writes"] == sum(e.weight for e in first.edges if e.kind == "write")
    written = {e.target for e in first.edges if e.kind == "write"}
    for t in first.transactions:
        assert list(t.writes) == sorted(set(t.writes)) and set(t.writes) <= written | ids
    assert [e.id for e in first.entities] == sorted(e.id for e in first.entities)


def test_installed_apps_known_in_part_still_name_their_apps(tmp_path):
    from helpers import build_tree

    build_tree(tmp_path, {
        "paper/__init__.py": "",
        "paper/settings.py": """
            import os
            env_apps = os.getenv("EXTRA_APPS", "").split(",")
            INSTALLED_APPS = ["django.contrib.admin", "paper.documents", *env_apps]
        """,
        "paper/documents/__init__.py": "",
        "paper/documents/models.py": "",
    })
    found = extract(*front_end(tmp_path))
    assert ("paper.settings", "paper.documents", "installed-app") in references(found)


def test_a_class_on_a_library_base_with_a_model_meta_is_a_django_model(tmp_path):
    """A django CMS page extension that adds no field is still a model: its ``class Meta``
    names its table. A form's or a Peewee model's ``Meta`` makes no Django model."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "site/__init__.py": "",
        "site/models.py": """
            from cms.extensions import PageExtension
            from django import forms
            from django.db import models
            from peewee import Model as PeeweeModel


            class BaseExtension(PageExtension):
                class Meta:
                    abstract = True


            class BlogPost(BaseExtension):
                class Meta:
                    db_table = "site_blog_post"
                    ordering = ["-pk"]


            class Course(BaseExtension):
                code = models.CharField(max_length=10)


            class Legacy(PeeweeModel):
                class Meta:
                    db_table = "legacy"


            class Plain(PageExtension):
                class Meta:
                    ordering = ["-pk"]


            class PostForm(forms.ModelForm):
                class Meta:
                    model = BlogPost
                    fields = ["id"]
        """,
        "site/views.py": """
            from site.models import BlogPost


            def recent():
                return BlogPost.objects.filter(pk__gt=0)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {e.id: e.table for e in found.entities if not e.abstract and e.framework == "django"} == {
        "entity:site.models.BlogPost": "site_blog_post",
        "entity:site.models.Course": "site_course",
    }
    assert ("site.views.recent", "entity:site.models.BlogPost") in {(s, t) for s, t, _ in edges(found, "read")}


def test_many_to_many_writes_are_the_join_tables_and_lists_are_not_querysets(tmp_path):
    """``profile.products.add(p)`` changes Profile's join table, not Product's rows (from
    either side of the relation); ``append`` on a variable that is a list on one branch and
    a queryset on another writes nothing (a Django queryset has no ``append``)."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models


            class Product(models.Model):
                slug = models.SlugField()


            class Profile(models.Model):
                products = models.ManyToManyField(Product, related_name="fans")
                owner = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="owners")
                badges = models.ManyToManyField("shop.Badge", through="shop.Award")


            class Badge(models.Model):
                pass


            class Award(models.Model):
                profile = models.ForeignKey(Profile, on_delete=models.CASCADE)
                badge = models.ForeignKey(Badge, on_delete=models.CASCADE)
        """,
        "shop/views.py": """
            from django.shortcuts import get_object_or_404

            from shop.models import Product, Profile


            def subscribe(profile_id, slugs):
                profile = Profile.objects.get(id=profile_id)
                profile.products.add(*Product.objects.filter(slug__in=slugs))


            def befriend(product_id, profile):
                Product.objects.get(id=product_id).fans.remove(profile)


            def adopt(product_id, profile):
                Product.objects.get(id=product_id).owners.add(profile)


            def decorate(profile_id, badge):
                Profile.objects.get(id=profile_id).badges.add(badge)  # the links live in Award


            def listing(slugs):
                products = []
                if slugs:
                    for slug in slugs:
                        products.append(get_object_or_404(Product, slug=slug))
                else:
                    products = Product.objects.all()
                return products
        """,
    })
    writes = {(s, t) for s, t, _ in edges(extract(*front_end(tmp_path)), "write")}
    assert writes == {
        ("shop.views.subscribe", "entity:shop.models.Profile"),
        ("shop.views.befriend", "entity:shop.models.Profile"),
        ("shop.views.adopt", "entity:shop.models.Profile"),  # a reverse foreign key: the rows' key
        ("shop.views.decorate", "entity:shop.models.Award"),
    }


def test_django_url_helpers_of_the_project_make_patterns(tmp_path):
    """A project function returning a pattern built from two of its parameters is a URL
    helper: its calls are routes, in ``urlpatterns`` and in a ``get_urls()`` that the
    project mounts at run time (from the root then: the prefix is not known)."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "portal/__init__.py": "",
        "portal/settings.py": 'ROOT_URLCONF = "portal.urls"\n',
        "portal/helpers.py": """
            from django.urls import re_path
            from django.urls.resolvers import URLPattern


            class GuardedPattern(URLPattern):
                pass


            def guarded_url(regex, view, name=None, permissions=()):
                return GuardedPattern(regex, view, name=name)


            def plain_url(route, view, name=None):
                return re_path(route, view, name=name)
        """,
        "portal/views.py": """
            def index(request):
                return None


            def report(request):
                return None
        """,
        "portal/urls.py": """
            from portal import views
            from portal.helpers import plain_url

            urlpatterns = [plain_url(r"^$", views.index, name="index")]
        """,
        "portal/admin_module.py": """
            from portal.helpers import guarded_url


            class ReportModule:
                def get_urls(self):
                    return [guarded_url(r"^reports/$", "portal.views.report", name="reports")]
        """,
    })
    assert routes(extract(*front_end(tmp_path))) >= {
        ("entry:http:ANY /", "portal.views.index"), ("entry:http:ANY /reports/", "portal.views.report")}


def test_a_project_flask_sqlalchemy_with_its_own_model_class(tmp_path):
    """indico's layout: a SQLAlchemy subclass annotates ``Model: type[BaseModel]`` (the class,
    not an instance) and passes BaseModel, a subclass of Flask-SQLAlchemy's plain Model, as
    the model class: its models are entities, BaseModel is not."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": """
            from flask_sqlalchemy import SQLAlchemy
            from flask_sqlalchemy.model import Model


            class BaseModel(Model):
                query_class = None


            class MySQLAlchemy(SQLAlchemy):
                Model: type[BaseModel]


            db = MySQLAlchemy(model_class=BaseModel)
        """,
        "app/models.py": """
            from app.db import db


            class Event(db.Model):
                __tablename__ = "events"
                id = db.Column(db.Integer, primary_key=True)


            def create_event():
                db.session.add(Event())


            def list_events():
                return Event.query.all()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {e.id for e in found.entities} == {"entity:app.models.Event"}
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.models.create_event", "entity:app.models.Event")}
    assert {(s, t) for s, t, _ in edges(found, "read")} == {("app.models.list_events", "entity:app.models.Event")}


def test_sqlalchemy_imperative_mapping_gives_the_table_its_class(tmp_path):
    """ckan maps plain classes onto Table objects with ``registry.map_imperatively``."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/meta.py": """
            from sqlalchemy import MetaData, orm

            metadata = MetaData()
            registry = orm.registry(metadata=metadata)
            Session = orm.scoped_session(orm.sessionmaker())
        """,
        "app/package.py": """
            from sqlalchemy import Column, Table, types

            from app import meta

            package_table = Table("package", meta.metadata, Column("id", types.UnicodeText, primary_key=True))


            class Package:
                pass


            meta.registry.map_imperatively(Package, package_table)
        """,
        "app/logic.py": """
            from app import meta
            from app.package import Package


            def package_show(pkg_id):
                return meta.Session.query(Package).filter(Package.id == pkg_id).first()


            def package_create(name):
                pkg = Package()
                pkg.name = name
                meta.Session.add(pkg)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert [(e.id, e.model) for e in found.entities] == [("entity:table:package", "app.package.Package")]
    assert {(s, t) for s, t, _ in edges(found, "read")} == {("app.logic.package_show", "entity:table:package")}
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.logic.package_create", "entity:table:package")}


def test_tables_made_through_a_project_function_that_hands_on_their_name(tmp_path):
    """buildbot defines every table through ``sautils.Table(*args, **kwargs)``, which returns
    ``sa.Table(*args, **kwargs)``: each of its calls is a table, read and written as one."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/sautils.py": """
            import sqlalchemy as sa


            def Table(*args, **kwargs):
                kwargs.setdefault("mysql_character_set", "utf8")
                return sa.Table(*args, **kwargs)


            def named_table(name, metadata):
                return sa.Table(name, metadata, sa.Column("id", sa.Integer, primary_key=True))
        """,
        "app/model.py": """
            import sqlalchemy as sa

            from app import sautils


            class Model:
                metadata = sa.MetaData()
                builds = sautils.Table("builds", metadata, sa.Column("id", sa.Integer, primary_key=True))
                steps = sautils.named_table("steps", metadata)
        """,
        "app/builds.py": """
            import sqlalchemy as sa

            from app.model import Model


            class BuildsConnector:
                def __init__(self, conn):
                    self.conn = conn
                    self.model = Model()

                def get_build(self, buildid):
                    q = self.model.builds.select().where(self.model.builds.c.id == buildid)
                    return self.conn.execute(q).fetchone()

                def add_step(self, name):
                    return self.conn.execute(self.model.steps.insert().values(name=name))

                def step_names(self, buildid):
                    tbl = self.model.steps
                    q = sa.select(tbl.c.name, tbl.c.id).where(tbl.c.buildid == buildid)
                    return self.conn.execute(q).fetchall()

                def last_number(self):
                    tbl = self.model.builds
                    return self.conn.execute(sa.select(sa.func.max(tbl.c.number))).scalar()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {e.id for e in found.entities} == {"entity:table:builds", "entity:table:steps"}
    # a select of a table's columns (``tbl.c.name``) reads that table
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.builds.BuildsConnector.get_build", "entity:table:builds"),
        ("app.builds.BuildsConnector.step_names", "entity:table:steps"),
        ("app.builds.BuildsConnector.last_number", "entity:table:builds"),
    }
    assert found.counts["unresolved_accesses"] == 0
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.builds.BuildsConnector.add_step", "entity:table:steps")}


def test_a_generic_helper_hands_its_accesses_to_its_callers(tmp_path):
    """``persist(obj)`` writes what each caller passes; a mixin's ``db.session.add(self)``
    writes the model of whoever calls it, also through ``cls(**kw)``; a repository method
    hands on to the service that calls it; a function always given one entity keeps it."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class CRUDMixin:
                @classmethod
                def create(cls, **kwargs):
                    instance = cls(**kwargs)
                    return instance.save()

                def save(self):
                    db.session.add(self)
                    return self

                @classmethod
                def find(cls, key):
                    return cls.query.get(key)


            def persist(obj):
                db.session.add(obj)
                return obj


            class Repository:
                def add(self, obj):
                    persist(obj)
        """,
        "app/models.py": """
            from app.db import CRUDMixin, db


            class User(CRUDMixin, db.Model):
                id = db.Column(db.Integer, primary_key=True)


            class Order(CRUDMixin, db.Model):
                id = db.Column(db.Integer, primary_key=True)


            class Stock(db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
        "app/users.py": """
            from app.db import Repository, persist
            from app.models import User


            def register():
                return persist(User())


            def sign_up():
                return User.create(name="x")


            def look_up(key):
                return User.find(key)


            def enrol(repo: Repository):
                repo.add(User())
        """,
        "app/orders.py": """
            from app.db import Repository, persist
            from app.models import Order, Stock


            def place():
                persist(Order())


            def restock(stock):
                db_write(stock)


            def db_write(stock):
                persist(stock)


            def receive():
                restock(Stock())


            def archive(repo: Repository):
                repo.add(Order())
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.users.register", "entity:app.models.User"),
        ("app.users.sign_up", "entity:app.models.User"),
        ("app.users.enrol", "entity:app.models.User"),
        ("app.orders.place", "entity:app.models.Order"),
        ("app.orders.archive", "entity:app.models.Order"),
        # handed from persist to db_write, then kept there: it is only ever given a Stock
        ("app.orders.db_write", "entity:app.models.Stock"),
    }
    assert {(s, t) for s, t, _ in edges(found, "read")} == {("app.users.look_up", "entity:app.models.User")}


def test_models_of_a_library_base_loops_over_queries_and_validated_rows(tmp_path):
    """A declarative base a library makes (advanced-alchemy) is not seen, but a class below
    it with a table name and columns is a model; ``for r in session.query(M).all():`` binds
    rows of M; SQLModel's ``M.model_validate(data)`` makes a row; a FastAPI dependency alias
    ``Current = Annotated[M, Depends(...)]`` annotates rows of M."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from advanced_alchemy.base import UUIDBase
            from sqlalchemy import String
            from sqlalchemy.orm import Mapped, mapped_column
            from sqlmodel import Field, SQLModel


            class Book(UUIDBase):
                __tablename__ = "book"
                title: Mapped[str] = mapped_column(String(100))


            class Note(UUIDBase):
                pass


            class Item(SQLModel, table=True):
                id: int | None = Field(default=None, primary_key=True)
        """,
        "app/deps.py": """
            from typing import Annotated

            from fastapi import Depends

            from app.models import Item


            def get_item():
                return None


            CurrentItem = Annotated[Item, Depends(get_item)]
        """,
        "app/jobs.py": """
            from sqlalchemy.orm import Session

            from app.deps import CurrentItem
            from app.models import Book, Item


            def purge(session: Session):
                for book in session.query(Book).filter(Book.title.is_(None)).all():
                    session.delete(book)


            def create_item(session: Session, data):
                item = Item.model_validate(data)
                session.add(item)


            def drop_item(session: Session, item: CurrentItem):
                session.delete(item)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {e.id for e in found.entities} == {"entity:app.models.Book", "entity:app.models.Item"}
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.jobs.purge", "entity:app.models.Book"),
        ("app.jobs.create_item", "entity:app.models.Item"),
        ("app.jobs.drop_item", "entity:app.models.Item"),
    }


def test_routers_made_by_project_factories_and_settings_prefixes(tmp_path):
    """A blueprint or router a project function returns serves under the prefix its callers
    mount it at (inline or through a variable), with the routes the caller adds to it; a
    prefix may be the default of a settings object's attribute."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/admin.py": """
            from flask import Blueprint


            def make_blueprint():
                view = Blueprint("admin", __name__)

                @view.route("/", methods=("GET",))
                def index():
                    return "admin"

                return view
        """,
        "app/web.py": """
            from flask import Flask

            from app import admin

            app = Flask(__name__)
            app.register_blueprint(admin.make_blueprint(), url_prefix="/admin")
            api_bp = admin.make_blueprint()
            app.register_blueprint(api_bp, url_prefix="/api/v1")
        """,
        "app/config.py": """
            from pydantic_settings import BaseSettings


            class Settings(BaseSettings):
                API_V1_STR: str = "/api/v2"


            settings = Settings()
        """,
        "app/routing.py": """
            from fastapi import APIRouter


            def create_crud_router():
                router = APIRouter()

                @router.get("/count")
                def count():
                    return 0

                return router
        """,
        "app/stores.py": """
            from app.routing import create_crud_router

            router = create_crud_router()


            @router.get("/{store_id}")
            def get_store(store_id: str):
                return {}
        """,
        "app/main.py": """
            from fastapi import FastAPI

            from app.config import settings
            from app.stores import router as stores_router

            api = FastAPI()
            api.include_router(stores_router, prefix=settings.API_V1_STR)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(r.methods[0], r.path, r.handler) for r in found.routes} == {
        ("GET", "/admin/", "app.admin.make_blueprint.index"),
        ("GET", "/api/v1/", "app.admin.make_blueprint.index"),
        ("GET", "/api/v2/{store_id}", "app.stores.get_store"),
        ("GET", "/api/v2/count", "app.routing.create_crud_router.count"),
    }


def test_a_web_frameworks_cookie_session_is_no_database_session(tmp_path):
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/views.py": """
            from flask import session
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class Note(db.Model):
                id = db.Column(db.Integer, primary_key=True)


            def codenames():
                return session.get("codenames")


            def add():
                db.session.add(Note())
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.views.add", "entity:app.views.Note")}
    assert found.counts["unresolved_accesses"] == 0


def test_the_current_user_of_flask_login_is_what_the_projects_user_loader_returns(tmp_path):
    """``current_user`` is a proxy flask_login fills with what ``@login_manager.user_loader``
    returns: adding it to the session writes users, and its methods are the model's."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from flask_login import LoginManager, UserMixin
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()
            login_manager = LoginManager()


            class User(UserMixin, db.Model):
                __tablename__ = "users"

                def track(self, topic):
                    return topic


            def configure(app):
                @login_manager.user_loader
                def load_user(user_id):
                    return db.session.execute(db.select(User).filter_by(id=user_id)).scalar_one_or_none()
        """,
        "app/views.py": """
            from flask_login import current_user

            from app.models import db


            def follow(topic):
                current_user.track(topic)
                db.session.add(current_user)
                db.session.commit()


            def whoami():
                return current_user.name
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.views.follow", "entity:app.models.User")}
    assert ("app.views.follow", "app.models.User.track") in {(s, t) for s, t, _ in edges(found, "call")}
    assert found.counts["unresolved_accesses"] == 0


def test_the_scalar_of_a_statement_selecting_a_model_is_a_row_of_it(tmp_path):
    """``session.execute(select(Setting).where(...)).scalar()`` is a Setting (or None), so
    adding it to the session writes settings; in a class method ``cls`` is the model."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class Setting(db.Model):
                __tablename__ = "settings"
                key = db.Column(db.String(255), primary_key=True)

                @classmethod
                def update(cls, settings):
                    for key, value in settings.items():
                        setting = db.session.execute(db.select(cls).where(Setting.key == key)).scalar()
                        setting.value = value
                        db.session.add(setting)


            def count():
                return db.session.query(db.func.count(Setting.key)).scalar()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t, k) for k in ("read", "write") for s, t, _ in edges(found, k)} == {
        ("app.models.Setting.update", "entity:app.models.Setting", "read"),
        ("app.models.Setting.update", "entity:app.models.Setting", "write"),
        ("app.models.count", "entity:app.models.Setting", "read"),
    }
    assert found.counts["unresolved_accesses"] == 0


def test_rows_gathered_in_a_list_are_written_by_add_all(tmp_path):
    """A list filled by ``append`` in a loop, or made by a comprehension, holds the rows put
    into it: ``session.add_all(rows)`` and ``bulk_save_objects(rows)`` write them."""
    from helpers import build_tree, flask_sqlalchemy_models

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": flask_sqlalchemy_models(Setting="settings", Report="reports"),
        "app/bulk.py": """
            from app.models import Report, Setting, db


            def save_settings(keys):
                found = []
                for key in keys:
                    setting = Setting(key=key)
                    found.append(setting)
                db.session.add_all(found)


            def save_reports(ids):
                reports = [Report(id=i) for i in ids]
                db.session.bulk_save_objects(reports)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.bulk.save_settings", "entity:app.models.Setting"),
        ("app.bulk.save_reports", "entity:app.models.Report"),
    }
    assert found.counts["unresolved_accesses"] == 0


def test_a_session_kept_on_the_request_globals_is_a_database_session(tmp_path):
    """calibre-web's ``CalibreDB.session`` property returns ``g.lib_sql``, a session the
    project keeps on Flask's per-request globals: ``calibre_db.session.query(Books)`` reads
    books. Flask's own ``session`` stays a cookie."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": """
            from flask import g
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Books(Base):
                __tablename__ = "books"


            class CalibreDB:
                @property
                def session(self):
                    return g.lib_sql


            calibre_db = CalibreDB()
        """,
        "app/views.py": """
            from app.db import Books, calibre_db


            def count():
                return calibre_db.session.query(Books).count()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert ("app.views.count", "entity:app.db.Books") in {(s, t) for s, t, _ in edges(found, "read")}


def test_a_session_named_db_or_conn_is_read_as_one(tmp_path):
    """warehouse (PyPI) adds its SQLAlchemy session to every Pyramid request as ``request.db``
    through a settings lookup; a thousand queries went through it unseen. A Core connection
    executes statements as ``conn``. A cache named ``db`` with string keys finds no model."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": sqlalchemy_models(Project="projects", Release="releases"),
        "app/views.py": """
            from sqlalchemy import select

            from app.models import Project, Release


            def project_detail(request):
                return request.db.query(Project).filter(Project.name == request.matchdict["name"]).one()


            class ReleaseViews:
                def __init__(self, request):
                    self.request = request

                def yank(self, release_id):
                    release = self.request.db.get(Release, release_id)
                    self.request.db.delete(release)


            def count(conn):
                return conn.execute(select(Project)).all()


            def cached(db):
                return db.get("key")
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.views.project_detail", "entity:app.models.Project"),
        ("app.views.ReleaseViews.yank", "entity:app.models.Release"),
        ("app.views.count", "entity:app.models.Project"),
    }
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.views.ReleaseViews.yank", "entity:app.models.Release")}


def test_a_session_get_of_a_literal_key_and_an_http_session_are_no_orm_access(tmp_path):
    """``session.get("snap_name")`` on a dict, and ``self.session.get(url)`` on a
    ``requests.Session()`` (cinder's drivers), name no model: no access, and nothing left
    unresolved."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": sqlalchemy_models(Snapshot="snapshots"),
        "app/driver.py": """
            from app.models import Snapshot


            def describe(session):
                return session.get("snap_name"), session.get(Snapshot, 1)
        """,
        "app/client.py": """
            import requests


            class Client:
                def __init__(self):
                    self.session = requests.Session()

                def fetch(self, url):
                    return self.session.get(url)

                def remove(self, url):
                    self.session.delete(url)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "read")} == {("app.driver.describe", "entity:app.models.Snapshot")}
    assert not edges(found, "write")
    assert found.counts["unresolved_accesses"] == 0


def test_django_urls_from_imported_lists_functions_namespaced_routers_and_unreadable_routes(tmp_path):
    """``include(organization_urls)`` of a list imported from another URL module (reached
    through a package re-exporting ``urlpatterns``); ``urlpatterns = get_urls(views)`` built
    by a function; ``include((router.urls, "api"))``; an f-string of constants is read, and a
    view at a route built at run time (an f-string of a call) is kept at its pattern, the
    unknown part written ``${...}``, rather than at its prefix, where it would hide another
    view."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "proj/__init__.py": "",
        "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["proj"]\n',
        "proj/views.py": """
            from django.views import View
            from rest_framework import viewsets


            class OrgList(View):
                def get(self, request):
                    return None


            class HostDetail(View):
                def get(self, request, pk):
                    return None


            class FoodViewSet(viewsets.ReadOnlyModelViewSet):
                pass


            def home(request):
                return None


            def inbox(request, username):
                return None


            def template_list(request):
                return None
        """,
        "proj/urls.py": """
            from django.urls import include, path, re_path
            from rest_framework import routers

            from proj import views

            USER = r"^user/(?P<username>[^/]+)"
            router = routers.DefaultRouter()
            router.register(r"food", views.FoodViewSet)

            urlpatterns = [
                path("api/", include("proj.api.urls")),
                path("rest/", include((router.urls, "rest"))),
                path("config/", include("proj.config_urls")),
                re_path(rf"{USER}/inbox/?$", views.inbox),
                re_path(f"{views.home.__name__.upper()}/outbox/?$", views.inbox),
                path("", views.home),
            ]
        """,
        "proj/api/__init__.py": "",
        "proj/api/urls/__init__.py": "from .urls import urlpatterns\n",
        "proj/api/urls/urls.py": """
            from django.urls import include, re_path

            from .organization import urls as organization_urls
            from . import host

            urlpatterns = [
                re_path(r"^organizations/", include(organization_urls)),
                re_path(r"^hosts/", include(host.urls)),
            ]
        """,
        "proj/api/urls/organization.py": """
            from django.urls import re_path

            from proj.views import OrgList

            urls = [re_path(r"^$", OrgList.as_view())]
        """,
        "proj/api/urls/host.py": """
            from django.urls import re_path

            from proj.views import HostDetail

            urls = [re_path(r"^(?P<pk>[0-9]+)/$", HostDetail.as_view())]
        """,
        "proj/config_urls.py": """
            from django.urls import path

            from proj import views


            def get_urls(views):
                return [path("template/", views.template_list)]


            urlpatterns = get_urls(views)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {r for r in routes(found) if "Food" not in r[1]} == {
        ("entry:http:GET /api/organizations/", "proj.views.OrgList"),
        ("entry:http:GET /api/hosts/(?P<pk>[0-9]+)/", "proj.views.HostDetail"),
        ("entry:http:ANY /config/template/", "proj.views.template_list"),
        ("entry:http:ANY /", "proj.views.home"),
        ("entry:http:ANY /user/(?P<username>[^/]+)/inbox/?", "proj.views.inbox"),  # an f-string of constants
        ("entry:http:ANY /${views.home.__name__.upper()}/outbox/?", "proj.views.inbox"),  # of a call
    }
    assert ("entry:http:GET /rest/food/", "proj.views.FoodViewSet") in routes(found)
    assert found.counts["unreached_urlconfs"] == 0 and found.counts["unresolved_routes"] == 0


def test_django_many_to_many_through_managers_write_the_declaring_model(tmp_path):
    from helpers import build_tree

    build_tree(tmp_path, {
        "proj/__init__.py": "",
        "proj/models.py": """
            from django.db import models


            class Keyword(models.Model):
                name = models.CharField(max_length=64)


            class Recipe(models.Model):
                keywords = models.ManyToManyField(Keyword, blank=True)
        """,
        "proj/services.py": """
            from proj.models import Recipe


            def tag_all(links):
                Recipe.keywords.through.objects.bulk_create(links)


            def untag_all(ids):
                Recipe.keywords.through.objects.filter(recipe_id__in=ids).delete()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("proj.services.tag_all", "entity:proj.models.Recipe"),
        ("proj.services.untag_all", "entity:proj.models.Recipe"),
    }
    assert found.counts["outside_model_accesses"] == 0


def test_an_outside_django_models_manager_reads_and_writes_its_table(tmp_path):
    """``User.objects.filter(...)`` on Django's own user model was an "outside model" access,
    in no graph: the table the project's users live in, read by many services, was not seen.
    It is the table Django gives the model (``auth_user``; ``django_content_type`` where a
    contrib app sets its own), a table entity like raw SQL's. An S3 bucket's ``objects`` and
    ``django.db.models.Model`` are no table."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "proj/__init__.py": "",
        "proj/models.py": """
            from django.db import models


            class Profile(models.Model):
                bio = models.TextField()
        """,
        "proj/accounts.py": """
            import boto3
            from django.contrib.auth.models import Group, User
            from django.contrib.contenttypes.models import ContentType
            from django.db.models import Model


            def active_users():
                return User.objects.filter(is_active=True)


            def make_group(name):
                return Group.objects.create(name=name)


            def kinds():
                return ContentType.objects.all()


            def files():
                return boto3.resource("s3").Bucket("b").objects.filter(Prefix="x")


            def anything():
                return Model.objects.all()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("proj.accounts.active_users", "entity:table:auth_user"),
        ("proj.accounts.kinds", "entity:table:django_content_type"),
    }
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("proj.accounts.make_group", "entity:table:auth_group")}
    assert {e.id: (e.table, e.model, e.framework) for e in found.entities if e.id.startswith("entity:table:")} == {
        "entity:table:auth_user": ("auth_user", None, "django"),
        "entity:table:auth_group": ("auth_group", None, "django"),
        "entity:table:django_content_type": ("django_content_type", None, "django"),
    }


def test_an_abstract_models_method_writes_the_concrete_model_its_callers_name(tmp_path):
    """``self.save()`` in a method of an abstract model writes whichever model the caller
    holds rows of (``Book.objects.get(...).touch()``), not the abstract one, which has no
    table; the resolver, knowing no managers, does not link those calls: the rows' types do."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "proj/__init__.py": "",
        "proj/models.py": """
            from django.db import models


            class Remote(models.Model):
                remote_id = models.CharField(max_length=255)

                class Meta:
                    abstract = True

                def touch(self):
                    self.save()


            class Book(Remote):
                title = models.CharField(max_length=64)


            class Shelf(Remote):
                name = models.CharField(max_length=64)
        """,
        "proj/services.py": """
            from proj.models import Book, Shelf


            def refresh_book(pk):
                book = Book.objects.get(pk=pk)
                book.touch()


            def refresh_shelf(pk):
                Shelf.objects.get(pk=pk).touch()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("proj.services.refresh_book", "entity:proj.models.Book"),
        ("proj.services.refresh_shelf", "entity:proj.models.Shelf"),
    }


def test_a_lambda_over_a_helpers_model_parameter_is_its_callers_access(tmp_path):
    """zou's ``_tgt(model)`` returns ``lambda: model.query.filter_by(...).count()``: the
    lambda reads whatever model each caller hands the helper, so each caller reads its own
    (a lambda's code is its holder's, and the name it closes over the holder's parameter)."""
    from helpers import build_tree, flask_sqlalchemy_models

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": flask_sqlalchemy_models(Budget="budgets", Milestone="milestones"),
        "app/sync.py": """
            from app.models import Budget, Milestone


            def _counter(model, **filters):
                return lambda: model.query.filter_by(**filters).count()


            def budgets(project_id):
                return _counter(Budget, project_id=project_id)


            def milestones(project_id):
                return _counter(Milestone, project_id=project_id)
        """,
    })
    found = extract(*front_end(tmp_path))
    reads = {(s, t) for s, t, _ in edges(found, "read")}
    assert {("app.sync.budgets", "entity:app.models.Budget"),
            ("app.sync.milestones", "entity:app.models.Milestone")} <= reads
    assert not any(s == "app.sync._counter" for s, _ in reads)


def test_a_statement_given_to_a_helper_counts_where_it_is_built(tmp_path):
    """``session.execute(statement)`` in a helper given the statement: the caller that builds
    it reads the model, and the helper's site leaves nothing unresolved."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Order(Base):
                __tablename__ = "orders"
                id: Mapped[int] = mapped_column(primary_key=True)
        """,
        "app/db.py": """
            from sqlalchemy import Select
            from sqlalchemy.orm import Session


            def fetch_all(session: Session, statement: Select):
                return session.execute(statement).scalars().all()
        """,
        "app/orders.py": """
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.db import fetch_all
            from app.models import Order


            def open_orders(session: Session):
                return fetch_all(session, select(Order).where(Order.id > 0))
        """,
    })
    found = extract(*front_end(tmp_path))
    assert edges(found, "read") == {("app.orders.open_orders", "entity:app.models.Order", 1)}
    assert found.counts["unresolved_accesses"] == 0


def test_get_user_model_is_the_user_model_class(tmp_path):
    """``User = get_user_model()`` is a class: a proxy of it is a model, and its manager's
    queries are accesses. Where ``AUTH_USER_MODEL`` swaps Django's user out, Django's own
    ``User`` cannot be used, so it stands for the project's model."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "plain/__init__.py": "",
        "plain/models.py": """
            from django.contrib.auth import get_user_model
            from django.db import models

            User = get_user_model()


            class StaffUser(User):
                class Meta:
                    proxy = True


            class Note(models.Model):
                author = models.ForeignKey(StaffUser, on_delete=models.CASCADE)


            def staff():
                return StaffUser.objects.filter(is_staff=True)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert ("entity:plain.models.StaffUser", "plain_staffuser", False) in entities(found)
    assert ("plain.models.staff", "entity:plain.models.StaffUser", 1) in edges(found, "read")
    assert found.counts["unresolved_accesses"] == 0

    swapped = tmp_path / "swapped"
    build_tree(swapped, {
        "proj/__init__.py": "",
        "proj/settings.py": """
            AUTH_USER_MODEL = "acct.Member"
        """,
        "acct/__init__.py": "",
        "acct/models.py": """
            from django.contrib.auth import get_user_model
            from django.contrib.auth.models import AbstractUser, User


            class Member(AbstractUser):
                pass


            def members():
                return get_user_model().objects.filter(is_active=True)


            def legacy(pk):
                return User.objects.get(pk=pk)
        """,
    })
    found = extract(*front_end(swapped))
    assert edges(found, "read") == {("acct.models.members", "entity:acct.models.Member", 1),
                                    ("acct.models.legacy", "entity:acct.models.Member", 1)}
    assert found.counts["outside_model_accesses"] == 0


def test_a_generic_repository_gives_each_caller_the_model_its_subclass_names(tmp_path):
    """``self.session.get(self.model, k)``, ``select(self.model)``, ``obj = self.model(...)``
    then ``session.add(obj)``, and Django's ``self.model.objects.filter(...)`` in a base
    repository: each subclass names its model (``model = User``), so the access goes to the
    caller, for the model its receiver's class names, also through the base's own methods
    and a service holding the repository, and on what a base's class method makes of ``cls``;
    the base names none and keeps nothing. A model given to the constructor
    (``AnyRepository(session, Order)``) is the one that object works on."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": sqlalchemy_models(User="users", Order="orders"),
        "app/repo.py": """
            from sqlalchemy import select
            from sqlalchemy.orm import Session

            from app.models import Order, User


            class BaseRepository:
                model = User  # a default: each subclass names its own

                def __init__(self, session: Session) -> None:
                    self.session = session

                def get(self, key):
                    return self.session.get(self.model, key)

                def all(self):
                    return list(self.session.scalars(select(self.model)))

                def create(self, **data):
                    obj = self.model(**data)
                    self.session.add(obj)
                    return obj

                def get_or_fail(self, key):
                    return self.get(key)

                @classmethod
                def from_session(cls, session: Session):
                    return cls(session)


            class UserRepository(BaseRepository):
                model = User


            class AnyRepository(BaseRepository):
                def __init__(self, session: Session, model) -> None:
                    super().__init__(session)
                    self.model = model


            class OrderRepository(BaseRepository):
                model = Order

                def recent(self):
                    return self.all()

                def get(self, key):
                    return super().get(key)

                def newest(self):
                    return self.session.scalars(select(self.model).limit(1)).first()
        """,
        "app/services.py": """
            from sqlalchemy.orm import Session

            from app.models import Order
            from app.repo import AnyRepository, OrderRepository, UserRepository

            REPOSITORIES = {"users": UserRepository, "any": AnyRepository}


            def show_user(session: Session, key: int):
                return UserRepository(session).get_or_fail(key)


            def show_order(session: Session, key: int):
                return OrderRepository.from_session(session).get_or_fail(key)


            def show_either(session: Session, kind: str, key: int):
                return REPOSITORIES[kind](session, Order).get(key)


            def sign_up(session: Session):
                return UserRepository(session).create(name="x")


            class OrderService:
                def __init__(self, session: Session) -> None:
                    self.orders = OrderRepository(session)

                def recent(self):
                    return self.orders.recent()

                def newest(self):
                    return self.orders.newest()
        """,
    })
    found = extract(*front_end(tmp_path))
    E = "entity:app.models."
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.services.show_user", E + "User"),
        ("app.services.show_order", E + "Order"),  # a base's ``cls(session)``: the subclass's
        ("app.repo.OrderRepository.recent", E + "Order"),
        ("app.repo.OrderRepository.get", E + "Order"),  # ``super().get(key)``
        ("app.repo.OrderRepository.newest", E + "Order"),  # no subclass sets ``model`` again: its own
        # a UserRepository, or an AnyRepository given Order where it is made
        ("app.services.show_either", E + "User"),
        ("app.services.show_either", E + "Order"),
    }  # the base's own default (User) went to the callers that use it
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.services.sign_up", E + "User")}
    assert found.counts["unresolved_accesses"] == 0


def test_a_repository_mixin_refining_the_base_statement_through_super(tmp_path):
    """A soft-deletion mixin's ``get_base_statement`` calls ``super().get_base_statement()``
    (the base's ``select(self.model)``) and refines it; the subclass's query built on it,
    then run by a base method (``get_one_or_none(statement)``), reads the model the subclass
    names. The mixin's ``self`` is the subclass's instance, so the model comes from its
    callers, as for a base's own methods."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": sqlalchemy_models(User="users", Order="orders", Team="teams"),
        "app/repository.py": """
            from typing import Generic, TypeVar

            from sqlalchemy import Select, func, select
            from sqlalchemy.ext.asyncio import AsyncSession

            M = TypeVar("M")


            class RepositoryBase(Generic[M]):
                model: type[M]

                def __init__(self, session: AsyncSession) -> None:
                    self.session = session

                def get_base_statement(self) -> Select:
                    return select(self.model)

                async def get_one_or_none(self, statement: Select):
                    result = await self.session.execute(statement)
                    return result.unique().scalar_one_or_none()

                async def count(self, statement: Select) -> int:
                    count_statement = statement.with_only_columns(func.count())
                    result = await self.session.execute(count_statement)
                    return result.scalar_one()


            class SoftDeletionMixin(Generic[M]):
                def get_base_statement(self, *, include_deleted: bool = False) -> Select:
                    statement = super().get_base_statement()
                    if not include_deleted:
                        statement = statement.where(self.model.deleted_at.is_(None))
                    return statement
        """,
        "app/users.py": """
            from app.models import Order, Team, User
            from app.repository import RepositoryBase, SoftDeletionMixin


            class UserRepository(SoftDeletionMixin[User], RepositoryBase[User]):
                model = User

                async def get_by_email(self, email: str):
                    statement = self.get_base_statement(include_deleted=False).where(User.email == email)
                    return await self.get_one_or_none(statement)

                async def get_in_team(self, team: int):
                    statement = self.get_base_statement().join(Team).where(Team.id == team)
                    return await self.get_one_or_none(statement)

                def get_statement_in_team(self, team: int):
                    return self.get_base_statement().join(Team).where(Team.id == team)

                async def emails_in_team(self, team: int):
                    statement = self.get_statement_in_team(team).with_only_columns(User.email)
                    result = await self.session.execute(statement)
                    return result.scalars().all()

                async def how_many(self):
                    return await self.count(self.get_base_statement())


            class OrderRepository(SoftDeletionMixin[Order], RepositoryBase[Order]):
                model = Order

                async def get_by_number(self, number: str):
                    return await self.get_one_or_none(self.get_base_statement().where(Order.number == number))


            async def now(session):
                return await session.execute(select(func.now()))
        """,
    })
    found = extract(*front_end(tmp_path))
    E = "entity:app.models."
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.users.UserRepository.get_by_email", E + "User"),
        ("app.users.UserRepository.get_in_team", E + "User"),
        ("app.users.UserRepository.get_in_team", E + "Team"),  # the join
        ("app.users.UserRepository.get_statement_in_team", E + "User"),  # where the statement is built
        ("app.users.UserRepository.get_statement_in_team", E + "Team"),
        ("app.users.UserRepository.how_many", E + "User"),
        # the model the statement joins, which the statement's value names
        ("app.users.UserRepository.emails_in_team", E + "Team"),
        ("app.users.OrderRepository.get_by_number", E + "Order"),
    }  # the base and the mixin name no model: they keep nothing
    # the statements run by emails_in_team and count were counted where they were built;
    # select(func.now()) states no entity
    assert found.counts["unresolved_accesses_top"] == [
        {"expr": "execute(select())", "count": 1}]


def test_a_parameter_annotated_with_a_model_holds_rows_of_that_model(tmp_path):
    """The resolver merges the arguments of every call it cannot tell apart: through
    ``SERVICES[kind].update(session, obj)`` both services' ``update`` receive users and
    teams. A parameter annotated with one model (``user: User``, also ``User | None``)
    holds rows of that model or of a model below it; a union (``User | Team``) or no
    annotation keeps whatever flows in."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": sqlalchemy_models(User="users", Team="teams", Tag="tags"),
        "app/services.py": """
            from sqlalchemy.orm import Session

            from app.models import Tag, Team, User


            class UserService:
                def update(self, session: Session, user: User | None):
                    session.add(user)


            class TeamService:
                def update(self, session: Session, team: "Team"):
                    session.add(team)


            class TagService:
                def update(self, session: Session, tag: User | Team):
                    session.add(tag)


            SERVICES = {"user": UserService(), "team": TeamService(), "tag": TagService()}


            def save(session: Session, kind: str, obj):
                SERVICES[kind].update(session, obj)


            def save_user(session: Session, user: User):
                save(session, "user", user)


            def save_team(session: Session, team: Team):
                save(session, "team", team)
        """,
    })
    found = extract(*front_end(tmp_path))
    E = "entity:app.models."
    writes = {(s, t) for s, t, _ in edges(found, "write")}
    assert ("app.services.UserService.update", E + "User") in writes
    assert ("app.services.TeamService.update", E + "Team") in writes
    assert not {(s, t) for s, t in writes if s.startswith(("app.services.UserService", "app.services.TeamService"))} \
        - {("app.services.UserService.update", E + "User"), ("app.services.TeamService.update", E + "Team")}
    # the union keeps both: its accesses go to the callers that hand each
    assert {("app.services.save_user", E + "User"), ("app.services.save_team", E + "Team")} <= writes


def test_a_model_given_to_a_repository_constructor_is_the_one_its_callers_touch(tmp_path):
    """``CRUDBase(User)`` with ``self.model = model`` in ``__init__`` (also passed on through
    ``super().__init__``), made at module level, in a property or a cached property: each
    call on that object reads or writes the model it was made with, also through the base's
    own methods (``self.get`` in ``by_id``, ``self._query()`` in ``all``), and the base's
    sites keep none of the models their callers took."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/api/routes.py": """
            from app import crud
            from app.crud.repos import AllRepositories


            def read_user(db, id):
                return crud.user.get(db, id)


            def read_user_by_id(db, id):
                return crud.user.by_id(db, id)


            def create_item(db, data):
                return crud.item.create(db, data)


            def delete_item(db, id):
                return crud.item.remove(db, id)


            def purge_user(db, id):
                crud.user.purge(db, id)


            def drop_item(db, id):
                crud.item.drop(db, id)


            class TagService:
                def __init__(self, session):
                    self.repos = AllRepositories(session, 1)

                def tags(self):
                    return self.repos.tags.all()

                def users(self):
                    return self.repos.users.all()
        """,
        "app/crud/__init__.py": """
            from app.crud.crud_user import user
            from app.crud.crud_item import item
        """,
        "app/crud/base.py": """
            from functools import cached_property

            from sqlalchemy import select
            from sqlalchemy.orm import Session


            class CRUDBase:
                def __init__(self, model):
                    self.model = model

                def get(self, db: Session, id):
                    return db.query(self.model).filter(self.model.id == id).first()

                def create(self, db: Session, data):
                    obj = self.model(**data)
                    db.add(obj)
                    return obj

                def remove(self, db: Session, id):
                    obj = self.get(db, id)
                    db.delete(obj)
                    return obj

                def purge(self, db: Session, id):
                    obj = db.query(self.model).filter(self.model.id == id).one()
                    db.delete(obj)

                def drop(self, db: Session, id):
                    obj = db.get(self.model, id)
                    db.delete(obj)


            class Repository:
                def __init__(self, session, primary_key, sql_model):
                    self.session = session
                    self.primary_key = primary_key
                    self.model = sql_model

                def _query(self):
                    return select(self.model)

                def all(self):
                    return self.session.scalars(self._query()).all()


            class GroupRepository(Repository):
                def __init__(self, session, primary_key, sql_model, *, group_id):
                    super().__init__(session, primary_key, sql_model)
                    self.group_id = group_id
        """,
        "app/crud/crud_item.py": """
            from app.crud.base import CRUDBase
            from app.models import Item

            item = CRUDBase(Item)
        """,
        "app/crud/crud_user.py": """
            from app.crud.base import CRUDBase
            from app.models import User


            class CRUDUser(CRUDBase):
                def by_id(self, db, id):
                    return self.get(db, id)


            user = CRUDUser(User)
        """,
        "app/crud/repos.py": """
            from functools import cached_property

            from app.crud.base import GroupRepository
            from app.models import Tag, User


            class AllRepositories:
                def __init__(self, session, group_id):
                    self.session = session
                    self.group_id = group_id

                @cached_property
                def tags(self):
                    return GroupRepository(self.session, "id", Tag, group_id=self.group_id)

                @property
                def users(self):
                    return GroupRepository(self.session, "id", User, group_id=self.group_id)
        """,
        "app/models.py": sqlalchemy_models(User="users", Item="items", Tag="tags"),
    })
    found = extract(*front_end(tmp_path))
    E = "entity:app.models."
    reads = {(s, t) for s, t, _ in edges(found, "read")}
    writes = {(s, t) for s, t, _ in edges(found, "write")}
    assert {
        ("app.api.routes.read_user", E + "User"),
        ("app.api.routes.read_user_by_id", E + "User"),  # ``self.get`` in the subclass
        ("app.api.routes.delete_item", E + "Item"),  # ``self.get`` in the base
        ("app.api.routes.TagService.tags", E + "Tag"),  # a cached property making the repository
        ("app.api.routes.TagService.users", E + "User"),  # a property; ``super().__init__``
    } <= reads
    assert ("app.api.routes.create_item", E + "Item") in writes  # ``obj = self.model(...)``
    # rows a query on ``self.model`` loaded, then deleted: the caller's model is written
    assert {("app.api.routes.purge_user", E + "User"), ("app.api.routes.drop_item", E + "Item")} <= writes
    assert not {(s, t) for s, t in reads if s in ("app.crud.base.CRUDBase.get", "app.crud.base.Repository._query")}
    assert ("app.crud.base.CRUDBase.purge", E + "User") not in writes
    assert ("app.crud.base.CRUDBase.drop", E + "Item") not in writes
    assert found.counts["unresolved_accesses"] == 0


def test_a_library_query_helper_and_the_projects_wrapper_of_it_query_the_callers_model(tmp_path):
    """oslo.db's ``model_query(M, session)`` reads M, and a project's wrapper that narrows and
    returns its query (nova's ``model_query(context, model, ...)``) gives each caller the
    query over its own model: the wrapper itself, handed every model, reads none, and a call
    chained on the wrapper's query (``.filter_by(...).first()``) keeps that caller's model."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/db/__init__.py": "",
        "app/db/models.py": """
            from oslo_db.sqlalchemy import models
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base

            BASE = declarative_base()


            class Service(BASE, models.ModelBase, models.SoftDeleteMixin):
                __tablename__ = "services"
                id = Column(Integer, primary_key=True)


            class Instance(BASE, models.ModelBase, models.SoftDeleteMixin):
                __tablename__ = "instances"
                id = Column(Integer, primary_key=True)
        """,
        "app/db/api.py": """
            from oslo_db.sqlalchemy import utils as sqlalchemyutils

            from app.db import models


            def model_query(context, model, args=None, project_only=False):
                query = sqlalchemyutils.model_query(model, context.session, args)
                if project_only:
                    query = query.filter_by(project_id=context.project_id)
                return query


            def service_get(context, service_id):
                query = model_query(context, models.Service).filter_by(id=service_id)
                return query.first()


            def service_destroy(context, service_id):
                model_query(context, models.Service).filter_by(id=service_id).soft_delete()


            def instance_get(context, instance_id):
                return model_query(context, models.Instance, project_only=True).filter_by(id=instance_id).first()


            def instance_count(context):
                return sqlalchemyutils.model_query(models.Instance, context.session).count()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.db.api.service_get", "entity:app.db.models.Service"),
        ("app.db.api.service_destroy", "entity:app.db.models.Service"),
        ("app.db.api.instance_get", "entity:app.db.models.Instance"),
        ("app.db.api.instance_count", "entity:app.db.models.Instance"),
    }
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.db.api.service_destroy", "entity:app.db.models.Service"),
    }
    assert found.counts["unresolved_accesses"] == 0


def test_a_wrapper_of_a_session_query_over_its_parameter_queries_each_callers_model(tmp_path):
    """cinder's ``model_query(context, model, *args)``: ``query = context.session.query(model,
    *args)``, narrowed and returned. Each call reads its own model; the wrapper, handed two
    models, reads neither."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": sqlalchemy_models(Volume="volumes", Snapshot="snapshots"),
        "app/api.py": """
            from app import models


            def model_query(context, model, *args, **kwargs):
                query = context.session.query(model, *args)
                if kwargs.get("read_deleted") == "no":
                    query = query.filter_by(deleted=False)
                return query


            def volume_get(context, volume_id):
                return model_query(context, models.Volume).filter_by(id=volume_id).first()


            def snapshot_destroy(context, snapshot_id):
                model_query(context, models.Snapshot, read_deleted="no").filter_by(id=snapshot_id).update({})
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.api.volume_get", "entity:app.models.Volume"),
        ("app.api.snapshot_destroy", "entity:app.models.Snapshot"),
    }
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.api.snapshot_destroy", "entity:app.models.Snapshot")}
    assert found.counts["unresolved_accesses"] == 0


def test_super_of_a_class_method_making_its_own_class_makes_the_callers_class(tmp_path):
    """keystone's ``User.from_dict``: ``obj = super().from_dict(d)``, where the mixin's
    ``from_dict`` returns ``cls(**d)``, is a User row (``cls`` is the class calling), so
    ``session.add(User.from_dict(user))`` writes User; an inherited ``from_dict`` called
    on Project still makes a Project."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class DictMixin:
                @classmethod
                def from_dict(cls, d):
                    return cls(**d)


            class User(Base, DictMixin):
                __tablename__ = "users"
                id: Mapped[int] = mapped_column(primary_key=True)

                @classmethod
                def from_dict(cls, d):
                    obj = super().from_dict(dict(d))
                    return obj


            class Project(Base, DictMixin):
                __tablename__ = "projects"
                id: Mapped[int] = mapped_column(primary_key=True)
        """,
        "app/backend.py": """
            from app import models


            def create_user(session, user):
                user_ref = models.User.from_dict(user)
                session.add(user_ref)


            def create_project(session, project):
                session.add(models.Project.from_dict(project))
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.backend.create_user", "entity:app.models.User"),
        ("app.backend.create_project", "entity:app.models.Project"),
    }
    assert found.counts["unresolved_accesses"] == 0


def test_a_helper_returning_work_on_its_parameter_gives_each_caller_its_own_rows(tmp_path):
    """``fetch_one(Realm, ...)`` with ``return table.query.filter_by(**q).one()`` is a Realm
    row at that call, not every caller's model; a mixin's ``cls.query.filter_by(...)`` is
    the receiver's rows (``Process.for_user(u).delete()`` writes Process); SQLAlchemy 2.0
    results (``execute(stmt).scalar_one()``, ``scalars(stmt).unique().all()``) are rows."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class Scoped:
                @classmethod
                def for_user(cls, user_id):
                    return cls.query.filter_by(user_id=user_id)


            class Realm(db.Model):
                id = db.Column(db.Integer, primary_key=True)


            class Policy(db.Model):
                id = db.Column(db.Integer, primary_key=True)


            class Process(Scoped, db.Model):
                id = db.Column(db.Integer, primary_key=True)


            class Setting(Scoped, db.Model):
                id = db.Column(db.Integer, primary_key=True)
        """,
        "app/utils.py": """
            def fetch_one(table, **query):
                return table.query.filter_by(**query).one()
        """,
        "app/lib.py": """
            from sqlalchemy import select

            from app.models import Policy, Process, Realm, Setting, db
            from app.utils import fetch_one


            def delete_realm(name):
                db.session.delete(fetch_one(Realm, name=name))


            def delete_policy(name):
                p = fetch_one(Policy, name=name)
                db.session.delete(p)


            def purge(uid):
                Process.for_user(uid).delete()


            def lookup(uid):
                return Setting.for_user(uid).all()


            def disable(name):
                p = db.session.execute(select(Policy).where(Policy.id == name)).scalar_one()
                db.session.delete(p)


            def drop_all():
                for p in db.session.scalars(select(Realm)).unique().all():
                    db.session.delete(p)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.lib.delete_realm", "entity:app.models.Realm"),
        ("app.lib.delete_policy", "entity:app.models.Policy"),
        ("app.lib.purge", "entity:app.models.Process"),
        ("app.lib.disable", "entity:app.models.Policy"),
        ("app.lib.drop_all", "entity:app.models.Realm"),
    }
    assert ("app.lib.lookup", "entity:app.models.Setting") in {(s, t) for s, t, _ in edges(found, "read")}


def test_two_handlers_at_one_method_and_path_both_stay_entry_points(tmp_path):
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/views.py": """
            from flask import Blueprint, Flask

            app = Flask(__name__)
            forum = Blueprint("forum", __name__)
            user = Blueprint("user", __name__)


            @forum.route("/")
            def forum_index():
                return ""


            @user.route("/")
            def user_index():
                return ""


            app.register_blueprint(forum, url_prefix=app.config["FORUM_URL_PREFIX"])
            app.register_blueprint(user, url_prefix=app.config["USER_URL_PREFIX"])
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {("entry:http:GET /", "app.views.forum_index"),
                             ("entry:http:GET / (app.views.user_index)", "app.views.user_index")}


def test_methods_called_on_queried_rows_are_calls_of_the_models_methods(tmp_path):
    """The resolver, knowing no managers, leaves ``run.add_tag(t)`` on ``Run.objects.get(...)``
    outside the project; the frameworks stage types the rows and links the call. ``super()``
    and calls the resolver already linked are left alone."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models


            class Run(models.Model):
                name = models.CharField(max_length=10)

                def add_tag(self, tag):
                    return tag

                def clean(self):
                    super().clean()
        """,
        "shop/api.py": """
            from shop.models import Run


            def add_tag(run_id, tag):
                run = Run.objects.get(pk=run_id)
                run.add_tag(tag)


            def tag_all(tag):
                for run in Run.objects.filter(name="x"):
                    run.add_tag(tag)


            def annotated(run_id, tag):
                run: Run = Run.objects.get(pk=run_id)
                run.add_tag(tag)
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    added = {(e.source, e.target) for e in found.edges if e.kind == "call"}
    assert added == {("shop.api.add_tag", "shop.models.Run.add_tag"), ("shop.api.tag_all", "shop.models.Run.add_tag")}
    assert ("shop.api.annotated", "shop.models.Run.add_tag") in {(e.source, e.target) for e in resolution.edges}
    assert found.counts["row_method_calls"] == 2


def test_generic_views_and_model_forms_work_on_the_model_they_are_declared_for(tmp_path):
    """A Django generic view's ``self.get_object()`` reads its ``model`` (or ``queryset``) and
    gives its rows; a model form's ``form.save()`` writes its ``Meta.model``; a DRF model
    serializer's ``serializer.save()`` too."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models


            class Event(models.Model):
                title = models.CharField(max_length=10)


            class Shift(models.Model):
                event = models.ForeignKey(Event, related_name="shifts", on_delete=models.CASCADE)
        """,
        "shop/views.py": """
            from django import forms
            from django.views.generic import DetailView
            from rest_framework import serializers

            from shop.models import Event, Shift


            class EventForm(forms.ModelForm):
                class Meta:
                    model = Event
                    fields = ["title"]


            class ShiftSerializer(serializers.ModelSerializer):
                class Meta:
                    model = Shift
                    fields = ["event"]


            class EventCopyView(DetailView):
                queryset = Event.objects.all()

                def post(self, request):
                    event = self.get_object()
                    shifts = list(event.shifts.all())
                    event.save()
                    return shifts


            def create_event(data):
                form = EventForm(data)
                return form.save()


            def create_shift(data):
                serializer = ShiftSerializer(data=data)
                serializer.save()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("shop.views.EventCopyView.post", "entity:shop.models.Event"),
        ("shop.views.create_event", "entity:shop.models.Event"),
        ("shop.views.create_shift", "entity:shop.models.Shift"),
    }
    assert {("shop.views.EventCopyView.post", "entity:shop.models.Event"),
            ("shop.views.EventCopyView.post", "entity:shop.models.Shift")} <= {(s, t) for s, t, _ in edges(found, "read")}


def test_relations_to_a_librarys_models_are_outside_and_generic_keys_no_relation(tmp_path):
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.contrib.auth.models import Group
            from django.contrib.contenttypes.fields import GenericForeignKey
            from django.contrib.contenttypes.models import ContentType
            from django.db import models


            class LogEntry(models.Model):
                content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
                object_id = models.PositiveIntegerField()
                content_object = GenericForeignKey("content_type", "object_id")
                groups = models.ManyToManyField(Group)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert found.counts["unresolved_relations"] == 0 and found.counts["outside_relations"] == 2


def test_only_strings_assigned_as_settings_count_as_broken_references(tmp_path):
    from helpers import build_tree

    build_tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/signals.py": """
            from django.db.models.signals import post_save
            from django.dispatch import receiver

            GATEWAY = "pkg.payments.Missing"
            CATEGORIES = {"pkg.documents.invoice": "Invoice"}


            @receiver(post_save, dispatch_uid="pkg.signals.on_save_handler")
            def on_save(sender, **kwargs):
                pass
        """,
    })
    found = extract(*front_end(tmp_path))
    assert found.counts["unresolved_references"] == 1
    assert found.counts["unresolved_references_top"] == [{"expr": "pkg.payments.Missing", "count": 1}]


def test_rules_listed_as_rows_of_a_list_are_registered_row_by_row(tmp_path):
    """zou registers ``(path, Resource)`` rows through a helper; timesketch loops
    ``api.add_resource(*route)`` over imported ``(Resource, path)`` rows."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/api.py": """
            def configure(blueprint, route_tuples):
                views = {}
                for path, resource in route_tuples:
                    view = views.get(resource)
                    if view is None:
                        view = resource.as_view(resource.__name__)
                    blueprint.add_url_rule(path, view_func=view)
                return blueprint
        """,
        "app/persons.py": """
            from flask import Blueprint
            from flask.views import MethodView

            from app.api import configure


            class PersonsResource(MethodView):
                def get(self):
                    return []

                def post(self):
                    return {}


            class PersonResource(MethodView):
                def delete(self, person_id):
                    return {}


            routes = [("/data/persons", PersonsResource), ("/data/persons/<person_id>", PersonResource)]
            CHOICES = [("a", "A"), ("b", "B")]
            blueprint = configure(Blueprint("persons", __name__), routes)
        """,
        "app/sketches.py": """
            from flask_restful import Resource


            class SketchList(Resource):
                def get(self):
                    return []


            class Sketch(Resource):
                def put(self, sketch_id):
                    return {}


            API_ROUTES = [(SketchList, "/sketches/"), (Sketch, "/sketches/<int:sketch_id>/", "/s/<int:sketch_id>/")]
        """,
        "app/main.py": """
            from flask import Flask
            from flask_restful import Api

            from app.persons import blueprint
            from app.sketches import API_ROUTES

            app = Flask(__name__)
            app.register_blueprint(blueprint)
            api = Api(app, prefix="/api/v1")
            for route in API_ROUTES:
                api.add_resource(*route)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /data/persons", "app.persons.PersonsResource"),
        ("entry:http:POST /data/persons", "app.persons.PersonsResource"),
        ("entry:http:DELETE /data/persons/<person_id>", "app.persons.PersonResource"),
        ("entry:http:GET /api/v1/sketches/", "app.sketches.SketchList"),
        ("entry:http:PUT /api/v1/sketches/<int:sketch_id>/", "app.sketches.Sketch"),
        ("entry:http:PUT /api/v1/s/<int:sketch_id>/", "app.sketches.Sketch"),
    }
    assert found.counts["unresolved_routes"] == 0  # the helper's own add_url_rule is no route


def test_sqlalchemy_declared_table_names_and_inherited_class_methods(tmp_path):
    """A base's ``@declared_attr __tablename__`` names each model's table; a base classmethod
    ``return session.get(cls, id)`` called on a model gives that model's rows."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import Column, ForeignKey, Integer, String
            from sqlalchemy.ext.declarative import as_declarative, declared_attr
            from sqlalchemy.orm import scoped_session, sessionmaker

            db_session = scoped_session(sessionmaker())


            @as_declarative()
            class BaseModel:
                @declared_attr
                def __tablename__(cls):
                    return cls.__name__.lower()

                id = Column(Integer, primary_key=True)

                @classmethod
                def get_by_id(cls, model_id):
                    return db_session.get(cls, model_id)

                @classmethod
                def named(cls, name):
                    return db_session.query(cls).filter_by(name=name).first()


            class User(BaseModel):
                name = Column(String)


            class Sketch(BaseModel):
                user_id = Column(Integer, ForeignKey("user.id"))
        """,
        "app/views.py": """
            from app.models import Sketch, User, db_session


            def rename(sketch_id, name):
                sketch = Sketch.get_by_id(sketch_id)
                sketch.name = name
                db_session.add(sketch)


            def owner_of(name):
                return User.named(name)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert entities(found) == {("entity:app.models.User", "user", False), ("entity:app.models.Sketch", "sketch", False)}
    assert found.counts["unresolved_relations"] == 0
    assert {(s, t) for s, t, _ in edges(found, "relation")} == {("entity:app.models.Sketch", "entity:app.models.User")}
    assert {(s, t) for s, t, _ in edges(found, "write")} == {("app.views.rename", "entity:app.models.Sketch")}
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.views.rename", "entity:app.models.Sketch"), ("app.views.owner_of", "entity:app.models.User")}


def test_a_viewset_given_its_actions_in_a_url_pattern_routes_each_verb_to_its_action(tmp_path):
    """``path("items/", ItemViewSet.as_view({"get": "list", "post": "create"}))``: plane's
    121 routes were "ANY" to the class."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/settings.py": 'ROOT_URLCONF = "app.urls"\nINSTALLED_APPS = ["app", "rest_framework"]\n',
        "app/views.py": """
            from rest_framework import viewsets


            class ItemViewSet(viewsets.ModelViewSet):
                def list(self, request):
                    return []

                def destroy(self, request, pk):
                    return None
        """,
        "app/urls.py": """
            from django.urls import path

            from app import views

            urlpatterns = [
                path("items/", views.ItemViewSet.as_view({"get": "list", "post": "create"}), name="items"),
                path("items/<int:pk>/", views.ItemViewSet.as_view({"delete": "destroy"})),
            ]
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /items/", "app.views.ItemViewSet.list"),
        ("entry:http:POST /items/", "app.views.ItemViewSet"),  # DRF's own create: the class stands for it
        ("entry:http:DELETE /items/<int:pk>/", "app.views.ItemViewSet.destroy"),
    }


def test_a_loop_over_a_call_annotated_to_return_a_list_of_models_holds_their_rows(tmp_path):
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Item(Base):
                __tablename__ = "item"
                id = Column(Integer, primary_key=True)
        """,
        "app/logic.py": """
            from typing import Iterator

            from sqlalchemy.orm import Session

            from app.models import Item


            def fetch(session):
                return []


            def pending(session: Session) -> list[Item]:
                return fetch(session)


            def stale(session: Session) -> Iterator["Item"]:
                yield from fetch(session)


            def rename_all(session: Session):
                for item in pending(session):
                    session.add(item)


            def purge(session: Session):
                for item in stale(session):
                    session.delete(item)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.logic.rename_all", "entity:app.models.Item"), ("app.logic.purge", "entity:app.models.Item")}
    assert found.counts["unresolved_accesses"] == 0


def test_url_lists_spread_into_urlpatterns_serve_under_its_prefix(tmp_path):
    """plane: ``urlpatterns = [*analytic_urls, *asset_urls, ...]`` of lists other URL modules
    define (38 URL modules were unreached and served from "/")."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "proj/__init__.py": "",
        "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["proj.app"]\n',
        "proj/urls.py": """
            from django.urls import include, path

            urlpatterns = [path("api/", include("proj.app.urls"))]
        """,
        "proj/app/__init__.py": "",
        "proj/app/views.py": """
            def report(request):
                return None


            def asset(request, pk):
                return None
        """,
        "proj/app/urls/__init__.py": """
            from .analytic import urlpatterns as analytic_urls
            from .asset import urlpatterns as asset_urls

            urlpatterns = [*analytic_urls, *asset_urls]
        """,
        "proj/app/urls/analytic.py": """
            from django.urls import path

            from proj.app import views

            urlpatterns = [path("reports/", views.report)]
        """,
        "proj/app/urls/asset.py": """
            from django.urls import path

            from proj.app import views

            urlpatterns = [path("assets/<int:pk>/", views.asset)]
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:ANY /api/reports/", "proj.app.views.report"),
        ("entry:http:ANY /api/assets/<int:pk>/", "proj.app.views.asset"),
    }
    assert found.counts["unreached_urlconfs"] == 0


def test_select_reads_the_models_inside_its_column_expressions(tmp_path):
    """Polar counts and sums: 54 of 114 executed statements named no entity before."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Order(Base):
                __tablename__ = "orders"
                id = Column(Integer, primary_key=True)
                total = Column(Integer)


            class Refund(Base):
                __tablename__ = "refunds"
                id = Column(Integer, primary_key=True)


            class Payout(Base):
                __tablename__ = "payouts"
                id = Column(Integer, primary_key=True)


            class Dispute(Base):
                __tablename__ = "disputes"
                id = Column(Integer, primary_key=True)
        """,
        "app/stats.py": """
            from sqlalchemy import func, select
            from sqlalchemy.orm import Session

            from app.models import Dispute, Order, Payout, Refund


            def orders(session: Session):
                return session.execute(select(func.count(Order.id)).where(Order.total > 0)).scalar()


            def refunds(session: Session):
                return session.execute(select(func.count()).select_from(Refund)).scalar()


            def payouts(session: Session):
                return session.execute(select(func.sum(Payout.id).label("n"))).scalar()


            def disputes(session: Session):
                return session.execute(select(select(Dispute.id).exists())).scalar()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.stats.orders", "entity:app.models.Order"), ("app.stats.refunds", "entity:app.models.Refund"),
        ("app.stats.payouts", "entity:app.models.Payout"), ("app.stats.disputes", "entity:app.models.Dispute")}
    assert found.counts["unresolved_accesses"] == 0


def test_a_session_query_of_a_sql_function_over_a_column_reads_its_model(tmp_path):
    """indico: ``db.session.query(db.func.max(Event.id)).scalar()`` reads Event; the query
    was counted unresolved (13 times) because its argument is a call, not a model."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class Event(db.Model):
                id = db.Column(db.Integer, primary_key=True)


            class Contribution(db.Model):
                id = db.Column(db.Integer, primary_key=True)
                position = db.Column(db.Integer)
        """,
        "app/numbers.py": """
            from app.models import Contribution, Event, db


            def last_event_id():
                return db.session.query(db.func.max(Event.id)).scalar()


            def next_position():
                return (db.session.query(db.func.coalesce(db.func.max(Contribution.position), 0)).scalar() or 0) + 1
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "read")} == {
        ("app.numbers.last_event_id", "entity:app.models.Event"),
        ("app.numbers.next_position", "entity:app.models.Contribution")}
    assert found.counts["unresolved_accesses"] == 0


def test_a_generic_getter_through_a_mixin_class_method_gives_each_caller_its_model(tmp_path):
    """zou: ``get_instance(Playlist, k)`` runs ``instance = model.get(k)`` (a mixin's
    ``db.session.get(cls, id)``) and returns it; each caller holds its own model's rows."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class BaseMixin:
                @classmethod
                def get(cls, id):
                    return db.session.get(cls, id)

                def delete(self):
                    db.session.delete(self)


            class Playlist(db.Model, BaseMixin):
                id = db.Column(db.Integer, primary_key=True)


            class Person(db.Model, BaseMixin):
                id = db.Column(db.Integer, primary_key=True)
        """,
        "app/base_service.py": """
            def get_instance(model, instance_id):
                instance = model.get(instance_id)
                if instance is None:
                    raise KeyError(instance_id)
                return instance
        """,
        "app/services.py": """
            from app import base_service
            from app.models import Person, Playlist


            def remove_playlist(k):
                base_service.get_instance(Playlist, k).delete()


            def remove_person(k):
                person = base_service.get_instance(Person, k)
                person.delete()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.services.remove_playlist", "entity:app.models.Playlist"),
        ("app.services.remove_person", "entity:app.models.Person")}


def test_a_generic_receiver_of_many_models_gives_no_rows_to_its_class_method(tmp_path):
    """``self.model.get(k)`` in a CRUD base whose subclasses set four models: whose rows it
    reads is each subclass's, too vague to pin on the base (zou's BaseModelResource)."""
    from helpers import build_tree

    models = "".join(f"""

            class M{i}(db.Model, BaseMixin):
                id = db.Column(db.Integer, primary_key=True)
""" for i in range(4))
    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class BaseMixin:
                @classmethod
                def get(cls, id):
                    return db.session.get(cls, id)

                def delete(self):
                    db.session.delete(self)
""" + models,
        "app/crud.py": """
            from app.models import M0, M1, M2, M3


            class Resource:
                def __init__(self, model):
                    self.model = model

                def delete(self, k):
                    self.model.get(k).delete()


            class R0(Resource):
                def __init__(self):
                    Resource.__init__(self, M0)


            class R1(Resource):
                def __init__(self):
                    Resource.__init__(self, M1)


            class R2(Resource):
                def __init__(self):
                    Resource.__init__(self, M2)


            class R3(Resource):
                def __init__(self):
                    Resource.__init__(self, M3)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert edges(found, "write") == set()


def test_a_query_joining_many_models_is_not_generic(tmp_path):
    """A query on one model that prefetches eleven relations reads twelve models, all known
    precisely: it is not generic code, and keeps its reads."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from django.db import models


            class Part0(models.Model):
                pass


            class Part1(models.Model):
                pass


            class Part2(models.Model):
                pass


            class Part3(models.Model):
                pass


            class Part4(models.Model):
                pass


            class Part5(models.Model):
                pass


            class Part6(models.Model):
                pass


            class Part7(models.Model):
                pass


            class Part8(models.Model):
                pass


            class Part9(models.Model):
                pass


            class Part10(models.Model):
                pass


            class Report(models.Model):
                part0 = models.ForeignKey(Part0, on_delete=models.CASCADE)
                part1 = models.ForeignKey(Part1, on_delete=models.CASCADE)
                part2 = models.ForeignKey(Part2, on_delete=models.CASCADE)
                part3 = models.ForeignKey(Part3, on_delete=models.CASCADE)
                part4 = models.ForeignKey(Part4, on_delete=models.CASCADE)
                part5 = models.ForeignKey(Part5, on_delete=models.CASCADE)
                part6 = models.ForeignKey(Part6, on_delete=models.CASCADE)
                part7 = models.ForeignKey(Part7, on_delete=models.CASCADE)
                part8 = models.ForeignKey(Part8, on_delete=models.CASCADE)
                part9 = models.ForeignKey(Part9, on_delete=models.CASCADE)
                part10 = models.ForeignKey(Part10, on_delete=models.CASCADE)


            def reports():
                return Report.objects.filter(id__gt=0).prefetch_related("part0", "part1", "part2", "part3", "part4", "part5", "part6", "part7", "part8", "part9", "part10")
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {t for s, t, _ in edges(found, "read") if s == "app.models.reports"} == {
        f"entity:app.models.{n}" for n in ["Report", *(f"Part{i}" for i in range(11))]}
    assert found.counts["unresolved_accesses"] == 0


def test_a_call_touching_more_than_ten_models_is_generic_and_counted_unresolved(tmp_path):
    """mealie's generic repository merged 34 models at one call: edges to every model from
    one line say nothing about any of them and made every model shared."""
    from helpers import build_tree

    models = "".join(f"""

            class M{i}(models.Model):
                name = models.CharField(max_length=10)
""" for i in range(11))
    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "            from django.db import models\n" + models,
        "app/admin_tasks.py": """
            from app import models

            EVERY_MODEL = [models.M0, models.M1, models.M2, models.M3, models.M4, models.M5, models.M6, models.M7,
                           models.M8, models.M9, models.M10]


            def purge():
                for model in EVERY_MODEL:
                    model.objects.all().delete()


            def purge_some():
                for model in (models.M0, models.M1):
                    model.objects.all().delete()
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.admin_tasks.purge_some", "entity:app.models.M0"), ("app.admin_tasks.purge_some", "entity:app.models.M1")}
    assert found.counts["unresolved_accesses_top"] == [
        {"expr": "generic, on any model: model.objects.all().delete(...)", "count": 1}]


def test_a_helper_registering_on_its_modules_blueprint_makes_each_callers_rules(tmp_path):
    """pybossa's ``register_api(view, endpoint, url)`` adds two rules (GET, POST) for each
    API class on the ``api`` blueprint of its own module."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/api/__init__.py": """
            from flask import Blueprint

            from app.api.projects import ProjectAPI, TaskAPI

            blueprint = Blueprint("api", __name__)


            def register_api(view, endpoint, url):
                view_func = view.as_view(endpoint)
                blueprint.add_url_rule(url, view_func=view_func, methods=["GET"])
                blueprint.add_url_rule(url, view_func=view_func, methods=["POST"])
                blueprint.add_url_rule("%s/<int:oid>" % url, view_func=view_func, methods=["DELETE"])


            register_api(ProjectAPI, "api_project", "/project")
            register_api(TaskAPI, "api_task", "/task")
        """,
        "app/api/projects.py": """
            from flask.views import MethodView


            class ProjectAPI(MethodView):
                def get(self):
                    return []

                def post(self):
                    return {}


            class TaskAPI(ProjectAPI):
                pass
        """,
        "app/core.py": """
            from flask import Flask

            from app.api import blueprint as api

            app = Flask(__name__)
            app.register_blueprint(api, url_prefix="/api")
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /api/project", "app.api.projects.ProjectAPI"),
        ("entry:http:POST /api/project", "app.api.projects.ProjectAPI"),
        ("entry:http:GET /api/task", "app.api.projects.TaskAPI"),
        ("entry:http:POST /api/task", "app.api.projects.TaskAPI"),
    }
    # the rule whose path the helper builds at run time is lost, and said
    assert found.counts["unresolved_routes"] == 1


def test_django_odds_verbs_of_all_mixins_instances_as_views_and_prose_is_no_sql(tmp_path):
    """InvenTree and Weblate: a project mixin's ``delete`` adds to the verbs DRF's bases
    imply; a ``Func`` subclass is no model; ``path("feed/", PostFeed())`` serves the class;
    ``_("Select currency from available options")`` names no table."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/settings.py": 'ROOT_URLCONF = "app.urls"\nINSTALLED_APPS = ["app"]\n',
        "app/models.py": """
            from django.db import models
            from django.db.models import DateTimeField, Func


            class Part(models.Model):
                name = models.CharField(max_length=10)


            class TimestampAdd(Func):
                function = "TIMESTAMPADD"
                output_field = DateTimeField()
        """,
        "app/views.py": """
            from django.contrib.syndication.views import Feed
            from django.utils.translation import gettext_lazy as _
            from rest_framework import generics, mixins

            from app.models import Part

            HELP = _("Select currency from available options")


            class BulkDeleteMixin:
                def delete(self, request):
                    return Part.objects.filter(pk__in=request.data).delete()


            class PartList(BulkDeleteMixin, generics.ListCreateAPIView):
                queryset = Part.objects.all()


            class PartMixins(mixins.ListModelMixin, mixins.CreateModelMixin, generics.GenericAPIView):
                queryset = Part.objects.all()


            class PartFeed(Feed):
                def items(self):
                    return Part.objects.all()
        """,
        "app/urls.py": """
            from django.urls import path

            from app import views

            urlpatterns = [
                path("parts/", views.PartList.as_view()),
                path("parts2/", views.PartMixins.as_view()),
                path("feed/", views.PartFeed()),
            ]
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {e.id for e in found.entities} == {"entity:app.models.Part"}
    assert routes(found) == {
        ("entry:http:GET /parts/", "app.views.PartList"), ("entry:http:POST /parts/", "app.views.PartList"),
        ("entry:http:DELETE /parts/", "app.views.PartList"),
        ("entry:http:GET /parts2/", "app.views.PartMixins"), ("entry:http:POST /parts2/", "app.views.PartMixins"),
        ("entry:http:ANY /feed/", "app.views.PartFeed"),
    }


def test_routers_included_in_a_loop_and_a_global_repository(tmp_path):
    """letta mounts its routers with ``for router in ROUTERS: app.include_router(router,
    prefix="/v1")`` (261 of 271 routes had no prefix); pybossa sets its repositories with
    ``global project_repo`` inside a setup function, and its views import them."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/routers.py": """
            from fastapi import APIRouter

            items = APIRouter(prefix="/items")
            users = APIRouter(prefix="/users")


            @items.get("/")
            def list_items():
                return []


            @users.post("/")
            def add_user():
                return {}


            ROUTERS = [items, users]
        """,
        "app/main.py": """
            from fastapi import FastAPI

            from app.routers import ROUTERS

            app = FastAPI()
            for router in ROUTERS:
                app.include_router(router, prefix="/v1")
        """,
        "app/core.py": """
            from app.repo import Repository


            def setup():
                global repo
                repo = Repository()
        """,
        "app/repo.py": """
            class Repository:
                def get(self, k):
                    return k
        """,
        "app/views.py": """
            from app.core import repo


            def show(k):
                return repo.get(k)
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    assert routes(found) == {("entry:http:GET /v1/items/", "app.routers.list_items"),
                             ("entry:http:POST /v1/users/", "app.routers.add_user")}
    from helpers import call_edges

    assert ("app.views.show", "app.repo.Repository.get") in call_edges(resolution)


def test_methods_of_project_querysets_and_managers_are_called_through_the_manager(tmp_path):
    """``objects = ArticleQuerySet.as_manager()`` and a manager made ``from_queryset`` in its
    bases: the resolver sees an outside manager, so ``Article.objects.published()`` would end
    outside; the frameworks stage links it to the queryset's method, and that method's
    ``self`` holds the model's rows."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models


            class ArticleQuerySet(models.QuerySet):
                def published(self):
                    return self.filter(state="p")

                def archive(self):
                    return self.update(state="a")


            class Article(models.Model):
                state = models.CharField(max_length=1)
                objects = ArticleQuerySet.as_manager()


            class CommentQuerySet(models.QuerySet):
                def visible(self):
                    return self.filter(hidden=False)


            class CommentManager(models.Manager.from_queryset(CommentQuerySet)):
                def spam(self):
                    return self.filter(hidden=True)


            class Comment(models.Model):
                hidden = models.BooleanField()
                objects = CommentManager()
        """,
        "shop/views.py": """
            from shop.models import Article, Comment


            def front_page():
                return list(Article.objects.published().filter(id__gt=1))


            def archive_all():
                Article.objects.all().archive()


            def comments():
                return Comment.objects.visible(), Comment.objects.spam()
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    assert {(e.source, e.target) for e in found.edges if e.kind == "call"} == {
        ("shop.views.front_page", "shop.models.ArticleQuerySet.published"),
        ("shop.views.archive_all", "shop.models.ArticleQuerySet.archive"),
        ("shop.views.comments", "shop.models.CommentQuerySet.visible"),
    }
    assert ("shop.views.comments", "shop.models.CommentManager.spam") in {(e.source, e.target) for e in resolution.edges}
    assert edges(found, "read") >= {("shop.models.CommentQuerySet.visible", "entity:shop.models.Comment", 1),
                                    ("shop.models.ArticleQuerySet.published", "entity:shop.models.Article", 1),
                                    ("shop.views.front_page", "entity:shop.models.Article", 1)}
    assert ("shop.models.ArticleQuerySet.archive", "entity:shop.models.Article", 1) in edges(found, "write")
    assert found.counts["row_method_calls"] == 3


def test_sqlalchemy_statements_made_by_functions_imported_under_another_name(tmp_path):
    """``from sqlalchemy import delete as sa_delete`` (a route module's own ``delete`` would
    clash): the statement is still a write of its model."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


            class Base(DeclarativeBase):
                pass


            class Item(Base):
                __tablename__ = "items"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str]
        """,
        "app/repo.py": """
            from sqlalchemy import delete as sa_delete, select as sa_select, update as sa_update

            from app.models import Item


            def remove(session, k):
                session.execute(sa_delete(Item).where(Item.id == k))


            def names(session):
                return session.scalars(sa_select(Item.name)).all()


            def rename(session, k, n):
                session.execute(sa_update(Item).where(Item.id == k).values(name=n))


            def delete(model, k):
                return sa_delete(model).where(model.id == k)


            def drop_item(session, k):
                session.execute(delete(Item, k))
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    assert {(s, t) for s, t, _ in edges(found, "write")} == {
        ("app.repo.remove", "entity:app.models.Item"), ("app.repo.rename", "entity:app.models.Item"),
        ("app.repo.delete", "entity:app.models.Item")}  # the helper, on its caller's model
    assert {(s, t) for s, t, _ in edges(found, "read")} == {("app.repo.names", "entity:app.models.Item")}
    assert found.counts["unresolved_accesses"] == 0


def test_websocket_endpoints_are_entry_points_of_their_own_kind(tmp_path):
    """FastAPI ``@router.websocket`` / ``add_api_websocket_route`` and Quart ``@app.websocket``:
    routes of kind ``websocket`` under their router's prefixes, not HTTP routes."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "api/__init__.py": "",
        "api/chat.py": """
            from fastapi import APIRouter, FastAPI, WebSocket

            router = APIRouter(prefix="/chat")


            @router.websocket("/ws")
            async def chat_socket(ws: WebSocket):
                await ws.accept()


            @router.get("/history")
            def history():
                return []


            async def feed(ws: WebSocket):
                await ws.accept()


            app = FastAPI()
            app.include_router(router, prefix="/api")
            app.add_api_websocket_route("/feed", feed)
        """,
        "live/__init__.py": "",
        "live/app.py": """
            from quart import Quart

            app = Quart(__name__)


            @app.websocket("/live")
            async def live():
                return None
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    assert {(r.id, r.kind, r.handler, r.path, r.methods) for r in found.routes} == {
        ("entry:websocket:/api/chat/ws", "websocket", "api.chat.chat_socket", "/api/chat/ws", ()),
        ("entry:http:GET /api/chat/history", "http", "api.chat.history", "/api/chat/history", ("GET",)),
        ("entry:websocket:/feed", "websocket", "api.chat.feed", "/feed", ()),
        ("entry:websocket:/live", "websocket", "live.app.live", "/live", ()),
    }
    assert found.counts["routes_by_kind"] == {"http": 1, "websocket": 3}
    names = {s.id: s.name for s in found.symbols}
    assert names["entry:websocket:/api/chat/ws"] == "websocket /api/chat/ws"


def test_a_handler_name_defined_again_keeps_the_route_its_first_definition_registered(tmp_path):
    """Python rebinds ``handler``, but the first decorator already registered its route."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "api/__init__.py": "",
        "api/r.py": """
            from fastapi import APIRouter

            router = APIRouter()


            @router.get("/a")
            def handler():
                return 1


            @router.post("/b")
            def handler():
                return 2
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    assert {(r.id, r.handler, r.line) for r in found.routes} == {
        ("entry:http:GET /a", "api.r.handler", 6), ("entry:http:POST /b", "api.r.handler", 11)}


def test_flask_appbuilder_exposed_methods_serve_under_their_class_route_base(tmp_path):
    """``@expose`` on a view's or API's methods, under ``route_base`` or the default one; a
    project base class's exposed methods serve under each subclass, not on their own."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/views.py": """
            from flask_appbuilder import BaseView, expose
            from flask_appbuilder.api import BaseApi


            class Reports(BaseView):
                route_base = "/reports"

                @expose("/list/")
                def index(self):
                    return "x"

                @expose("/run/<int:pk>", methods=["GET", "POST"])
                def run(self, pk):
                    return "y"


            class Exportable(BaseView):
                @expose("/export/")
                def export(self):
                    return "z"


            class Invoices(Exportable):
                pass


            class ChartApi(BaseApi):
                resource_name = "chart"

                @expose("/<pk>", methods=("DELETE",))
                def delete(self, pk):
                    return pk


            def init(appbuilder):
                appbuilder.add_view_no_menu(Reports)
                appbuilder.add_api(ChartApi)
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    assert routes(found) == {
        ("entry:http:GET /reports/list/", "app.views.Reports.index"),
        ("entry:http:GET /reports/run/<int:pk>", "app.views.Reports.run"),
        ("entry:http:POST /reports/run/<int:pk>", "app.views.Reports.run"),
        ("entry:http:GET /invoices/export/", "app.views.Exportable.export"),
        ("entry:http:DELETE /api/v1/chart/<pk>", "app.views.ChartApi.delete"),
    }


def test_f_strings_of_constants_are_read_as_the_strings_they_make(tmp_path):
    """``prefix=f"{API}/users"`` with ``API`` a constant (itself an f-string of another,
    imported, or a settings default), ``f"SELECT ... FROM {TABLE}"``: the f-string is filled
    from the constants; one holding a call stays unknown."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/config.py": """
            from pydantic_settings import BaseSettings

            ROOT = "/api"
            API = f"{ROOT}/v1"


            class Settings(BaseSettings):
                ADMIN: str = "/admin"


            settings = Settings()
        """,
        "app/main.py": """
            from fastapi import APIRouter, FastAPI

            from app.config import API, settings

            TABLE = "audit_log"
            users = APIRouter()
            admin = APIRouter()
            other = APIRouter()


            @users.get("/")
            def list_users(db):
                return db.execute(f"SELECT id FROM {TABLE} WHERE kind = 'user'")


            @admin.get("/stats")
            def stats():
                return {}


            @other.get("/x")
            def x():
                return {}


            app = FastAPI()
            app.include_router(users, prefix=f"{API}/users")
            app.include_router(admin, prefix=f"{settings.ADMIN}/v2")
            app.include_router(other, prefix=f"{API.lower()}/other")
        """,
    })
    facts, resolution = front_end(tmp_path)
    found = extract(facts, resolution)
    assert routes(found) == {
        ("entry:http:GET /api/v1/users/", "app.main.list_users"),
        ("entry:http:GET /admin/v2/stats", "app.main.stats"),
        ("entry:http:GET /x", "app.main.x"),  # the prefix is a call's: unknown
    }
    assert ("app.main.list_users", "entity:table:audit_log", 1) in edges(found, "read")


def test_django_queries_read_the_models_their_field_paths_join(tmp_path):
    """``filter(customer__name=n)``, ``select_related("customer")``, ``prefetch_related(
    "items")``, ``annotate(n=Count("orders"))`` and ``values_list("order__customer__name")``
    read the models along the path; a foreign key's own column (``customer=c``,
    ``customer__in=``, ``customer__id=``) joins nothing."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models


            class Customer(models.Model):
                name = models.CharField(max_length=10)


            class Order(models.Model):
                customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")


            class Item(models.Model):
                order = models.ForeignKey(Order, on_delete=models.CASCADE)
                sku = models.CharField(max_length=10)
        """,
        "shop/svc.py": """
            from django.db.models import Count, Q
            from shop.models import Customer, Item, Order


            def by_name(n):
                return Order.objects.filter(customer__name=n)


            def joined():
                return Order.objects.select_related("customer").filter(id__gt=1).first()


            def counted():
                return Customer.objects.annotate(n=Count("orders", filter=Q(orders__item__sku="x")))


            def names():
                return Item.objects.values_list("order__customer__name", flat=True)


            def by_key(c):
                return Order.objects.filter(customer=c), Order.objects.filter(customer__in=[c], customer__id=1)


            def with_items():
                return Order.objects.filter(item__sku="x")
        """,
    })
    found = extract(*front_end(tmp_path))
    reads = {(s.rsplit(".", 1)[-1], t.rsplit(".", 1)[-1]) for s, t, _ in edges(found, "read")}
    assert reads == {
        ("by_name", "Order"), ("by_name", "Customer"),
        ("joined", "Order"), ("joined", "Customer"),
        ("counted", "Customer"), ("counted", "Order"), ("counted", "Item"),
        ("names", "Item"), ("names", "Order"), ("names", "Customer"),
        ("by_key", "Order"),
        ("with_items", "Order"), ("with_items", "Item"),
    }


def test_sqlalchemy_queries_read_the_models_their_relationships_join_or_load(tmp_path):
    """``.join(Order.customer)`` and ``.options(joinedload(Order.customer))`` read Customer;
    a join inside a chain is kept when the chain's outer call reads another model."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


            class Base(DeclarativeBase):
                pass


            class Customer(Base):
                __tablename__ = "customers"
                id: Mapped[int] = mapped_column(primary_key=True)
                orders: Mapped[list["Order"]] = relationship(back_populates="customer")


            class Order(Base):
                __tablename__ = "orders"
                id: Mapped[int] = mapped_column(primary_key=True)
                customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
                customer: Mapped[Customer] = relationship(back_populates="orders")
        """,
        "app/repo.py": """
            from sqlalchemy import select
            from sqlalchemy.orm import joinedload, selectinload

            from app.models import Customer, Order


            def with_customer(session):
                return session.scalars(select(Order).options(joinedload(Order.customer))).all()


            def with_orders(session):
                return session.query(Customer).options(selectinload(Customer.orders)).all()


            def joined(session):
                return session.scalars(select(Order).join(Order.customer)).all()


            def deep(session):
                stmt = select(Customer).options(selectinload(Customer.orders).joinedload(Order.customer))
                return session.scalars(stmt).all()
        """,
    })
    found = extract(*front_end(tmp_path))
    reads = {(s.rsplit(".", 1)[-1], t.rsplit(".", 1)[-1]) for s, t, _ in edges(found, "read")}
    assert reads == {("with_customer", "Order"), ("with_customer", "Customer"), ("with_orders", "Customer"),
                     ("with_orders", "Order"), ("joined", "Order"), ("joined", "Customer"),
                     ("deep", "Customer"), ("deep", "Order")}  # each loader of a chain


def test_sqlalchemy_relationships_named_only_by_their_annotation_relate_the_items_class(tmp_path):
    """``notes: Mapped[list[Note]] = relationship()``, with no class argument and no
    ``back_populates``: the related class is the list's items (it was left unresolved as
    ``list``), so ``.join(Item.notes)`` reads Note."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            from typing import List, Optional

            from sqlalchemy import ForeignKey
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


            class Base(DeclarativeBase):
                pass


            class Tag(Base):
                __tablename__ = "tags"
                id: Mapped[int] = mapped_column(primary_key=True)


            class Note(Base):
                __tablename__ = "notes"
                id: Mapped[int] = mapped_column(primary_key=True)
                item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))


            class Item(Base):
                __tablename__ = "items"
                id: Mapped[int] = mapped_column(primary_key=True)
                tags: Mapped[List["Tag"]] = relationship(secondary="item_tags")
                notes: Mapped[list[Note]] = relationship()
                parent: Mapped[Optional["Item"]] = relationship()
        """,
        "app/repo.py": """
            from sqlalchemy import select

            from app.models import Item


            def with_notes(session):
                return session.scalars(select(Item).join(Item.notes)).all()


            def with_tags(session):
                return session.scalars(select(Item).join(Item.tags)).all()
        """,
    })
    found = extract(*front_end(tmp_path))
    reads = {(s.rsplit(".", 1)[-1], t.rsplit(".", 1)[-1]) for s, t, _ in edges(found, "read")}
    assert {("with_notes", "Note"), ("with_tags", "Tag")} <= reads
    assert found.counts["unresolved_relations"] == 0


def test_django_ninja_routes_under_their_routers_and_the_url_that_mounts_the_api(tmp_path):
    """``@router.get`` on a Ninja ``Router`` added with ``api.add_router("/events/", router)``,
    the ``NinjaAPI`` mounted by ``path("api/", api.urls)``."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "proj/__init__.py": "",
        "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["proj", "events"]\n',
        "proj/api.py": """
            from ninja import NinjaAPI

            from events.api import router as events_router

            api = NinjaAPI()
            api.add_router("/events/", events_router)


            @api.get("/health")
            def health(request):
                return {"ok": True}
        """,
        "proj/urls.py": """
            from django.urls import path

            from proj.api import api

            urlpatterns = [path("api/", api.urls)]
        """,
        "events/__init__.py": "",
        "events/api.py": """
            from ninja import Router

            router = Router()


            @router.get("/{event_id}")
            def get_event(request, event_id: int):
                return {}


            @router.post("/")
            def create_event(request):
                return {}
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {r for r in routes(found)} == {
        ("entry:http:GET /api/health", "proj.api.health"),
        ("entry:http:GET /api/events/{event_id}", "events.api.get_event"),
        ("entry:http:POST /api/events/", "events.api.create_event"),
    }


def test_sanic_routes_blueprints_and_class_views(tmp_path):
    """Sanic: decorators on the app and on blueprints (prefix from ``Blueprint`` or from
    ``app.blueprint(bp, url_prefix=...)``), ``add_route`` of a class view, websockets."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "svc/__init__.py": "",
        "svc/orders.py": """
            from sanic import Blueprint
            from sanic.views import HTTPMethodView

            bp = Blueprint("orders", url_prefix="/orders")


            @bp.get("/<oid:int>")
            async def get_order(request, oid):
                return None


            class OrderList(HTTPMethodView):
                async def get(self, request):
                    return None

                async def post(self, request):
                    return None
        """,
        "svc/app.py": """
            from sanic import Sanic

            from svc.orders import OrderList, bp

            app = Sanic("shop")
            app.blueprint(bp, url_prefix="/v1/orders")
            app.add_route(OrderList.as_view(), "/orders")


            @app.route("/health", methods=["GET", "HEAD"])
            async def health(request):
                return None


            @app.websocket("/feed")
            async def feed(request, ws):
                return None
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /v1/orders/<oid:int>", "svc.orders.get_order"),
        ("entry:http:GET /orders", "svc.orders.OrderList"),
        ("entry:http:POST /orders", "svc.orders.OrderList"),
        ("entry:http:GET /health", "svc.app.health"),
        ("entry:http:HEAD /health", "svc.app.health"),
        ("entry:websocket:/feed", "svc.app.feed"),
    }


def test_litestar_handlers_controllers_and_routers(tmp_path):
    """Litestar: decorated functions (one path, a list of paths, none), a controller's path
    before its methods', nested routers joining their paths, the app's list written in a
    variable and spread, ``register``, ``route`` with several methods (strings or
    ``HttpMethod``), a WebSocket; a handler a router lists serves only under it, one no
    router lists at its own path."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "svc/__init__.py": "",
        "svc/users.py": """
            from litestar import Controller, HttpMethod, Router, delete, get, post, route, websocket


            class BaseController(Controller):
                @get("/count")
                async def count(self) -> int: ...


            class UserController(BaseController):
                path = "/users"

                @get()
                async def list_users(self) -> list: ...

                @get("/{user_id:int}")
                async def get_user(self, user_id: int) -> dict: ...

                @post(path="/")
                async def create_user(self) -> dict: ...


            @get(["/items", "/items/{item_id:int}"])
            async def list_items() -> list: ...


            @route("/sync", http_method=["GET", "POST"])
            async def sync() -> None: ...


            @route("/touch", http_method=[HttpMethod.PUT, HttpMethod.PATCH])
            async def touch() -> None: ...


            @websocket("/ws")
            async def feed(socket) -> None: ...


            @delete("/orphans/{orphan_id:int}")
            async def orphan(orphan_id: int) -> None: ...


            v2 = Router(path="/v2", route_handlers=[list_items])
            api = Router(path="/api/v1", route_handlers=[UserController, list_items, v2])
        """,
        "svc/app.py": """
            from litestar import Litestar

            from svc.users import api, feed, sync, touch

            handlers = [api, feed]
            app = Litestar(route_handlers=[*handlers, sync])
            app.register(touch)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /api/v1/users", "svc.users.UserController.list_users"),
        ("entry:http:GET /api/v1/users/{user_id:int}", "svc.users.UserController.get_user"),
        ("entry:http:POST /api/v1/users", "svc.users.UserController.create_user"),
        ("entry:http:GET /api/v1/users/count", "svc.users.BaseController.count"),
        ("entry:http:GET /api/v1/items", "svc.users.list_items"),
        ("entry:http:GET /api/v1/items/{item_id:int}", "svc.users.list_items"),
        ("entry:http:GET /api/v1/v2/items", "svc.users.list_items"),
        ("entry:http:GET /api/v1/v2/items/{item_id:int}", "svc.users.list_items"),
        ("entry:http:GET /sync", "svc.users.sync"),
        ("entry:http:POST /sync", "svc.users.sync"),
        ("entry:http:PUT /touch", "svc.users.touch"),
        ("entry:http:PATCH /touch", "svc.users.touch"),
        ("entry:websocket:/ws", "svc.users.feed"),
        ("entry:http:DELETE /orphans/{orphan_id:int}", "svc.users.orphan"),
    }
    assert found.counts["unresolved_routes"] == 0


def test_litestar_needs_litestar_decorators(tmp_path):
    """A project decorator named ``get`` is no Litestar handler, even in a Litestar project;
    a path that is no literal is counted, not guessed."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "svc/__init__.py": "",
        "svc/cache.py": """
            def get(key):
                def wrap(func):
                    return func
                return wrap


            @get("/not-a-route")
            def cached():
                return None
        """,
        "svc/app.py": """
            from litestar import Litestar, post

            from svc.config import prefix


            @post(prefix() + "/x")
            async def dynamic() -> None: ...


            app = Litestar(route_handlers=[dynamic])
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == set()
    assert found.counts["unresolved_routes"] == 1


def test_starlette_route_lists(tmp_path):
    """Starlette: ``Route`` / ``WebSocketRoute`` / ``Mount`` lists given to the app in place
    or through a variable imported from another module, nested mounts (also a list in a
    variable and a route bound to a name), a mount of a ``Router`` with its own list, an
    ``HTTPEndpoint`` class's verbs, a mount of a static app (no routes), FastAPI's
    ``routes=``; a route no list reaches serves at its own path."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "web/__init__.py": "",
        "web/views.py": """
            from starlette.endpoints import HTTPEndpoint, WebSocketEndpoint


            async def homepage(request): ...
            async def user(request): ...
            async def items(request): ...
            async def health(request): ...
            async def stray(request): ...


            class UserEndpoint(HTTPEndpoint):
                async def get(self, request): ...

                async def put(self, request): ...


            class Echo(WebSocketEndpoint):
                async def on_receive(self, websocket, data): ...
        """,
        "web/routes.py": """
            from starlette.routing import Mount, Route, Router, WebSocketRoute
            from starlette.staticfiles import StaticFiles

            from web import views

            item_routes = [
                Route("/items", views.items, methods=["GET", "POST"]),
                Route("/users/{id}", views.UserEndpoint),
            ]
            health = Route("/health", views.health)

            routes = [
                Route("/", endpoint=views.homepage),
                Route("/users/{id:int}", views.user, methods=["GET", "POST"]),
                WebSocketRoute("/ws", views.Echo),
                Mount("/api", routes=[Mount("/v1", routes=item_routes), health]),
                Mount("/static", app=StaticFiles(directory="static")),
                Mount("/admin", app=Router(routes=[Route("/login", views.homepage)])),
            ]
            stray = Route("/stray", views.stray)
        """,
        "web/app.py": """
            from starlette.applications import Starlette

            from web.routes import routes

            app = Starlette(debug=True, routes=routes)
        """,
        "web/fast.py": """
            from fastapi import FastAPI
            from fastapi.routing import APIRoute

            from web import views

            api = FastAPI(routes=[APIRoute("/fast", views.health)])
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /", "web.views.homepage"),
        ("entry:http:GET /users/{id:int}", "web.views.user"),
        ("entry:http:POST /users/{id:int}", "web.views.user"),
        ("entry:websocket:/ws", "web.views.Echo"),
        ("entry:http:GET /api/v1/items", "web.views.items"),
        ("entry:http:POST /api/v1/items", "web.views.items"),
        ("entry:http:GET /api/v1/users/{id}", "web.views.UserEndpoint"),
        ("entry:http:PUT /api/v1/users/{id}", "web.views.UserEndpoint"),
        ("entry:http:GET /api/health", "web.views.health"),
        ("entry:http:GET /admin/login", "web.views.homepage"),
        ("entry:http:GET /fast", "web.views.health"),
        ("entry:http:GET /stray", "web.views.stray"),
    }
    assert {r.framework for r in found.routes} == {"starlette", "fastapi"}


def test_starlette_route_lists_need_starlette_classes(tmp_path):
    """A project class named ``Route`` in a Starlette project makes no route."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "web/__init__.py": "",
        "web/app.py": """
            from starlette.applications import Starlette


            class Route:
                def __init__(self, path, endpoint):
                    self.path = path


            async def home(request): ...


            plan = [Route("/planned", home)]
            app = Starlette(routes=plan)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == set()


def test_aiohttp_route_tables_router_calls_route_definitions_and_subapps(tmp_path):
    """aiohttp: a ``RouteTableDef`` and its decorators (a class view under ``@routes.view``),
    ``app.router.add_*`` (also through ``router = app.router``, a kept bound method, or
    helpers given the application, and a handler's method read from what the helper is
    given), ``add_route`` with a verb or ``"*"``, ``add_view``,
    ``web.get(...)`` route definitions given to ``add_routes`` in place, through an
    imported list (written or appended to) or a function returning them, and sub-applications nested under their prefixes (one made by a project
    function)."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "svc/__init__.py": "",
        "svc/orders.py": """
            from aiohttp import web

            routes = web.RouteTableDef()


            @routes.get("/orders")
            async def list_orders(request):
                return web.json_response([])


            @routes.route("POST", "/orders")
            async def create_order(request):
                return web.json_response({})


            @routes.view("/orders/{oid}")
            class OrderView(web.View):
                async def get(self):
                    return web.json_response({})

                async def delete(self):
                    return web.json_response({})


            class CartView(web.View):
                async def get(self):
                    return web.json_response({})

                async def put(self):
                    return web.json_response({})


            async def health(request):
                return web.Response(text="ok")


            async def feed(request):
                ws = web.WebSocketResponse()
                await ws.prepare(request)
                return ws


            ROUTES = [web.get("/health", health), web.route("*", "/any", health)]
        """,
        "svc/extra.py": """
            from aiohttp import web

            from svc.orders import health

            EXTRA = []
            EXTRA.append(web.put("/put", health))


            def made_routes():
                return [web.delete("/gone", health)]


            class Hook:
                async def __call__(self, request):
                    return None


            class Handlers:
                async def listing(self, request):
                    return None


            def setup_routes(app, handlers):
                add_get = app.router.add_get
                add_get("/hook", Hook())
                h = handlers
                add_get("/listing", h.listing)
                more_routes(app)


            def more_routes(application):
                application.router.add_post("/helper", health)
        """,
        "svc/app.py": """
            import aiohttp.web
            from aiohttp import web

            from svc import orders
            from svc.extra import EXTRA, Handlers, made_routes, setup_routes
            from svc.orders import CartView, ROUTES, health


            def make_v1():
                v1 = web.Application()
                v1.add_routes(orders.routes)
                return v1


            api = web.Application()
            api.add_subapp("/v1/", make_v1())
            api.router.add_get("/ping", health)
            api.router.add_post("/p", health)
            api.router.add_put("/p", health)
            api.router.add_patch("/p", health)
            api.router.add_delete("/p", health)
            api.router.add_head("/p", health)
            router = api.router
            router.add_route("GET", "/r", health)
            router.add_route("*", "/cart", CartView)
            router.add_view("/cart2", CartView)
            api.add_routes([web.post("/d", health), web.route("PATCH", "/d", health), web.view("/cart3", CartView)])
            setup_routes(api, Handlers())

            app = aiohttp.web.Application()
            app.add_subapp("/api", api)
            app.add_routes(ROUTES)
            app.router.add_get("/ws", orders.feed)
            api.add_routes(EXTRA)
            api.add_routes(made_routes())
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /api/v1/orders", "svc.orders.list_orders"),
        ("entry:http:POST /api/v1/orders", "svc.orders.create_order"),
        ("entry:http:GET /api/v1/orders/{oid}", "svc.orders.OrderView"),
        ("entry:http:DELETE /api/v1/orders/{oid}", "svc.orders.OrderView"),
        ("entry:http:GET /api/ping", "svc.orders.health"),
        ("entry:http:POST /api/p", "svc.orders.health"),
        ("entry:http:PUT /api/p", "svc.orders.health"),
        ("entry:http:PATCH /api/p", "svc.orders.health"),
        ("entry:http:DELETE /api/p", "svc.orders.health"),
        ("entry:http:HEAD /api/p", "svc.orders.health"),
        ("entry:http:GET /api/r", "svc.orders.health"),
        ("entry:http:GET /api/cart", "svc.orders.CartView"),
        ("entry:http:PUT /api/cart", "svc.orders.CartView"),
        ("entry:http:GET /api/cart2", "svc.orders.CartView"),
        ("entry:http:PUT /api/cart2", "svc.orders.CartView"),
        ("entry:http:POST /api/d", "svc.orders.health"),
        ("entry:http:PATCH /api/d", "svc.orders.health"),
        ("entry:http:GET /api/cart3", "svc.orders.CartView"),
        ("entry:http:PUT /api/cart3", "svc.orders.CartView"),
        ("entry:http:GET /health", "svc.orders.health"),
        ("entry:http:GET /any", "svc.orders.health"),
        ("entry:http:GET /ws", "svc.orders.feed"),
        ("entry:http:GET /api/hook", "svc.extra.Hook.__call__"),
        ("entry:http:GET /api/listing", "svc.extra.Handlers.listing"),
        ("entry:http:PUT /api/put", "svc.orders.health"),
        ("entry:http:DELETE /api/gone", "svc.orders.health"),
        ("entry:http:POST /api/helper", "svc.orders.health"),
    }
    assert found.counts["unresolved_routes"] == 0


def test_bottle_routes_default_app_apps_and_mounts(tmp_path):
    """Bottle: route decorators imported from bottle (the default application) or on
    ``bottle``, on ``Bottle()`` applications, the ``callback=`` call form, ``method=`` as a
    verb or a list, a list of paths, paths made from the signature when none is given, and
    applications mounted under prefixes (nested, and on the default application)."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "svc/__init__.py": "",
        "svc/site.py": """
            import bottle
            from bottle import get, mount, post, route

            from svc.api import api


            @route("/")
            def index():
                return "home"


            @get("/items")
            def items():
                return []


            @post("/items")
            def add_item():
                return {}


            @route("/both", method=["GET", "POST"])
            def both():
                return {}


            @route(["/a", "/b"], method="PUT")
            def many():
                return {}


            @route()
            def show(name, page=1):
                return name


            @bottle.delete("/items/<iid:int>")
            def drop(iid):
                return {}


            mount("/api", api)
        """,
        "svc/api.py": """
            from bottle import Bottle


            def make_v2():
                v2 = Bottle()

                @v2.get("/status")
                def status():
                    return {}

                return v2


            api = Bottle()
            api.mount("/v2", make_v2())


            @api.route("/ping")
            def ping():
                return "pong"


            @api.patch("/orders/<oid>")
            def patch_order(oid):
                return {}


            def export():
                return []


            api.route("/export", method="POST", callback=export)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /", "svc.site.index"),
        ("entry:http:GET /items", "svc.site.items"),
        ("entry:http:POST /items", "svc.site.add_item"),
        ("entry:http:GET /both", "svc.site.both"),
        ("entry:http:POST /both", "svc.site.both"),
        ("entry:http:PUT /a", "svc.site.many"),
        ("entry:http:PUT /b", "svc.site.many"),
        ("entry:http:GET /show/<name>", "svc.site.show"),
        ("entry:http:GET /show/<name>/<page>", "svc.site.show"),
        ("entry:http:DELETE /items/<iid:int>", "svc.site.drop"),
        ("entry:http:GET /api/ping", "svc.api.ping"),
        ("entry:http:PATCH /api/orders/<oid>", "svc.api.patch_order"),
        ("entry:http:POST /api/export", "svc.api.export"),
        ("entry:http:GET /api/v2/status", "svc.api.make_v2.status"),
    }
    assert found.counts["unresolved_routes"] == 0


def test_aiohttp_and_bottle_lookalikes_are_not_routes(tmp_path):
    """A project object with ``get`` / ``add_get`` / ``route`` methods, and a project
    ``route`` decorator, in a project that uses aiohttp and bottle, route nothing."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "svc/__init__.py": "",
        "svc/registry.py": """
            class Registry:
                def get(self, path):
                    return lambda f: f

                def add_get(self, path, handler):
                    return None

                def route(self, method, path):
                    return lambda f: f


            def route(path):
                return lambda f: f
        """,
        "svc/app.py": """
            import bottle
            from aiohttp import web

            from svc.registry import Registry, route

            reg = Registry()
            app = web.Application()


            @reg.get("/x")
            async def handler(request):
                return web.Response()


            @reg.route("GET", "/y")
            async def other(request):
                return web.Response()


            @route("/z")
            def plain():
                return bottle.template("x")


            reg.add_get("/w", handler)
            reg.get("/x")


            def register(target):
                target.router.add_get("/v", handler)


            register(reg)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == set()


def test_graphql_queries_and_mutations_are_entry_points(tmp_path):
    """Graphene: each ``resolve_*`` of the schema's root query and its project bases, each
    concrete mutation (handled by its ``perform_mutation`` / ``mutate``); Strawberry:
    ``@strawberry.mutation`` methods and the schema's query ``@strawberry.field`` methods."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "api/__init__.py": "",
        "api/orders.py": """
            import graphene


            class OrderQueries(graphene.ObjectType):
                orders = graphene.List(graphene.String)

                def resolve_orders(self, info):
                    return []


            class BaseMutation(graphene.Mutation):
                @classmethod
                def mutate(cls, root, info, **data):
                    return cls.perform_mutation(root, info, **data)


            class CreateOrder(BaseMutation):
                @classmethod
                def perform_mutation(cls, root, info, **data):
                    return None


            class CancelOrder(graphene.Mutation):
                def mutate(self, info, pk):
                    return None
        """,
        "api/schema.py": """
            import graphene

            from api.orders import CancelOrder, CreateOrder, OrderQueries


            class Query(OrderQueries):
                me = graphene.String()

                def resolve_me(self, info):
                    return "me"


            class Mutation(graphene.ObjectType):
                create_order = CreateOrder.Field()
                cancel_order = CancelOrder.Field()


            schema = graphene.Schema(query=Query, mutation=Mutation)
        """,
        "chat/__init__.py": "",
        "chat/schema.py": """
            import strawberry


            @strawberry.type
            class Query:
                @strawberry.field
                def rooms(self) -> list[str]:
                    return []


            @strawberry.type
            class Mutation:
                @strawberry.mutation
                def post(self, text: str) -> str:
                    return text


            schema = strawberry.Schema(query=Query, mutation=Mutation)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(r.id, r.handler) for r in found.routes if r.kind == "graphql"} == {
        ("entry:graphql:query orders", "api.orders.OrderQueries.resolve_orders"),
        ("entry:graphql:query me", "api.schema.Query.resolve_me"),
        ("entry:graphql:mutation CreateOrder", "api.orders.CreateOrder.perform_mutation"),
        ("entry:graphql:mutation CancelOrder", "api.orders.CancelOrder.mutate"),
        ("entry:graphql:query rooms", "chat.schema.Query.rooms"),
        ("entry:graphql:mutation post", "chat.schema.Mutation.post"),
    }


def test_tornado_handler_lists_that_name_themselves_end(tmp_path):
    """``handlers = [*handlers, ...]`` and a function returning its own call's list: the walk
    of the lists ends (a regression: it recursed without end). The rows of a name bound twice
    are those of its last list: the first list's ``/`` is not seen."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "web/__init__.py": "",
        "web/app.py": """
            import tornado.web


            class MainHandler(tornado.web.RequestHandler):
                def get(self):
                    pass


            class BHandler(tornado.web.RequestHandler):
                def post(self):
                    pass


            handlers = [(r"/", MainHandler)]
            handlers = [*handlers, (r"/b", BHandler)]


            def looped():
                more = looped()
                return more


            app = tornado.web.Application(handlers)
            other = tornado.web.Application(looped())
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {("entry:http:POST /b", "web.app.BHandler")}


def test_tornado_handler_lists_verbs_and_websockets(tmp_path):
    """Tornado: rows and ``url(...)`` in the list given to ``Application`` (in place, bound to
    a name, spliced, returned by a function, as ``handlers=``), ``add_handlers`` and a
    subclass's ``super().__init__``; verbs from the handler's project MRO, anchors dropped;
    a list of tuples given to no Application is no route table."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "web/__init__.py": "",
        "web/handlers.py": """
            import tornado.web
            import tornado.websocket


            class BaseHandler(tornado.web.RequestHandler):
                def get(self):
                    pass


            class MainHandler(BaseHandler):
                pass


            class StoryHandler(BaseHandler):
                def post(self, story_id):
                    pass


            class XHandler(tornado.web.RequestHandler):
                def put(self):
                    pass

                def delete(self):
                    pass


            class FeedSocket(tornado.websocket.WebSocketHandler):
                def on_message(self, message):
                    pass


            class AdminHandler(tornado.web.RequestHandler):
                def patch(self):
                    pass


            class AboutHandler(tornado.web.RequestHandler):
                def get(self):
                    pass


            MENU = [("/about", AboutHandler), ("/help", AboutHandler)]  # no route table
        """,
        "web/app.py": """
            import tornado.web
            from tornado.web import Application, url

            from web.handlers import AdminHandler, FeedSocket, MainHandler, StoryHandler, XHandler

            API = "/api"
            base_handlers = [(r"/feed", FeedSocket)]
            handlers = [*base_handlers, (r"^/stories/?$", StoryHandler)]


            def make_app(db, prefix):
                app = tornado.web.Application([
                    (r"/", MainHandler),
                    (r"/story/([0-9]+)", StoryHandler, dict(db=db)),
                    url(r"/x", XHandler, name="x"),
                    (prefix + "/dynamic", MainHandler),
                ], debug=True)
                app.add_handlers(r".*$", [(r"/admin", AdminHandler)])
                return app


            def named_app():
                return Application(handlers)


            def api_handlers():
                return [(API + "/v1", MainHandler), ("/api/v2", MainHandler)]


            def returned_app():
                return Application(handlers=api_handlers())


            def local_app():
                routes = [(r"/local", XHandler)]
                return Application(routes, autoreload=False)


            class ShopApp(tornado.web.Application):
                def __init__(self):
                    shop = [(r"/shop/(\\w+)", StoryHandler)]
                    settings = {"debug": True}
                    super().__init__(shop, **settings)


            class OldStyleApp(tornado.web.Application):
                def __init__(self):
                    tornado.web.Application.__init__(self, [(r"/old", MainHandler)])


            class OptionsApp(tornado.web.Application):
                def __init__(self, **kwargs):
                    super().__init__(**kwargs)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /", "web.handlers.MainHandler"),
        ("entry:http:GET /story/([0-9]+)", "web.handlers.StoryHandler"),
        ("entry:http:POST /story/([0-9]+)", "web.handlers.StoryHandler"),
        ("entry:http:PUT /x", "web.handlers.XHandler"),
        ("entry:http:DELETE /x", "web.handlers.XHandler"),
        ("entry:http:PATCH /admin", "web.handlers.AdminHandler"),
        ("entry:websocket:/feed", "web.handlers.FeedSocket"),
        ("entry:http:GET /stories/?", "web.handlers.StoryHandler"),
        ("entry:http:POST /stories/?", "web.handlers.StoryHandler"),
        ("entry:http:GET /api/v1", "web.handlers.MainHandler"),  # API + "/v1": a constant and a literal
        ("entry:http:GET /api/v2", "web.handlers.MainHandler"),
        ("entry:http:PUT /local", "web.handlers.XHandler"),
        ("entry:http:DELETE /local", "web.handlers.XHandler"),
        ("entry:http:GET /shop/(\\w+)", "web.handlers.StoryHandler"),
        ("entry:http:POST /shop/(\\w+)", "web.handlers.StoryHandler"),
        ("entry:http:GET /old", "web.handlers.MainHandler"),
    }
    names = {r.id: r.name for r in found.routes}
    assert names["entry:http:PUT /x"] == "x"
    assert found.counts["unresolved_routes"] == 2  # prefix + "/dynamic" (a parameter), **kwargs


def test_falcon_resources_responders_and_suffixes(tmp_path):
    """Falcon: ``add_route`` on ``falcon.App`` / ``falcon.API`` / ``falcon.asgi.App`` and on a
    project subclass, the resource in place or through a variable; verbs from its own and
    inherited responders, ``suffix=`` responders, ``on_websocket``; ``add_route`` on an
    object of another library is no route."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "api/__init__.py": "",
        "api/things.py": """
            class BaseResource:
                def on_get(self, req, resp):
                    pass


            class ThingsResource(BaseResource):
                def on_post(self, req, resp):
                    pass

                def on_get_detail(self, req, resp, thing_id):
                    pass

                def on_delete_detail(self, req, resp, thing_id):
                    pass


            class OrdersResource:
                async def on_put(self, req, resp, oid):
                    pass

                async def on_patch(self, req, resp, oid):
                    pass


            class FeedResource:
                async def on_websocket(self, req, ws):
                    pass


            class LegacyResource(BaseResource):
                pass
        """,
        "api/app.py": """
            import falcon
            import falcon.asgi

            from api.things import FeedResource, LegacyResource, OrdersResource, ThingsResource

            app = falcon.App()
            things = ThingsResource()
            app.add_route("/things", things)
            app.add_route("/things/{thing_id}", things, suffix="detail")

            asgi_app = falcon.asgi.App()
            asgi_app.add_route("/orders/{oid:int}", OrdersResource())
            asgi_app.add_route("/feed", FeedResource())

            legacy = falcon.API()
            legacy.add_route("/legacy", LegacyResource())


            class ShopApp(falcon.App):
                pass


            def make_shop(prefix):
                shop = ShopApp()
                shop.add_route("/shop", ThingsResource())
                shop.add_route(prefix + "/x", ThingsResource())
                return shop
        """,
        "api/other.py": """
            from api.things import ThingsResource


            class Registry:
                def add_route(self, path, resource):
                    pass


            registry = Registry()
            registry.add_route("/not-a-route", ThingsResource())
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /things", "api.things.ThingsResource"),
        ("entry:http:POST /things", "api.things.ThingsResource"),
        ("entry:http:GET /things/{thing_id}", "api.things.ThingsResource"),
        ("entry:http:DELETE /things/{thing_id}", "api.things.ThingsResource"),
        ("entry:http:PUT /orders/{oid:int}", "api.things.OrdersResource"),
        ("entry:http:PATCH /orders/{oid:int}", "api.things.OrdersResource"),
        ("entry:websocket:/feed", "api.things.FeedResource"),
        ("entry:http:GET /legacy", "api.things.LegacyResource"),
        ("entry:http:GET /shop", "api.things.ThingsResource"),
        ("entry:http:POST /shop", "api.things.ThingsResource"),
    }
    assert found.counts["unresolved_routes"] == 1  # prefix + "/x"


# -- Peewee, Tortoise, MongoEngine ------------------------------------------------------------

def test_peewee_models_relations_reads_and_writes(tmp_path):
    """Peewee: the model class serves the queries (``User.select()``, ``User.create()``);
    the project ``BaseModel`` declaring no field is abstract; tables are the class name
    lower-cased unless ``Meta.table_name`` says otherwise."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "blog/__init__.py": "",
        "blog/models.py": """
            from peewee import (CharField, DeferredForeignKey, ForeignKeyField, ManyToManyField, Model,
                                SqliteDatabase, TextField)

            db = SqliteDatabase("blog.db")


            class BaseModel(Model):
                class Meta:
                    database = db


            class User(BaseModel):
                username = CharField(unique=True)


            class Tag(BaseModel):
                name = CharField()

                class Meta:
                    table_name = "tags"


            class BlogPost(BaseModel):
                author = ForeignKeyField(User, backref="posts")
                editor = DeferredForeignKey("User", null=True)
                tags = ManyToManyField(Tag, backref="posts")
                body = TextField()
        """,
        "blog/services.py": """
            from blog.models import BlogPost, Tag, User, db


            def register(name):
                return User.create(username=name)


            def rename(user_id, name):
                user = User.get_by_id(user_id)
                user.username = name
                user.save()


            def recent_posts(name):
                return list(BlogPost.select().join(User).where(User.username == name).order_by(BlogPost.id))


            def find(name):
                return User.get_or_none(User.username == name)


            def tag_names(post_id):
                post = BlogPost[post_id]
                return [t.name for t in post.tags]


            def retag(post: BlogPost, tag: Tag):
                post.tags.add(tag)


            def purge(user: User):
                BlogPost.delete().where(BlogPost.author == user).execute()
                user.delete_instance()


            def bulk(names):
                with db.atomic():
                    Tag.insert_many([{"name": n} for n in names]).execute()
                    Tag.update(name="x").where(Tag.name == "").execute()


            def ensure(name):
                tag, created = Tag.get_or_create(name=name)
                return tag


            def count_posts(user: User):
                return user.posts.count()
        """,
    })
    found = extract(*front_end(tmp_path))
    E = "entity:blog.models."
    assert entities(found) == {
        (E + "BaseModel", None, True),
        (E + "User", "user", False),
        (E + "Tag", "tags", False),
        (E + "BlogPost", "blogpost", False),
    }
    assert found.counts["entities_by_framework"] == {"peewee": 3}
    assert edges(found, "relation") == {
        (E + "BlogPost", E + "User", 2),  # author, editor ("User")
        (E + "BlogPost", E + "Tag", 1),
    }
    S = "blog.services."
    assert edges(found, "read") == {
        (S + "rename", E + "User", 1),
        (S + "recent_posts", E + "BlogPost", 1),
        (S + "recent_posts", E + "User", 1),  # .join(User)
        (S + "find", E + "User", 1),
        (S + "tag_names", E + "BlogPost", 1),  # BlogPost[post_id]: a row by primary key
        (S + "ensure", E + "Tag", 1),
        (S + "count_posts", E + "BlogPost", 1),  # the ``posts`` backref
    }
    assert edges(found, "write") == {
        (S + "register", E + "User", 1),
        (S + "rename", E + "User", 1),  # the row got by id, saved
        (S + "retag", E + "BlogPost", 1),  # a many-to-many add: the declaring model's links
        (S + "purge", E + "BlogPost", 1),
        (S + "purge", E + "User", 1),
        (S + "bulk", E + "Tag", 2),
        (S + "ensure", E + "Tag", 1),
    }
    assert found.counts["unresolved_relations"] == 0


def test_a_peewee_model_subscripted_or_iterated_is_read(tmp_path):
    """``User[pk]`` and ``for u in User`` are queries in Peewee (its model class's
    ``__getitem__`` and ``__iter__``), wherever the expression stands: bound, as a call's
    receiver or argument, returned. A dictionary or a list subscripted is not."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from peewee import CharField, Model, SqliteDatabase

            db = SqliteDatabase("shop.db")


            class Item(Model):
                name = CharField()

                class Meta:
                    database = db
        """,
        "shop/services.py": """
            from shop.models import Item

            PRICES = {"a": 1}


            def show(pk):
                return Item[pk]


            def everything():
                names = []
                for item in Item:
                    names.append(item.name)
                return names


            def touch(pk):
                Item[pk].save()


            def describe(pk):
                return str(Item[pk])


            def price(key):
                return PRICES[key]
        """,
    })
    found = extract(*front_end(tmp_path))
    E, S = "entity:shop.models.Item", "shop.services."
    assert edges(found, "read") == {
        (S + "show", E, 1),
        (S + "everything", E, 1),
        (S + "touch", E, 1),
        (S + "describe", E, 1),
    }
    assert edges(found, "write") == {(S + "touch", E, 1)}  # the row saved


def test_tortoise_models_relations_reads_and_writes(tmp_path):
    """Tortoise: Django-like queries on the class itself, awaited; ``"models.Customer"``
    names a model by class name; the accessor on the target is ``related_name``."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from tortoise import fields
            from tortoise.models import Model


            class TimestampMixin(Model):
                created = fields.DatetimeField(auto_now_add=True)

                class Meta:
                    abstract = True


            class Customer(TimestampMixin):
                name = fields.CharField(max_length=50)

                class Meta:
                    table = "customers"


            class Product(Model):
                sku = fields.CharField(max_length=20)


            class Order(TimestampMixin):
                customer = fields.ForeignKeyField("models.Customer", related_name="orders")
                products = fields.ManyToManyField("models.Product", related_name="orders")


            class Invoice(Model):
                order = fields.OneToOneField("models.Order", related_name="invoice")
        """,
        "shop/services.py": """
            from shop.models import Customer, Invoice, Order, Product


            async def sign_up(name):
                return await Customer.create(name=name)


            async def rename(customer_id, name):
                customer = await Customer.get(id=customer_id)
                customer.name = name
                await customer.save()


            async def orders_of(name):
                return await Order.filter(customer__name=name).order_by("-created").all()


            async def find(pk):
                return await Product.get_or_none(id=pk)


            async def cancel_all(customer: Customer):
                await Order.filter(customer=customer).delete()


            async def close(invoice_id):
                invoice = await Invoice.get(id=invoice_id)
                await invoice.delete()


            async def reprice():
                await Product.filter(sku="").update(sku="none")
                return await Product.all().count()


            async def ensure(sku):
                product, _ = await Product.get_or_create(sku=sku)
                return product


            async def spent(customer: Customer):
                return [o.id for o in await customer.orders.all()]
        """,
    })
    found = extract(*front_end(tmp_path))
    E = "entity:shop.models."
    assert entities(found) == {
        (E + "TimestampMixin", None, True),
        (E + "Customer", "customers", False),
        (E + "Product", "product", False),
        (E + "Order", "order", False),
        (E + "Invoice", "invoice", False),
    }
    assert found.counts["entities_by_framework"] == {"tortoise": 4}
    assert edges(found, "relation") == {
        (E + "Order", E + "Customer", 1),
        (E + "Order", E + "Product", 1),
        (E + "Invoice", E + "Order", 1),
    }
    S = "shop.services."
    assert edges(found, "read") == {
        (S + "rename", E + "Customer", 1),
        (S + "orders_of", E + "Order", 1),
        (S + "orders_of", E + "Customer", 1),  # customer__name= joins Customer
        (S + "find", E + "Product", 1),
        (S + "close", E + "Invoice", 1),
        (S + "reprice", E + "Product", 1),
        (S + "ensure", E + "Product", 1),
        (S + "spent", E + "Order", 1),  # the ``orders`` related_name
    }
    assert edges(found, "write") == {
        (S + "sign_up", E + "Customer", 1),
        (S + "rename", E + "Customer", 1),
        (S + "cancel_all", E + "Order", 1),
        (S + "close", E + "Invoice", 1),
        (S + "reprice", E + "Product", 1),
        (S + "ensure", E + "Product", 1),
    }
    assert found.counts["unresolved_relations"] == 0


def test_mongoengine_documents_references_reads_and_writes(tmp_path):
    """MongoEngine: rows through the ``objects`` manager, called or not; an embedded
    document is no entity; Flask-MongoEngine's ``db.Document`` counts too."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "wiki/__init__.py": "",
        "wiki/models.py": """
            from flask_mongoengine import MongoEngine
            from mongoengine import Document, EmbeddedDocument, EmbeddedDocumentField, ListField, ReferenceField, StringField

            db = MongoEngine()


            class Author(db.Document):
                name = db.StringField()


            class Tag(Document):
                label = StringField()


            class Revision(EmbeddedDocument):
                text = StringField()


            class WikiPage(Document):
                title = StringField()
                author = ReferenceField(Author)
                tags = ListField(ReferenceField(Tag))
                current = EmbeddedDocumentField(Revision)
        """,
        "wiki/services.py": """
            from wiki.models import Author, Tag, WikiPage


            def by_title(title):
                return WikiPage.objects(title=title).first()


            def rename(page_id, title):
                page = WikiPage.objects.get(id=page_id)
                page.title = title
                page.save()


            def authors():
                return [a.name for a in Author.objects.filter(name__ne="").order_by("name")]


            def new_tag(label):
                return Tag.objects.create(label=label)


            def retitle_all(old, new):
                WikiPage.objects(title=old).update(set__title=new)


            def drop(tag: Tag):
                tag.delete()


            def count_tags():
                return Tag.objects.count()
        """,
    })
    found = extract(*front_end(tmp_path))
    E = "entity:wiki.models."
    assert entities(found) == {
        (E + "Author", "author", False),
        (E + "Tag", "tag", False),
        (E + "WikiPage", "wiki_page", False),
    }
    assert found.counts["entities_by_framework"] == {"mongoengine": 3}
    assert edges(found, "relation") == {(E + "WikiPage", E + "Author", 1), (E + "WikiPage", E + "Tag", 1)}
    S = "wiki.services."
    assert edges(found, "read") == {
        (S + "by_title", E + "WikiPage", 1),
        (S + "rename", E + "WikiPage", 1),
        (S + "authors", E + "Author", 1),
        (S + "count_tags", E + "Tag", 1),
    }
    assert edges(found, "write") == {
        (S + "rename", E + "WikiPage", 1),
        (S + "new_tag", E + "Tag", 1),
        (S + "retitle_all", E + "WikiPage", 1),
        (S + "drop", E + "Tag", 1),
    }


def test_mongoengine_meta_options(tmp_path):
    """``meta = {"abstract": True}`` is an abstract document (no collection), ``"collection"``
    names the collection, and a subclass of a document that allows inheritance is stored in
    its parent's collection: its rows are the parent's entity."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from mongoengine import DateTimeField, Document, StringField


            class Stamped(Document):
                created = DateTimeField()
                meta = {"abstract": True}


            class Order(Stamped):
                ref = StringField()
                meta = {"collection": "shop_orders", "indexes": ("ref",)}


            class Event(Document):
                kind = StringField()
                meta = {"allow_inheritance": True}


            class PaymentEvent(Event):
                amount = StringField()


            def payments():
                return PaymentEvent.objects(kind="paid")
        """,
    })
    found = extract(*front_end(tmp_path))
    E = "entity:shop.models."
    assert entities(found) == {
        (E + "Stamped", None, True),
        (E + "Order", "shop_orders", False),
        (E + "Event", "event", False),
    }
    assert edges(found, "read") == {("shop.models.payments", E + "Event", 1)}


def test_an_import_export_resource_declaring_fields_is_no_entity(tmp_path):
    """ralph: django-import-export's ``ModelResource`` subclasses declare
    ``fields.Field(...)``, which made 28 of them entities of their own."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "inv/__init__.py": "",
        "inv/models.py": """
            from django.db import models


            class Region(models.Model):
                name = models.CharField(max_length=10)
        """,
        "inv/resources.py": """
            from import_export import fields, resources

            from inv.models import Region


            class RegionResource(resources.ModelResource):
                users = fields.Field(column_name="users", attribute="users")

                class Meta:
                    model = Region
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {e.id for e in found.entities} == {"entity:inv.models.Region"}


def test_lookalikes_of_peewee_tortoise_and_mongoengine_models_are_no_entities(tmp_path):
    """A class with ``select()``, ``objects`` and ``save()`` of its own, in a program that
    imports the three libraries, is no model: no entity, no access."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/things.py": """
            import mongoengine
            import peewee
            import tortoise


            class Picker:
                objects = []

                @classmethod
                def select(cls, *names):
                    return [n for n in names]

                def save(self):
                    return None


            class Document:
                def delete(self):
                    return None
        """,
        "app/use.py": """
            from app.things import Document, Picker


            def run():
                Picker.select("a").where(1)
                Picker.objects(x=1)
                Picker().save()
                Document().delete()
                return Picker.get(1), Picker.create(), Picker.filter(x=1)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert found.entities == []
    assert edges(found, "read") == edges(found, "write") == set()
    assert found.counts["unresolved_accesses"] == 0


def test_a_drf_action_names_its_verbs_by_strings_only(tmp_path):
    """``methods="post"`` is one verb, not the letters of a word (``str(v).upper()`` over a
    string gave P, O, S, T), and a number in a methods tuple names none."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/settings.py": 'ROOT_URLCONF = "app.urls"\nINSTALLED_APPS = ["app", "rest_framework"]\n',
        "app/views.py": """
            from rest_framework.decorators import action
            from rest_framework.viewsets import ViewSet


            class ItemViewSet(ViewSet):
                def list(self, request):
                    return []

                @action(detail=False, methods="post")
                def bulk(self, request):
                    return None

                @action(detail=True, methods=("get", 2))
                def history(self, request, pk=None):
                    return None
        """,
        "app/urls.py": """
            from django.urls import include, path
            from rest_framework.routers import DefaultRouter

            from app import views

            router = DefaultRouter()
            router.register("items", views.ItemViewSet, basename="items")

            urlpatterns = [path("api/", include(router.urls))]
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /api/items/", "app.views.ItemViewSet.list"),
        ("entry:http:POST /api/items/bulk/", "app.views.ItemViewSet.bulk"),
        ("entry:http:GET /api/items/<pk>/history/", "app.views.ItemViewSet.history"),
    }


def test_a_base_repositorys_rows_are_the_subclass_models(tmp_path):
    """``return self.session.get(self.model, pk)`` in a base repository, called on a
    subclass that names ``model = User``: User rows, so writing one of their attributes is a
    write of User; a chain on such a call (``self._query().all()``) reads User once."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": sqlalchemy_models(User="users", Order="orders"),
        "app/repos.py": """
            from app.models import Order, User


            class BaseRepo:
                model = None

                def __init__(self, session):
                    self.session = session

                def get(self, pk):
                    return self.session.get(self.model, pk)

                def _query(self):
                    return self.session.query(self.model)


            class UserRepo(BaseRepo):
                model = User

                def rename(self, pk, name):
                    user = self.get(pk)
                    user.name = name

                def names(self):
                    return [u.name for u in self._query().all()]


            class OrderRepo(BaseRepo):
                model = Order

                def bump(self, pk):
                    order = self.get(pk)
                    order.total = order.total + 1
        """,
    })
    found = extract(*front_end(tmp_path))
    E, S = "entity:app.models.", "app.repos."
    assert edges(found, "read") == {
        (S + "UserRepo.rename", E + "User", 1),
        (S + "UserRepo.names", E + "User", 1),
        (S + "OrderRepo.bump", E + "Order", 1),
    }
    assert edges(found, "write") == {
        (S + "UserRepo.rename", E + "User", 1),
        (S + "OrderRepo.bump", E + "Order", 1),
    }


def test_a_base_repository_executing_a_select_of_its_model_gives_the_subclass_rows(tmp_path):
    """The SQLAlchemy 2.0 form of the same base: ``return self.session.scalars(
    select(self.model).where(...)).first()``."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": sqlalchemy_models(User="users", Order="orders"),
        "app/repos.py": """
            from sqlalchemy import select

            from app.models import Order, User


            class BaseRepo:
                model = None

                def __init__(self, session):
                    self.session = session

                def get(self, pk):
                    return self.session.scalars(select(self.model).where(self.model.id == pk)).first()


            class UserRepo(BaseRepo):
                model = User

                def rename(self, pk, name):
                    user = self.get(pk)
                    user.name = name


            class OrderRepo(BaseRepo):
                model = Order

                def bump(self, pk):
                    order = self.get(pk)
                    order.total = order.total + 1
        """,
    })
    found = extract(*front_end(tmp_path))
    E, S = "entity:app.models.", "app.repos."
    assert edges(found, "read") == {(S + "UserRepo.rename", E + "User", 1), (S + "OrderRepo.bump", E + "Order", 1)}
    assert edges(found, "write") == {(S + "UserRepo.rename", E + "User", 1), (S + "OrderRepo.bump", E + "Order", 1)}


def test_routes_at_paths_built_at_run_time_keep_their_handlers(tmp_path):
    """A path built from parts: ``.format`` of a constant and a literal sum are read whole;
    one with a part known only at run time (a call, a name bound to a call) is kept at its
    pattern, that part written ``${...}``, also through a name bound to an f-string
    (``ZONE_PATH = rf"{USER}/({ZONES})"``); a literal list joined (``"|".join(kinds)``) is read
    whole. A view nobody can name stays unresolved."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "web/__init__.py": "",
        "web/views.py": """
            from flask import Blueprint

            from web.settings import get_prefix

            MAX = 3
            BASE = "/v"
            api = Blueprint("api", __name__, url_prefix="/api")


            def version():
                return "v"


            def status():
                return "ok"


            api.add_url_rule("/<int(min=1, max={0}):ver>".format(MAX), view_func=version)
            api.add_url_rule(BASE + "/status", view_func=status)
            api.add_url_rule(f"/{get_prefix()}/status", view_func=status)
            api.add_url_rule(f"/{get_prefix()}/gone", view_func=HANDLERS[0])
            ASSETS = get_prefix().strip("/")  # not the "/" it strips off
            V3 = "/v{}".format(MAX)
            api.add_url_rule(V3 + "/ping", view_func=version)
            api.add_url_rule("/" + ASSETS + "/assets", view_func=status)


            @api.route("/{}/ping".format(get_prefix()))
            def ping():
                return "pong"
        """,
        "web/settings.py": """
            def get_prefix():
                return "x"
        """,
        "site/__init__.py": "",
        "site/settings.py": 'ROOT_URLCONF = "site.urls"\nINSTALLED_APPS = ["site"]\n',
        "site/views.py": """
            def status(request, status_id):
                return None
        """,
        "site/urls.py": """
            from django.urls import re_path

            from site import views

            kinds = ["review", "comment"]
            TYPES = "|".join(kinds)  # a literal list joined: read whole
            ZONES = "|".join(load_zones())
            USER = r"^user/(?P<username>[^/]+)"
            STATUS_PATH = rf"{USER}/({TYPES})/(?P<status_id>\\d+)"
            ZONE_PATH = rf"{USER}/({ZONES})"

            urlpatterns = [
                re_path(rf"{STATUS_PATH}/?$", views.status),
                re_path(rf"{ZONE_PATH}/(?P<status_id>\\d+)/?$", views.status),
            ]
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /api/<int(min=1, max=3):ver>", "web.views.version"),
        ("entry:http:GET /api/v/status", "web.views.status"),
        ("entry:http:GET /api/v3/ping", "web.views.version"),  # a constant made by .format
        ("entry:http:GET /api/${get_prefix()}/status", "web.views.status"),
        ("entry:http:GET /api/${ASSETS}/assets", "web.views.status"),
        ("entry:http:GET /api/${get_prefix()}/ping", "web.views.ping"),
        ("entry:http:ANY /user/(?P<username>[^/]+)/(review|comment)/(?P<status_id>\\d+)/?", "site.views.status"),
        ("entry:http:ANY /user/(?P<username>[^/]+)/(${ZONES})/(?P<status_id>\\d+)/?", "site.views.status"),
    }
    assert found.counts["unresolved_routes_top"] == ["web.views: api.add_url_rule(...)"]
    assert found.counts["runtime_path_routes"] == 4


def test_tables_named_by_a_project_function_of_the_class_name_are_matched_to_their_models(tmp_path):
    """``__tablename__`` computed by a project function (``resolve_table_name(cls.__name__)``,
    dispatch's snake case): a foreign key or raw SQL naming ``individual_contact`` or
    ``incidents`` is the one model whose class name it spells, singular or plural (dispatch:
    176 unresolved relations to 0)."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": """
            import re

            from sqlalchemy import Column, ForeignKey, Integer, text
            from sqlalchemy.orm import declarative_base, declared_attr


            def resolve_table_name(name):
                return "_".join(x.lower() for x in re.split("(?=[A-Z])", name) if x)


            class CustomBase:
                @declared_attr
                def __tablename__(cls):
                    return resolve_table_name(cls.__name__)

                id = Column(Integer, primary_key=True)


            Base = declarative_base(cls=CustomBase)


            class Incident(Base):
                pass


            class IndividualContact(Base):
                incident_id = Column(Integer, ForeignKey("incidents.id"))


            class Participant(Base):
                contact_id = Column(Integer, ForeignKey("individual_contact.id"))
                other_id = Column(Integer, ForeignKey("nowhere.id"))


            def purge(session):
                session.execute(text("DELETE FROM individual_contact WHERE id = 1"))
        """,
    })
    found = extract(*front_end(tmp_path))
    assert {(s, t) for s, t, _ in edges(found, "relation")} == {
        ("entity:app.models.IndividualContact", "entity:app.models.Incident"),
        ("entity:app.models.Participant", "entity:app.models.IndividualContact"),
    }
    assert found.counts["unresolved_relations_top"] == [{"expr": "nowhere.id", "count": 1}]
    assert ("app.models.purge", "entity:app.models.IndividualContact") in {(s, t) for s, t, _ in edges(found, "write")}


def test_the_summary_says_how_many_routes_are_half_known_or_not_read(tmp_path):
    """``msa analyze`` prints the route count with the routes kept at a pattern and those not
    read at all, so that a user knows what the count leaves out."""
    import io

    from rich.console import Console

    from analyzer.pipeline import print_summary

    out = io.StringIO()
    print_summary({"routes": 270, "runtime_path_routes": 3, "unresolved_routes": 9}, tmp_path / "a.json",
                  Console(file=out, width=200))
    assert "routes: 270 (3 at paths built at run time, 9 not read)" in out.getvalue()
    out = io.StringIO()
    print_summary({"routes": 12, "runtime_path_routes": 0, "unresolved_routes": 0}, tmp_path / "a.json",
                  Console(file=out, width=200))
    assert "routes: 12\n" in out.getvalue()


# a project class named like Cornice's router, which is no router: its ``@legacy.get()`` no route
_ANOTHER_SERVICE = """
    class Service:
        def __init__(self, path):
            self.path = path

        def get(self):
            return lambda f: f


    legacy = Service(path="/legacy")


    @legacy.get()
    def old(request):
        return None
"""


def test_cornice_services_and_resources_serve_at_their_own_paths(tmp_path):
    """Cornice on Pyramid: ``@svc.get()`` takes no path, the view serves at its ``Service``'s
    own ``path=``; ``@resource(collection_path=..., path=...)`` on a class serves its
    ``collection_*`` methods (inherited ones too) at the collection path and the others at
    the item path. A ``Service`` of another library is no router."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "store/__init__.py": "",
        "store/services.py": """
            from cornice import Service
            from cornice.resource import resource

            ORDER_PATH = "/orders/{id}"
            orders = Service(name="orders", path="/orders/", description="Orders")
            order = Service(name="order", path=ORDER_PATH)


            @orders.get(renderer="json")
            def list_orders(request):
                return []


            @orders.post()
            def new_order(request):
                return {}


            @order.delete()
            def cancel_order(request):
                return {}


            class Listing:
                def collection_get(self):
                    return []


            @resource(collection_path="/items", path="/items/{id}")
            class Items(Listing):
                def __init__(self, request, context=None):
                    self.request = request

                def get(self):
                    return {}

                def collection_post(self):
                    return {}
        """,
        "store/other.py": _ANOTHER_SERVICE,
    })
    found = extract(*front_end(tmp_path))
    S = "store.services."
    assert routes(found) == {
        ("entry:http:GET /orders/", S + "list_orders"),
        ("entry:http:POST /orders/", S + "new_order"),
        ("entry:http:DELETE /orders/{id}", S + "cancel_order"),  # the path a constant names
        ("entry:http:GET /items", S + "Listing.collection_get"),
        ("entry:http:POST /items", S + "Items.collection_post"),
        ("entry:http:GET /items/{id}", S + "Items.get"),
    }
    assert {r.framework for r in found.routes} == {"cornice"}
    assert found.counts["unresolved_routes"] == 0


def test_a_blueprint_subclass_whose_own_route_decorator_adds_the_rule(tmp_path):
    """udata's ``Blueprint.route`` returns a wrapper that calls ``self.add_url_rule(rule,
    ...)`` on what it decorates: its uses are routes as Flask's own decorator's are, and the
    rule inside the wrapper is no unresolved route of its own."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "site/__init__.py": "",
        "site/app.py": """
            import types

            from flask import Blueprint as BaseBlueprint
            from flask import Flask


            class Blueprint(BaseBlueprint):
                def route(self, rule, **options):
                    def wrapper(func_or_cls):
                        endpoint = str(options.pop("endpoint", func_or_cls.__name__))
                        if isinstance(func_or_cls, types.FunctionType):
                            self.add_url_rule(rule, endpoint, func_or_cls, **options)
                        else:
                            self.add_url_rule(rule, view_func=func_or_cls.as_view(endpoint), **options)
                        return func_or_cls

                    return wrapper


            app = Flask(__name__)
        """,
        "site/views.py": """
            from flask.views import MethodView

            from site.app import Blueprint, app

            bp = Blueprint("pages", __name__, url_prefix="/pages")


            @bp.route("/<slug>")
            def show(slug):
                return slug


            @bp.route("/new")
            class NewPage(MethodView):
                def post(self):
                    return {}


            app.register_blueprint(bp)
        """,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /pages/<slug>", "site.views.show"),
        ("entry:http:POST /pages/new", "site.views.NewPage"),
    }
    assert found.counts["unresolved_routes"] == 0


def test_a_framework_the_project_keeps_a_copy_of(tmp_path):
    """kinto keeps Cornice as ``kinto.core.cornice`` and imports no ``cornice``: a router class
    of a package named like the framework's top package, below the project's own (or a
    project subclass of one), is that framework's router. A class of the same name elsewhere
    in the project is not."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "store/__init__.py": "",
        "store/core/__init__.py": """
            from store.core.cornice import Service as CorniceService


            class Service(CorniceService):
                default_cors_headers = ("Backoff",)
        """,
        "store/core/cornice/__init__.py": "from store.core.cornice.service import Service\n",
        "store/core/cornice/service.py": """
            class Service:
                def __init__(self, name, path, **kwargs):
                    self.name = name
                    self.path = path

                def get(self, **kwargs):
                    return lambda f: f

                def post(self, **kwargs):
                    return lambda f: f
        """,
        "store/views.py": """
            from store.core import Service

            hello = Service(name="hello", path="/", description="Welcome")
            batch = Service(name="batch", path="/batch")


            @hello.get(permission="public")
            def get_hello(request):
                return {}


            @batch.post()
            def post_batch(request):
                return {}
        """,
        "store/other.py": _ANOTHER_SERVICE,
    })
    found = extract(*front_end(tmp_path))
    assert routes(found) == {
        ("entry:http:GET /", "store.views.get_hello"),
        ("entry:http:POST /batch", "store.views.post_batch"),
    }


def test_what_a_class_body_names_is_a_reference_of_the_class(tmp_path):
    """A serializer, a form or a view wired by declaration (``serializer_class = ...``,
    ``class Meta: model = ...``, ``permission_classes = [...]``) depends on what it names,
    though no call joins them: a reference edge from the class to each."""
    from helpers import build_tree

    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": """
            from django.db import models


            class Recipe(models.Model):
                title = models.CharField(max_length=10)
        """,
        "shop/serializers.py": """
            from rest_framework import serializers

            from shop.models import Recipe


            class RecipeSerializer(serializers.ModelSerializer):
                class Meta:
                    model = Recipe
                    fields = ["title"]
        """,
        "shop/views.py": """
            from rest_framework import viewsets

            from shop import serializers
            from shop.models import Recipe


            def is_owner(request):
                return True


            class RecipeViewSet(viewsets.ModelViewSet):
                serializer_class = serializers.RecipeSerializer
                checks = [is_owner]
                queryset = Recipe.objects.all()

                def get_serializer_class(self):
                    self.chosen = serializers.RecipeSerializer  # stored by a method: not declared
                    return self.chosen
        """,
    })
    found = extract(*front_end(tmp_path))
    declared = {(e.source, e.target) for e in found.edges if e.kind == "reference"}
    assert declared == {
        ("shop.serializers.RecipeSerializer", "shop.models.Recipe"),  # from its Meta, for the class
        ("shop.views.RecipeViewSet", "shop.serializers.RecipeSerializer"),
        ("shop.views.RecipeViewSet", "shop.views.is_owner"),
    }  # ``queryset = Recipe.objects.all()`` is a call: a read, not a reference
