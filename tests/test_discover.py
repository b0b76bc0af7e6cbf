"""Module discovery: layouts, namespace packages, several roots, what is skipped."""

from __future__ import annotations

import os

from analyzer.discover import discover
from helpers import build_tree


def modules(root, **kw):
    return {f.module: f.relpath for f in discover(root, **kw).files}


def test_flat_and_src_layouts_and_several_roots(tmp_path):
    build_tree(tmp_path, {
        "manage.py": "",
        "shop/__init__.py": "",
        "shop/orders/__init__.py": "",
        "shop/orders/views.py": "",
        "services/billing/pyproject.toml": "",
        "services/billing/src/billing/__init__.py": "",
        "services/billing/src/billing/api.py": "",
    })
    assert modules(tmp_path) == {
        "manage": "manage.py",
        "shop": "shop/__init__.py",
        "shop.orders": "shop/orders/__init__.py",
        "shop.orders.views": "shop/orders/views.py",
        "billing": "services/billing/src/billing/__init__.py",
        "billing.api": "services/billing/src/billing/api.py",
    }


def test_namespace_packages(tmp_path):
    build_tree(tmp_path, {
        "src/company/orders/__init__.py": "",
        "src/company/orders/models.py": "",
        "src/company/payments/__init__.py": "",
    })
    assert set(modules(tmp_path)) == {"company.orders", "company.orders.models", "company.payments"}


def test_a_namespace_package_with_modules_of_its_own_under_src(tmp_path):
    # poetry's layout: src/poetry has no __init__.py, holds modules and packages, and its code
    # imports ``poetry.config.config``
    build_tree(tmp_path, {
        "pyproject.toml": "",
        "src/poetry/__main__.py": "",
        "src/poetry/factory.py": "",
        "src/poetry/config/__init__.py": "",
        "src/poetry/config/config.py": "",
        "src/tool.py": "",
    })
    assert set(modules(tmp_path)) == {"poetry.__main__", "poetry.factory", "poetry.config",
                                      "poetry.config.config", "tool"}


def test_skips_venvs_build_output_gitignored_tests_and_migrations(tmp_path):
    build_tree(tmp_path, {
        ".gitignore": "generated/\n*_pb2.py\n",
        "app/__init__.py": "",
        "app/models.py": "",
        "app/models_pb2.py": "",
        "app/migrations/0001_initial.py": "",
        "app/tests/test_models.py": "",
        "app/test_views.py": "",
        "generated/thing.py": "",
        "build/lib/app/models.py": "",
        "env1/pyvenv.cfg": "",
        "env1/lib/site.py": "",
        "node_modules/x/y.py": "",
    })
    assert set(modules(tmp_path)) == {"app", "app.models"}
    with_all = set(modules(tmp_path, include_tests=True, include_migrations=True))
    assert {"app.migrations.0001_initial"} - with_all  # not a valid module name: skipped
    assert {"app.tests.test_models", "app.test_views"} <= with_all  # a folder inside a package


def test_symlink_loops_and_dangling_links_do_not_stop_discovery(tmp_path):
    build_tree(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": ""})
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "loop")
    os.symlink(tmp_path / "missing.py", tmp_path / "pkg" / "dangling.py")
    found = discover(tmp_path)
    assert {f.module for f in found.files} == {"pkg", "pkg.a"}
    assert ("pkg/dangling.py", "dangling symbolic link") in found.skipped


def test_same_module_name_under_two_roots_is_reported(tmp_path):
    build_tree(tmp_path, {
        "a/pyproject.toml": "",
        "a/util.py": "",
        "b/pyproject.toml": "",
        "b/util.py": "",
    })
    found = discover(tmp_path)
    assert [f.relpath for f in found.files] == ["a/util.py"]
    assert found.skipped == [("b/util.py", "module name 'util' is already taken by a/util.py")]


