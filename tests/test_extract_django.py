"""``msa scaffold --extract`` on a Django monolith of our own (tests/fixtures/extract/bookshop):
every service gets the monolith's settings with INSTALLED_APPS naming its own copies, the
copied AppConfig classes name their copy, Django is set up before any moved module is
imported, and each generated service's own tests (importing every moved module, models
included) pass."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

from analyzer.analysis import Analysis
from analyzer.pipeline import AnalyzeOptions, run_analysis
from analyzer.plan import apply_plan
from analyzer.scaffold import scaffold
from analyzer.scaffold.context import ScaffoldOptions

pytest.importorskip("django")

HERE = Path(__file__).resolve().parent
BOOKSHOP = HERE / "fixtures" / "extract" / "bookshop"
FLATSHOP = HERE / "fixtures" / "extract" / "flatshop"  # apps at the root: one-word app names
_spec = importlib.util.spec_from_file_location("scaffold_support", HERE / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)


def _extract(monolith: Path, folder: Path) -> Path:
    doc: Analysis = run_analysis(monolith, AnalyzeOptions(use_cache=False, progress=False))
    doc = apply_plan(doc, monolith / "plan.toml")
    scaffold(doc, folder, options=ScaffoldOptions(extract=True))
    return folder


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return _extract(BOOKSHOP, tmp_path_factory.mktemp("bookshop") / "out")


@pytest.fixture(scope="module")
def flat(tmp_path_factory) -> Path:
    return _extract(FLATSHOP, tmp_path_factory.mktemp("flatshop") / "out")


def _list(path: Path, name: str) -> list[str]:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return [e.value for e in node.value.elts]
    raise AssertionError(f"{name} not bound in {path}")


def test_every_service_has_the_settings_with_its_own_apps(out: Path) -> None:
    services = {p.name: p for p in (out / "services").iterdir()}
    assert set(services) == {"accounts", "catalog", "orders"}
    # the settings belong to accounts (plan.toml): the other two get a vendored copy
    copies = {"accounts": "accounts_service/ported/bookshop/settings.py",
              "catalog": "catalog_service/vendor/bookshop/settings.py",
              "orders": "orders_service/vendor/bookshop/settings.py"}
    for name, rel in copies.items():
        apps = _list(services[name] / rel, "INSTALLED_APPS")
        assert apps[:3] == ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.admin"]  # outside
        project = [a for a in apps[3:]]
        assert project and all(a.startswith(f"{name}_service.") for a in project), apps
    catalog_apps = _list(services["catalog"] / copies["catalog"], "INSTALLED_APPS")
    assert "catalog_service.ported.bookshop.catalog.apps.CatalogConfig" in catalog_apps
    assert not any(a.endswith("bookshop.accounts") for a in catalog_apps)  # another service's app
    # the middleware of another service is left out of the list, this service's points at its copy
    assert _list(services["catalog"] / copies["catalog"], "MIDDLEWARE") == ["django.middleware.common.CommonMiddleware"]
    assert "accounts_service.ported.bookshop.accounts.middleware.customer_header" in _list(
        services["accounts"] / copies["accounts"], "MIDDLEWARE")


def test_app_configs_name_their_copy_and_keep_their_label(out: Path) -> None:
    catalog = (out / "services/catalog/catalog_service/ported/bookshop/catalog/apps.py").read_text()
    assert 'name = "catalog_service.ported.bookshop.catalog"' in catalog
    orders = (out / "services/orders/orders_service/ported/bookshop/orders/apps.py").read_text()
    assert 'name = "orders_service.ported.bookshop.orders"' in orders
    assert 'label = "sales"' in orders  # the tables keep their names


def test_django_is_set_up_before_moved_code(out: Path) -> None:
    service = out / "services/orders/orders_service"
    setup = (service / "django_setup.py").read_text()
    assert 'SETTINGS_MODULE = "orders_service.vendor.bookshop.settings"' in setup
    for tree in ("ported", "vendor"):
        assert "configure()" in (service / tree / "__init__.py").read_text()
    assert "django" not in (service / "main.py").read_text()  # the service's own code does not need it


def test_relations_to_another_services_models_keep_their_ids(out: Path) -> None:
    # the orders' Wishlist relates to accounts' Customer and catalog's Book: in the orders
    # service those are stubs, and a field made with a stub fails when the class is defined
    models = (out / "services/orders/orders_service/ported/bookshop/orders/models.py").read_text()
    assert "customer_id = models.BigIntegerField(db_index=True)" in models
    assert 'favourite_id = models.BigIntegerField(null=True, db_column="fav", unique=True, db_index=True)' in models
    assert "ManyToManyField" not in models and "ForeignKey" not in models
    # its Meta names the id columns now: Django checks those names when the class is made
    assert 'unique_together = ("customer_id", "favourite_id")' in models
    assert 'ordering = ["-customer_id", "id"]' in models
    report = (out / "MIGRATION.md").read_text()
    assert "| `bookshop/orders/models.py:21` | `customer = models.ForeignKey(Customer" in report
    assert "| `bookshop/orders/models.py:23` | `books = models.ManyToManyField(Book" in report
    # the owner keeps its own relations (catalog's Book to its Author)
    catalog = (out / "services/catalog/catalog_service/ported/bookshop/catalog/models.py").read_text()
    assert "author = models.ForeignKey(Author" in catalog


def test_strings_naming_another_services_code_leave_urls_and_settings_dicts(out: Path) -> None:
    # the shared URL module includes the catalog's URLs by name, the settings name a catalog
    # function in a dict: in the orders service both entries go, in the catalog's they point
    # at its copy
    orders = out / "services/orders/orders_service/vendor/bookshop"
    assert "include(" not in (orders / "urls.py").read_text().split("urlpatterns", 1)[1]
    assert 'PRICE_FORMATS = {"currency": "EUR"}' in (orders / "settings.py").read_text()
    catalog = out / "services/catalog/catalog_service/vendor/bookshop"
    assert 'include("catalog_service.ported.bookshop.catalog.urls")' in (catalog / "urls.py").read_text()
    assert '"label": "catalog_service.ported.bookshop.catalog.services.price_label"' in (
        catalog / "settings.py").read_text()
    report = (out / "MIGRATION.md").read_text()
    assert "dropped from the dict" in report and "dropped from the list" in report


def test_a_vendored_package_reexporting_another_services_model_still_binds_it(out: Path) -> None:
    # bookshop.common re-exports the catalog's Book, and the orders' models import it from
    # there: the vendored copy loses its import of the catalog's code (pruned) and binds Book
    # from the orders' copy of the catalog models, which holds the stub
    common = (out / "services/orders/orders_service/vendor/bookshop/common/__init__.py").read_text()
    assert "from orders_service.ported.bookshop.catalog.models import Book" in common
    stub = (out / "services/orders/orders_service/ported/bookshop/catalog/models.py").read_text()
    assert "Book = _msa_wire.Stub(" in stub


def test_registering_another_services_model_on_import_stays_with_that_service(out: Path) -> None:
    # the orders' admin registers its Order and decorates an admin class for accounts' Customer:
    # in the orders copy Customer is a stub, which Django's admin cannot register
    admin = (out / "services/orders/orders_service/ported/bookshop/orders/admin.py").read_text()
    assert "admin.site.register(Order)" in admin
    assert "@admin.register(Customer)" not in admin and "class CustomerAdmin(admin.ModelAdmin):" in admin
    assert "| `bookshop/orders/admin.py:9` | `@admin.register(Customer)` | hands another service's model `Customer`" in (
        out / "MIGRATION.md").read_text()


def test_an_abstract_model_of_another_service_is_copied_for_the_models_deriving_from_it(out: Path) -> None:
    # the orders' Wishlist derives from the catalog's abstract Stamped: no table, so a copy
    copy = (out / "services/orders/orders_service/ported/bookshop/catalog/models.py").read_text()
    assert "class Stamped(models.Model):" in copy and "abstract = True" in copy
    assert "Stamped = _msa_wire.Stub(" not in copy
    # the orders' Order makes its manager of the catalog's RecentQuerySet: copied the same way
    assert "class RecentQuerySet(models.QuerySet):" in copy


def test_code_a_settings_string_names_is_copied_when_it_can_be(out: Path) -> None:
    # LOGGING names the catalog's handler class inside a nested dict: the class has no state
    # and no database access, so each service gets a copy and the string names it (the
    # handler record could not lose its class); the settings dict entry naming the catalog's
    # price_label, which reads the database, is dropped instead (above)
    settings = (out / "services/orders/orders_service/vendor/bookshop/settings.py").read_text()
    assert '"class": "orders_service.ported.bookshop.catalog.logs.CatalogHandler"' in settings
    logs = (out / "services/orders/orders_service/ported/bookshop/catalog/logs.py").read_text()
    assert "class CatalogHandler(logging.StreamHandler):" in logs


def test_a_failed_django_set_up_fails_the_same_way_again(out: Path, tmp_path: Path) -> None:
    # a set-up that fails while Django populates its apps leaves it "loading": the next import
    # must show the same error, not Django's "populate() isn't reentrant"
    service = out / "services/orders"
    (tmp_path / "broken_settings.py").write_text('INSTALLED_APPS = ["no_such_app_anywhere"]\n')
    script = ("import orders_service.django_setup as s\n"
              "for _ in range(2):\n"
              "    try:\n        s.configure()\n"
              "    except Exception as exc:\n        print(type(exc).__name__)\n")
    env = {**support.clean_env(), "DJANGO_SETTINGS_MODULE": "broken_settings",
           "PYTHONPATH": f"{service}{os.pathsep}{tmp_path}"}
    result = subprocess.run([support.PYTHON, "-c", script], cwd=service, env=env, capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.stdout.split() == ["ModuleNotFoundError", "ModuleNotFoundError"], result.stdout + result.stderr


def test_one_word_app_names_become_the_copies_and_labels_stay(flat: Path) -> None:
    apps = (flat / "services/catalog/catalog_service/ported/catalog/apps.py").read_text()
    assert 'name = "catalog_service.ported.catalog"' in apps
    assert 'label = "catalog"' in apps  # the same string, not an app name: unchanged
    settings = flat / "services/catalog/catalog_service/vendor/site_config/settings.py"
    assert _list(settings, "INSTALLED_APPS") == ["django.contrib.contenttypes", "catalog_service.ported.catalog"]


@pytest.mark.parametrize("monolith", ["out", "flat"])
def test_the_generated_services_own_tests_pass(monolith: str, request) -> None:
    out = request.getfixturevalue(monolith)
    jobs = [([support.PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"], service)
            for service in sorted((out / "services").iterdir())]
    results = support.run_parallel(jobs, env=support.clean_env(), limit=3, timeout=300)
    for (_, folder), result in zip(jobs, results, strict=True):
        assert result.returncode == 0, f"{folder.name}:\n{result.stdout[-3000:]}"
        moved = _list(folder / "tests" / "test_extracted.py", "MODULES")
        assert any(m.endswith(".models") for m in moved), moved  # models imported, so Django was set up
        assert int(result.stdout.split(" passed")[0].split()[-1]) >= len(moved)


def test_a_non_django_monolith_gets_no_django_setup(tmp_path: Path) -> None:
    doc = apply_plan(support.sample(), HERE.parent / "samples" / "shop" / "intended.toml")
    scaffold(doc, tmp_path / "out", options=ScaffoldOptions(extract=True))
    assert not list((tmp_path / "out").rglob("django_setup.py"))
    assert "configure" not in (tmp_path / "out/services/catalog/catalog_service/ported/__init__.py").read_text()


def test_the_settings_module_manage_py_names_is_the_one_copied(tmp_path: Path) -> None:
    from tests.helpers import build_tree

    root = build_tree(tmp_path / "mono", {
        "manage.py": """
            import os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings.live")
        """,
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
        # names more apps, but nothing points Django at it
        "proj/settings/old.py": 'INSTALLED_APPS = ["proj.shop", "proj.blog", "django.contrib.auth"]\n',
        "proj/settings/live.py": 'INSTALLED_APPS = ["proj.shop"]\nSECRET_KEY = "x"\n',
        "proj/shop/__init__.py": "",
        "proj/shop/models.py": """
            from django.db import models


            class Item(models.Model):
                title = models.CharField(max_length=10)
        """,
        "proj/blog/__init__.py": "",
        "proj/blog/views.py": "def index(request):\n    return None\n",
    })
    out = tmp_path / "out"
    doc = run_analysis(root, AnalyzeOptions(use_cache=False, progress=False))
    scaffold(doc, out, options=ScaffoldOptions(extract=True))
    setups = sorted(out.rglob("django_setup.py"))
    assert setups and all(".proj.settings.live" in p.read_text() for p in setups)


def test_settings_in_parts_are_copied_by_the_module_gathering_them(tmp_path: Path) -> None:
    # zds-site: INSTALLED_APPS sits in settings/base/django.py, the rest of the settings in
    # sibling parts that settings/base/__init__.py star-imports; manage.py names the dev
    # variant, which star-imports that package and adds development-only apps
    from tests.helpers import build_tree

    root = build_tree(tmp_path / "mono", {
        "manage.py": """
            import os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings.dev")
        """,
        "proj/__init__.py": """
            try:
                import ujson as json_handler
            except ImportError:
                import json as json_handler
        """,
        "proj/settings/__init__.py": "",
        "proj/settings/dev.py": 'from .base import *\n\nINSTALLED_APPS += ("debug_toolbar",)\n',
        "proj/settings/base/__init__.py": "from .django import *\nfrom .site import *\n",
        "proj/settings/base/django.py": 'INSTALLED_APPS = ["proj.shop"]\nSECRET_KEY = "x"\n',
        "proj/settings/base/site.py": 'SITE_NAME = "shop"\n',
        "proj/shop/__init__.py": "",
        "proj/shop/models.py": """
            from django.db import models


            class Item(models.Model):
                title = models.CharField(max_length=10)
        """,
        "proj/shop/views.py": """
            from django.conf import settings

            from proj import json_handler
            from proj.shop.models import Item


            def index(request):
                return json_handler.dumps([settings.SITE_NAME, Item.objects.count()])
        """,
    })
    out = tmp_path / "out"
    doc = run_analysis(root, AnalyzeOptions(use_cache=False, progress=False))
    scaffold(doc, out, options=ScaffoldOptions(extract=True))
    setups = sorted(out.rglob("django_setup.py"))
    assert setups and all('.proj.settings.base"' in p.read_text() for p in setups)
    for setup in setups:  # the parts are copied whole beside the module gathering them
        package = setup.parent
        parts = package / ("ported" if "ported.proj.settings.base" in setup.read_text() else "vendor")
        assert "SITE_NAME" in (parts / "proj/settings/base/site.py").read_text()
    # the package binds json_handler in a try statement: its copy keeps it for the views
    views = next(out.rglob("proj/shop/views.py"))
    init = views.parents[1] / "__init__.py"
    assert "json_handler" in init.read_text()
    jobs = [([support.PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"], s)
            for s in sorted((out / "services").iterdir())]
    for (_, folder), result in zip(jobs, support.run_parallel(jobs, env=support.clean_env(), limit=2, timeout=300),
                                   strict=True):
        assert result.returncode == 0, f"{folder.name}:\n{result.stdout[-3000:]}"


def test_a_proxy_model_is_its_entity_a_missing_secret_key_is_made_and_data_files_come_along(tmp_path: Path) -> None:
    # a proxy model (or a single-table subclass) is its base's rows: it lives with the
    # service owning them, and another service's use of it is direct database access; the
    # settings leave SECRET_KEY to a deployment's variant, which Django needs to start
    from tests.helpers import build_tree

    root = build_tree(tmp_path / "mono", {
        "manage.py": """
            import os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
        """,
        "proj/__init__.py": "",
        # the custom user model is another service's: the others start on Django's own
        "proj/settings.py": """
            INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "proj.people", "proj.shop",
                              "proj.blog"]
            AUTH_USER_MODEL = "people.Person"
        """,
        "proj/people/__init__.py": "",
        "proj/people/models.py": """
            from django.contrib.auth.models import AbstractUser


            class Person(AbstractUser):
                pass
        """,
        "proj/shop/__init__.py": "",
        "proj/shop/models.py": """
            from django.db import models


            class Item(models.Model):
                title = models.CharField(max_length=10)
        """,
        "proj/shop/views.py": """
            from proj.shop.models import Item


            def add(request):
                return Item.objects.create(title="x").pk
        """,
        # a data file read beside the code on import is copied with it
        "proj/blog/__init__.py": """
            from pathlib import Path

            VERSION = (Path(__file__).parent / "VERSION.txt").read_text().strip()
        """,
        "proj/blog/VERSION.txt": "1.2.3\n",
        "proj/blog/models.py": """
            from django.db import models

            from proj.shop.models import Item


            class Featured(Item):
                class Meta:
                    proxy = True


            class Post(models.Model):
                body = models.TextField()
        """,
        "proj/blog/signing.py": """
            from django.conf import settings

            KEY_HEAD = settings.SECRET_KEY[:4]
        """,
        # a form of another service's model reads it while it is defined: stubbed, and so
        # is the form deriving from it, or the module would fail on import
        "proj/blog/forms.py": """
            from django import forms

            from proj.shop.models import Item


            class ItemForm(forms.ModelForm):
                class Meta:
                    model = Item
                    fields = ["title"]


            class WideItemForm(ItemForm):
                pass


            class SearchForm(forms.Form):
                query = forms.CharField()
        """,
        # another service's registry, set up on import: a stub here, so the function it
        # decorates is one too, or the module would fail on import
        "proj/shop/hooks.py": """
            class Registry:
                def __init__(self):
                    self.hooks = []

                def register(self, fn):
                    self.hooks.append(fn)
                    return fn


            registry = Registry()
            registry.hooks.append(print)
        """,
        "proj/blog/hooked.py": """
            from proj.shop.hooks import registry


            @registry.register
            def on_post(post):
                return post


            def plain(post):
                return post
        """,
        "proj/blog/views.py": """
            from proj.blog.forms import SearchForm, WideItemForm
            from proj.blog.hooked import on_post, plain
            from proj.blog.models import Featured, Post
            from proj.blog.signing import KEY_HEAD


            def index(request):
                return [KEY_HEAD, Post.objects.count(), Featured.objects.count(), SearchForm, WideItemForm, on_post,
                        plain]
        """,
        "plan.toml": """
            schema = "msa-plan/1"

            [[service]]
            name = "shop"
            members = ["proj.shop"]

            [[service]]
            name = "blog"
            members = ["proj.blog"]

            [[service]]
            name = "people"
            members = ["proj.people"]

            [shared]
            members = ["proj", "proj.settings", "manage"]
        """,
    })
    out = _extract(root, tmp_path / "out")
    blog_models = (out / "services/blog/blog_service/ported/proj/blog/models.py").read_text()
    assert "class Featured" not in blog_models and "Featured = _msa_wire.Stub(" in blog_models
    assert "class Post(models.Model)" in blog_models
    shop_models = (out / "services/shop/shop_service/ported/proj/blog/models.py").read_text()
    assert "class Featured(Item)" in shop_models
    assert (out / "services/blog/blog_service/ported/proj/blog/VERSION.txt").read_text() == "1.2.3\n"
    assert 'settings.AUTH_USER_MODEL = "auth.User"' in (out / "services/blog/blog_service/django_setup.py").read_text()
    assert "AUTH_USER_MODEL" not in (out / "services/people/people_service/django_setup.py").read_text()
    hooked = (out / "services/blog/blog_service/ported/proj/blog/hooked.py").read_text()
    # a stubbed function is a function of the same parameters that raises when called
    assert "def on_post(post):\n" in hooked and "    return _msa_wire.Stub(\n        \"proj.blog.hooked.on_post\"," in hooked
    assert "def plain(post)" in hooked
    blog_forms = (out / "services/blog/blog_service/ported/proj/blog/forms.py").read_text()
    assert "class SearchForm(forms.Form)" in blog_forms
    for stubbed in ("ItemForm", "WideItemForm"):
        assert f"class {stubbed}" not in blog_forms and f"{stubbed} = _msa_wire.Stub(" in blog_forms
    jobs = [([support.PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"], s)
            for s in sorted((out / "services").iterdir())]
    for (_, folder), result in zip(jobs, support.run_parallel(jobs, env=support.clean_env(), limit=2, timeout=300),
                                   strict=True):
        assert result.returncode == 0, f"{folder.name}:\n{result.stdout[-3000:]}"