def test_analyzing_a_package_folder_itself(tmp_path):
    build_tree(tmp_path, {"shop/__init__.py": "", "shop/cart.py": ""})
    assert set(modules(tmp_path / "shop")) == {"shop", "shop.cart"}


def test_links_to_files_outside_the_repository_are_not_read(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("SECRET = 1\n")
    repo = build_tree(tmp_path / "repo", {"pkg/__init__.py": ""})
    os.symlink(outside, repo / "pkg" / "leak.py")
    os.symlink(repo / "pkg" / "a.py", repo / "pkg" / "b.py")
    os.symlink(repo / "pkg" / "b.py", repo / "pkg" / "a.py")
    found = discover(repo)
    assert {f.module for f in found.files} == {"pkg"}
    assert ("pkg/leak.py", "symbolic link to a file outside the repository") in found.skipped
    assert ("pkg/a.py", "symbolic link loop") in found.skipped


def test_folder_without_init_inside_a_package_keeps_the_prefix(tmp_path):
    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/webhook/__init__.py": "",
        "shop/webhook/breaker/board.py": "",
    })
    assert "shop.webhook.breaker.board" in modules(tmp_path)


def test_a_sphinx_documentation_folder_is_skipped_and_said(tmp_path):
    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "",
        "doc/__init__.py": "",  # pretalx's doc/ is even a package
        "doc/conf.py": "project = 'app'\n",
        "doc/index.rst": "App\n===\n",
        "doc/_extensions/roles.py": "",
        "app/docs/conf.py": "",  # a conf.py without an index page is code like any other
    })
    found = discover(tmp_path)
    assert {f.module for f in found.files} == {"app", "app.models", "app.docs.conf"}
    assert found.skipped == [("doc/", "documentation: a Sphinx folder (conf.py beside an index page)")]
    # pointed at the documentation itself, it is analyzed
    assert "doc.conf" in {f.module for f in discover(tmp_path / "doc").files}


def test_a_sphinx_conf_serving_projects_below_it_marks_documentation_too(tmp_path):
    # readthedocs' docs/conf.py configures the user/ and dev/ projects: no index beside it
    build_tree(tmp_path, {
        "app/__init__.py": "",
        "docs/conf.py": "import os\n\nextensions = [\n    'sphinx.ext.autodoc',\n]\n",
        "docs/_ext/djangodocs.py": "",
        "docs/user/index.rst": "User\n====\n",
        "app/conf.py": "extensions = ['jinja2.ext.i18n']\n",  # names no Sphinx: application code
    })
    found = discover(tmp_path)
    assert {f.module for f in found.files} == {"app", "app.conf"}
    assert found.skipped == [("docs/", "documentation: a Sphinx folder (a conf.py configuring Sphinx)")]


def test_modules_in_folders_without_init_are_named_from_their_import_root(tmp_path):
    """A folder of modules without ``__init__.py`` is a namespace under the root it is
    imported from: its modules keep the folder's path, so they cannot take a library's name
    (``deploy/settings/celery.py`` is not ``celery``), and a package reached through such
    folders keeps its own prefix. A folder holding modules beside a package is that root."""
    build_tree(tmp_path, {
        "manage.py": "",
        "app/__init__.py": "",
        "app/views.py": "",
        "app/allauth/providers/gh/__init__.py": "",
        "app/allauth/providers/gh/provider.py": "",
        "deploy/settings/celery.py": "",
        "pages/core/basepage.py": "",
        "pages/flows/flow.py": "",
        "backend/manage.py": "",
        "backend/shop/__init__.py": "",
        "backend/shop/models.py": "",
        "backend/scripts/seed.py": "",
    })
    found = discover(tmp_path)
    assert {f.module for f in found.files} == {
        "manage", "app", "app.views", "app.allauth.providers.gh", "app.allauth.providers.gh.provider",
        "deploy.settings.celery", "pages.core.basepage", "pages.flows.flow",
        "shop", "shop.models", "scripts.seed",
    }
    # backend/ is an import root of its own, so its manage.py is ``manage`` too: the shallower wins
    assert ("backend/manage.py", "module name 'manage' is already taken by manage.py") in found.skipped


def test_test_folders_are_known_by_their_names(tmp_path):
    build_tree(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": "",
        "shop_tests/__init__.py": "",
        "shop_tests/test_models.py": "",
        "shop_tests/helpers.py": "",
        "shop/testutils/__init__.py": "",
        "shop/testutils/factories.py": "",
        "e2e/flows/checkout.py": "",
        "functional_tests/cart.py": "",
    })
    assert set(modules(tmp_path)) == {"shop", "shop.models"}
    assert {"shop_tests.helpers", "shop.testutils.factories", "e2e.flows.checkout", "functional_tests.cart"} <= set(
        modules(tmp_path, include_tests=True))


def test_a_folder_of_test_modules_is_tests_whatever_its_name(tmp_path):
    # DefectDojo's unittests/: its base test case and the sample inputs below it are test
    # support; a package with a test beside each module is still code
    tests = {f"unittests/test_{n}.py": "" for n in ("api", "finding", "product", "user", "jira")}
    build_tree(tmp_path, {
        **tests,
        "unittests/__init__.py": "",
        "unittests/dojo_test_case.py": "",
        "unittests/scans/devskim/app.py": "",
        "dojo/__init__.py": "",
        "dojo/models.py": "",
        "flat/__init__.py": "",
        **{f"flat/{n}.py": "" for n in ("core", "utils", "io")},
        **{f"flat/test_{n}.py": "" for n in ("core", "utils", "io")},
    })
    assert set(modules(tmp_path)) == {"dojo", "dojo.models", "flat", "flat.core", "flat.utils", "flat.io"}
    assert {"unittests.dojo_test_case", "unittests.scans.devskim.app", "unittests.test_api"} <= set(
        modules(tmp_path, include_tests=True))


def test_a_file_named_like_a_test_that_holds_code_and_no_test_is_code(tmp_path):
    # treeherder: a view set in ``investigated_test.py``, a module of its views in
    # ``push_health/tests.py``, Django commands named ``test_*.py``
    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "",
        "app/views.py": "",
        "app/investigated_test.py": "from rest_framework import viewsets\n\n"
                                    "class InvestigatedViewSet(viewsets.ModelViewSet):\n    pass\n",
        "app/health/__init__.py": "",
        "app/health/tests.py": "def get_test_failures(push):\n    return []\n",
        "app/management/commands/test_parse_log.py": "class Command:\n    def handle(self):\n        pass\n",
        # tests, by what they hold
        "app/test_views.py": "def test_index():\n    assert True\n",
        "app/views_test.py": "import unittest\n\nclass Views(unittest.TestCase):\n    pass\n",
        "app/other/test_models.py": "class TestOrder:\n    def check(self):\n        pass\n",
        "app/tests.py": "from django.test import TestCase\n\n# Create your tests here.\n",
        "app/other/__init__.py": "",
        "app/other/tests.py": "# Create your tests here.\n",
        "app/other/test_empty.py": "",
        "app/conftest.py": "def make_order():\n    return None\n",
        "app/tests/helpers.py": "def make_user():\n    return None\n",
        # settings named like a test configure the tests
        "site/__init__.py": "",
        "site/test_settings.py": "from .base import *\nDEBUG = False\n",
        "site/settings/ci_test.py": "DEBUG = False\n",
    })
    assert set(modules(tmp_path)) == {"app", "app.models", "app.views", "app.investigated_test", "app.health",
                                      "app.health.tests", "app.management.commands.test_parse_log", "app.other",
                                      "site"}
    assert {"app.test_views", "app.views_test", "app.other.test_models", "app.tests", "app.conftest",
            "app.tests.helpers"} <= set(modules(tmp_path, include_tests=True))


def test_a_package_named_like_tests_that_holds_an_application_and_no_test_is_code(tmp_path):
    # DefectDojo's ``dojo/test/``: the models, views and API of its security tests
    build_tree(tmp_path, {
        "dojo/__init__.py": "",
        "dojo/test/__init__.py": "",
        "dojo/test/models.py": "class Test:\n    pass\n",
        "dojo/test/views.py": "from dojo.test.models import Test\n\ndef view_test(request, tid):\n    pass\n",
        "dojo/test/api/__init__.py": "",
        "dojo/test/api/serializers.py": "class TestSerializer:\n    pass\n",
        # a Django test app: its models serve the tests beside them
        "lib/__init__.py": "",
        "lib/tests/__init__.py": "",
        "lib/tests/models.py": "class Book:\n    pass\n",
        "lib/tests/test_books.py": "def test_book():\n    assert True\n",
        "lib/tests/sub/__init__.py": "",
        "lib/tests/sub/views.py": "def index(request):\n    pass\n",
        # a project run for the tests (wagtail's ``wagtail/test/``) stays out
        "cms/__init__.py": "",
        "cms/test/__init__.py": "",
        "cms/test/settings.py": "DEBUG = True\n",
        "cms/test/urls.py": "urlpatterns = []\n",
        "cms/test/testapp/models.py": "class Page:\n    pass\n",
        # test support without application modules stays out
        "shop/__init__.py": "",
        "shop/tests/__init__.py": "",
        "shop/tests/factories.py": "import factory\n",
    })
    assert set(modules(tmp_path)) == {"dojo", "dojo.test", "dojo.test.models", "dojo.test.views", "dojo.test.api",
                                      "dojo.test.api.serializers", "lib", "shop", "cms"}


def test_templates_are_skipped_and_a_checkout_root_is_no_package(tmp_path):
    """A cookiecutter folder's setup.py is not the project's; an ``__init__.py`` beside the
    checkout's setup.py does not prefix every module with the checkout's folder name."""
    build_tree(tmp_path / "mayan", {
        "__init__.py": "",
        "setup.py": "",
        "mayan/__init__.py": "",
        "mayan/apps/__init__.py": "",
        "mayan/apps/documents.py": "",
        "contrib/tmpl/{{cookiecutter.name}}/setup.py": "",
    })
    found = discover(tmp_path / "mayan")
    assert {f.module for f in found.files} == {"setup", "mayan", "mayan.apps", "mayan.apps.documents"}
    assert ("contrib/tmpl/{{cookiecutter.name}}/", "template: a folder named with {{ }} placeholders") in found.skipped


def test_an_alembic_folder_is_migrations_whatever_its_name(tmp_path):
    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "",
        "app/migration/env.py": "",
        "app/migration/versions/0001_init.py": "",
    })
    assert set(modules(tmp_path)) == {"app", "app.models"}
    assert "app.migration.env" in modules(tmp_path, include_migrations=True)


def test_a_migrations_package_of_helpers_is_code(tmp_path):
    """CTFd's ``utils/migrations/__init__.py`` creates and stamps the database for the app: a
    ``migrations`` package with nothing but its ``__init__.py`` is not a folder of migrations."""
    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/utils/__init__.py": "",
        "app/utils/migrations/__init__.py": "def create_database():\n    pass\n",
        "app/shop/__init__.py": "",
        "app/shop/migrations/__init__.py": "",
        "app/shop/migrations/0001_initial.py": "",
        "app/db/migrations/__init__.py": "",
        "app/db/migrations/env.py": "",
        "app/db/migrations/versions/__init__.py": "",
    })
    assert set(modules(tmp_path)) == {"app", "app.utils", "app.utils.migrations", "app.shop"}


def test_a_migrations_package_of_importers_is_code(tmp_path):
    """mealie's ``services/migrations/`` imports recipes from other apps (``paprika.py``,
    ``nextcloud.py``, a ``utils/`` package): no numbered script, no Alembic folder, so code.
    Left out, the routes importing it kept an import of a module the analysis never saw."""
    build_tree(tmp_path, {
        "app/__init__.py": "",
        "app/services/__init__.py": "",
        "app/services/migrations/__init__.py": "from .paprika import PaprikaMigrator\n",
        "app/services/migrations/paprika.py": "class PaprikaMigrator:\n    pass\n",
        "app/services/migrations/utils/__init__.py": "",
        "app/services/migrations/utils/helpers.py": "def split(x):\n    return x\n",
        "app/orders/__init__.py": "",
        "app/orders/migrations/__init__.py": "",
        "app/orders/migrations/0001_initial.py": "",
        "app/orders/migrations/0002_add_total.py": "",
        "app/alembic/versions/2024-01-02_ae1027a6acf_init.py": "",
    })
    assert set(modules(tmp_path)) == {
        "app", "app.services", "app.services.migrations", "app.services.migrations.paprika",
        "app.services.migrations.utils", "app.services.migrations.utils.helpers", "app.orders"}
    with_migrations = set(modules(tmp_path, include_migrations=True))
    assert "app.orders.migrations" in with_migrations


def test_a_django_project_folder_with_an_init_runs_from_itself(tmp_path):
    """``manage.py`` runs with its own folder on the path, so the apps beside it import top
    level (tabbycat's ``tabbycat/draw/views.py`` is ``draw.views``) even when that folder has an
    ``__init__.py``; a ``manage.py`` inside a package (dispatch's ``database/manage.py``, a
    test project) changes nothing."""
    build_tree(tmp_path, {
        "tabbycat/__init__.py": "",
        "tabbycat/manage.py": "",
        "tabbycat/urls.py": "",
        "tabbycat/draw/__init__.py": "",
        "tabbycat/draw/views.py": "",
        "src/dispatch/__init__.py": "",
        "src/dispatch/database/__init__.py": "",
        "src/dispatch/database/manage.py": "",
    })
    found = discover(tmp_path)
    assert {f.module for f in found.files} == {
        "manage", "urls", "draw", "draw.views",
        "dispatch", "dispatch.database", "dispatch.database.manage",
    }


def test_a_manage_py_naming_settings_in_its_own_package_keeps_the_package_name(tmp_path):
    """khoj: ``src/khoj/manage.py`` sets ``khoj.app.settings`` and the code imports
    ``from khoj.database.models import ...``: the folder is no import root of its own."""
    build_tree(tmp_path, {
        "src/khoj/__init__.py": "",
        "src/khoj/manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoj.app.settings")\n',
        "src/khoj/app/__init__.py": "",
        "src/khoj/app/settings.py": "",
        "src/khoj/database/__init__.py": "",
        "src/khoj/database/models.py": "",
    })
    assert {"khoj.manage", "khoj.app.settings", "khoj.database.models"} <= set(modules(tmp_path))


def test_build_dist_and_env_packages_are_code_not_output(tmp_path):
    """InvenTree's ``build`` app (a package) was skipped as if it were build output."""
    build_tree(tmp_path, {
        "build/__init__.py": "",
        "build/models.py": "",
        "env/__init__.py": "",
        "env/models.py": "",
        "orders/__init__.py": "",
        "orders/models.py": "",
        "dist/orders/models.py": "",
    })
    assert set(modules(tmp_path)) == {"build", "build.models", "env", "env.models", "orders", "orders.models"}


def test_a_folder_whose_package_imports_itself_bare_is_an_import_root(tmp_path):
    """open-webui's ``backend/open_webui/`` imports ``from open_webui.config import ...``:
    ``backend`` is where it runs from, not a namespace package. Django's own layout,
    ``mysite/manage.py`` beside ``mysite/mysite/settings.py``, still runs from ``mysite``."""
    build_tree(tmp_path, {
        "backend/open_webui/__init__.py": "",
        "backend/open_webui/config.py": "",
        "backend/open_webui/main.py": "from open_webui.config import X\nimport open_webui.config\n",
        "other/lib/__init__.py": "",
        "other/lib/a.py": "from other.lib import b\n",
        "other/lib/b.py": "",
        "mysite/manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
        "mysite/mysite/__init__.py": "",
        "mysite/mysite/settings.py": "",
    })
    found = set(modules(tmp_path))
    assert {"open_webui.config", "open_webui.main", "other.lib.a", "mysite.settings", "manage"} <= found


def test_a_manage_py_importing_its_own_package_keeps_the_package_name(tmp_path):
    """lemur: the Flask CLI ``lemur/manage.py`` says ``from lemur import database``; the
    folder is the package ``lemur``, not an import root (every ``from lemur.x import`` went
    outside the project before)."""
    build_tree(tmp_path, {
        "lemur/__init__.py": "",
        "lemur/manage.py": "import click\nfrom lemur import database\n",
        "lemur/database.py": "",
        "lemur/users/__init__.py": "",
        "lemur/users/models.py": "",
    })
    assert set(modules(tmp_path)) == {"lemur", "lemur.manage", "lemur.database", "lemur.users",
                                      "lemur.users.models"}


def test_a_django_folder_whose_modules_import_its_package_by_name_is_that_package(tmp_path):
    """ArchiveBox: ``archivebox/manage.py`` names ``core.settings``, but the modules import
    ``from archivebox.core.models import ...``: the folder is the package ``archivebox``
    (every such import went outside the project). tabbycat's modules import ``draw.models``
    bare, and its folder stays where the code runs from."""
    build_tree(tmp_path, {
        "archivebox/__init__.py": "",
        "archivebox/manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")\n',
        "archivebox/core/__init__.py": "",
        "archivebox/core/models.py": "from archivebox.misc.util import enforce_types\n",
        "archivebox/core/views.py": "from archivebox.core.models import Snapshot\nfrom core.models import X\n",
        "archivebox/misc/__init__.py": "",
        "archivebox/misc/util.py": "",
        "tabbycat/__init__.py": "",
        "tabbycat/manage.py": "",
        "tabbycat/draw/__init__.py": "",
        "tabbycat/draw/views.py": "from draw.models import Debate\n",
        "tabbycat/draw/models.py": "",
    })
    found = set(modules(tmp_path))
    assert {"archivebox", "archivebox.core.models", "archivebox.misc.util", "archivebox.manage"} <= found
    assert {"draw.views", "draw.models"} <= found


def test_a_folder_holding_the_settings_manage_py_names_is_a_namespace_package_not_a_root(tmp_path):
    # opencve: web/manage.py names opencve.conf.settings; web/opencve/ has no __init__.py but
    # holds modules beside its packages, which would make it an import root of its own
    build_tree(tmp_path, {
        "web/manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencve.conf.settings")\n',
        "web/opencve/urls.py": "from opencve.api.views import router\n",
        "web/opencve/conf/settings.py": "",
        "web/opencve/api/__init__.py": "",
        "web/opencve/api/views.py": "",
        "web/cves/__init__.py": "",
        "web/cves/models.py": "",
    })
    assert set(modules(tmp_path)) >= {"opencve.urls", "opencve.api.views", "opencve.conf.settings", "cves.models"}


def test_a_package_takes_its_name_from_the_module_file_beside_it(tmp_path):
    # Python's path finder imports ``cps/__init__.py`` for ``import cps``, not the launcher
    # script ``cps.py`` beside the folder
    build_tree(tmp_path, {
        "cps.py": "from cps.main import main\n",
        "cps/__init__.py": "app = None\n",
        "cps/main.py": "def main(): pass\n",
    })
    found = discover(tmp_path)
    assert {f.module: f.relpath for f in found.files} == {"cps": "cps/__init__.py", "cps.main": "cps/main.py"}
    assert found.skipped == [("cps.py", "the package cps/ beside it takes its name in imports")]
