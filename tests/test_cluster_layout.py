"""The tree's layout (root package, apps, layered folders), the names it gives services and the
app prior it adds to the clustering graph."""

from pathlib import Path

import pytest
from helpers import load_module

from analyzer.cluster.layout import Layout, build_layout, names_app, project_root
from analyzer.cluster.members import MemberIndex
from analyzer.cluster.naming import name_services
from analyzer.cluster.weights import ANCHOR_PREFIX, DEFAULT_WEIGHTS, clustering_edges, resolve_weights

FIXTURES = Path(__file__).parent / "fixtures" / "cluster"


def _load(name):
    return load_module(FIXTURES / f"{name}.py")


layered = _load("layered")

SALEOR_LIKE = [
    "manage", "storage", "saleor", "saleor.settings", "saleor.urls",
    *[f"saleor.{app}.{m}" for app in ("order", "product", "account", "core") for m in ("models", "utils", "tasks")],
    *[f"saleor.graphql.{app}.{m}" for app in ("order", "product", "account", "core") for m in ("types", "mutations")],
    "saleor.graphql.api", "saleor.graphql.meta.types", "saleor.graphql.utils.filters",
    "saleor.plugins.manager", "saleor.plugins.webhook.plugin",
]
FLAT = [f"{app}.{m}" for app in ("dcim", "ipam", "netbox", "utilities") for m in ("models", "views", "api.views")]


def test_the_root_package_ignores_scripts_beside_it():
    # 'manage' and 'storage' beside saleor/ must not make every module's app 'saleor'
    assert project_root(SALEOR_LIKE) == "saleor"
    assert project_root(["shop.a", "shop.b.c"]) == "shop"  # the plain common prefix


def test_a_flat_tree_of_apps_has_no_root():
    assert project_root(FLAT) == ""
    layout = build_layout(FLAT)
    assert layout.apps == {"dcim", "ipam", "netbox", "utilities"} and not layout.layers
    assert layout.app_of("dcim.api.views") == "dcim"


def test_the_root_descends_only_into_a_package_with_several_children():
    # one package holding every module but with a single child: its child is no app set
    assert project_root(["lib", "lib.core", "lib.core.a", "lib.core.b", "lib.core.c"]) == "lib.core"
    # nearly every module in one package, but the rest is more than a tenth: no descent
    many = [f"big.m{i}.x" for i in range(8)] + ["other.a.x", "other.b.x"]
    assert project_root(many) == ""


def test_a_package_far_larger_than_anything_beside_it_is_the_root():
    # Polar's layout: polar/ holds 86 % of the modules, beside a scripts/ package and scripts
    polar = [f"polar.app{i}.m{j}" for i in range(10) for j in range(8)] + [f"scripts.s{i}" for i in range(12)]
    assert project_root(polar + ["manage", "cli"]) == "polar"
    # most modules, but not five times the next package: no descent
    assert project_root([f"big.m{i}.x" for i in range(16)] + [f"other.m{i}.x" for i in range(4)]) == ""


def test_a_layer_is_a_folder_whose_children_name_other_apps():
    layout = build_layout(SALEOR_LIKE)
    assert layout.root == "saleor"
    assert layout.layers == {"graphql"}
    # plugins/webhook names one app only: not a layer
    assert "plugins" in layout.apps and "plugins" not in layout.layers
    assert layout.app_of("saleor.graphql.order.types") == "order"
    assert layout.app_of("saleor.graphql.core.types") == "core"
    assert layout.app_of("saleor.graphql.meta.types") == "graphql"  # no 'meta' app
    assert layout.app_of("saleor.plugins.webhook.plugin") == "plugins"
    assert layout.layer_of("saleor.graphql.order.types") == "graphql"
    assert layout.layer_of("saleor.graphql.meta.types") is None
    assert layout.layer_of("saleor.order.models") is None
    assert layout.app_of("saleor") == "saleor" and layout.app_of("manage") == "manage"


def test_an_admin_folder_of_app_named_modules_is_a_layer():
    modules = ["shop.orders.models", "shop.orders.views", "shop.catalog.models", "shop.catalog.views",
               "shop.admin.orders_admin", "shop.admin.catalog_admin", "shop.admin.site"]
    layout = build_layout(modules)
    assert layout.layers == {"admin"}
    assert layout.app_of("shop.admin.orders_admin") == "orders"
    assert layout.app_of("shop.admin.site") == "admin"


def test_names_app_matches_tokens_and_plurals_but_never_itself():
    apps = {"order", "catalog", "accounts", "graphql"}
    assert names_app("order", apps) == "order"
    assert names_app("orders", apps) == "order"
    assert names_app("catalog_admin", apps) == "catalog"
    assert names_app("account", apps) == "accounts"
    assert names_app("graphql", apps, exclude="graphql") is None
    assert names_app("meta", apps) is None
    assert names_app("bus", {"bu"}) is None  # a short word is not stripped of its 's'


def test_service_names_come_from_the_app_and_layers_tell_twins_apart():
    layout = build_layout(SALEOR_LIKE)
    module_of = {m: m for m in SALEOR_LIKE}
    size = dict.fromkeys(SALEOR_LIKE, 10.0)
    groups = [
        {"saleor.order.models", "saleor.order.utils", "saleor.order.tasks"},
        {"saleor.graphql.order.types", "saleor.graphql.order.mutations"},
        {"saleor.product.models", "saleor.product.utils"},
        {"saleor.product.tasks"},
        {"saleor", "saleor.account.models"},
    ]
    names = name_services(groups, module_of, size, root=layout)
    # never 'saleor' (the root package), never a number while a path segment can tell them apart
    assert names == ["order", "order-graphql", "product", "product-tasks", "account"]


def test_deeper_segments_tell_services_apart_before_a_number():
    """cinder's drivers: ``volume``, ``volume-drivers`` and ``volume-drivers-dell-emc`` are
    taken by larger services, so the smaller ones of ``volume.drivers.dell_emc`` are told apart
    by the package below it (``powermax``, ``vnx``), not numbered."""
    layout = Layout(root="cinder", apps=frozenset({"volume"}), layers=frozenset())
    module_of = {
        "v": "cinder.volume.manager", "d": "cinder.volume.drivers.lvm", "e": "cinder.volume.drivers.dell_emc.common",
        "p": "cinder.volume.drivers.dell_emc.powermax.rest", "x": "cinder.volume.drivers.dell_emc.vnx.client",
    }
    size = {"v": 50.0, "d": 40.0, "e": 30.0, "p": 20.0, "x": 10.0}
    names = name_services([{"v"}, {"d"}, {"e"}, {"p"}, {"x"}], module_of, size, root=layout)
    assert names == ["volume", "volume-drivers", "volume-drivers-dell-emc", "volume-drivers-dell-emc-powermax",
                     "volume-drivers-dell-emc-vnx"]


def test_numbers_only_when_every_segment_is_taken():
    layout = Layout(root="shop", apps=frozenset({"orders"}), layers=frozenset())
    module_of = {"a": "shop.orders", "b": "shop.orders", "c": "shop.orders"}
    names = name_services([{"a"}, {"b"}, {"c"}], module_of, {"a": 3.0, "b": 2.0, "c": 1.0}, root=layout)
    assert names == ["orders", "orders-2", "orders-3"]


def test_services_cut_from_one_module_are_told_apart_by_their_members_names():
    """calibre-web's ``cps/admin.py`` was cut in three: ``admin``, ``admin-2``, ``admin-3``.
    The words their members' names share most tell them apart; plain verbs do not count."""
    layout = Layout(root="cps", apps=frozenset({"admin"}), layers=frozenset())
    groups = [{"cps.admin.edit_user", "cps.admin.new_user", "cps.admin.list_users", "cps.admin.add_restriction"},
              {"cps.admin.update_mailsettings", "cps.admin.edit_mailsettings", "cps.admin._config_int"},
              {"cps.admin.db_configuration", "cps.admin._db_configuration_result", "cps.admin.ajax_db_config"}]
    module_of = {n: "cps.admin" for g in groups for n in g}
    size = dict.fromkeys(module_of, 10.0) | {"cps.admin.edit_user": 40.0}
    names = name_services(groups, module_of, size, root=layout)
    assert names == ["admin", "admin-mailsettings", "admin-configuration"]


def test_a_member_word_the_name_already_holds_does_not_tell_services_apart():
    """calibre-web's views named ``admin`` (``admin``, ``admin_get_...``) gave ``admin-admin``."""
    layout = Layout(root="cps", apps=frozenset({"admin"}), layers=frozenset())
    groups = [{"cps.admin.edit_user", "cps.admin.new_user"},
              {"cps.admin.admin", "cps.admin.admin_mailsettings", "cps.admin.edit_mailsettings"}]
    module_of = {n: "cps.admin" for g in groups for n in g}
    size = dict.fromkeys(module_of, 10.0) | {"cps.admin.edit_user": 80.0, "cps.admin.admin": 30.0}
    assert name_services(groups, module_of, size, root=layout) == ["admin", "admin-mailsettings"]


def test_the_app_prior_ties_layered_units_to_the_app_they_serve():
    analysis, _ = layered.generate()
    index = MemberIndex.build(analysis.symbols)
    layout = build_layout({s.module for s in analysis.symbols})
    edges = clustering_edges(analysis.symbols, analysis.edges, index.unit_of, DEFAULT_WEIGHTS, layout,
                             {e.id: e.model for e in analysis.entities})
    app = DEFAULT_WEIGHTS["app"]
    assert edges[(f"{ANCHOR_PREFIX}order", "mall.graphql.order.types.OrderType")] == app
    assert edges[(f"{ANCHOR_PREFIX}order", "mall.order.actions.create")] == app
    assert edges[(f"{ANCHOR_PREFIX}order", "mall.order")] == app  # the package's own init too
    # modules directly under the root are no app: no anchor; the layer's own modules keep theirs
    anchored = {b for (a, b) in edges if a.startswith(ANCHOR_PREFIX)}
    assert "mall.settings" not in anchored and "manage" not in anchored
    assert edges[(f"{ANCHOR_PREFIX}graphql", "mall.graphql.api")] == app
    # a weight of 0 switches the prior off
    off = clustering_edges(analysis.symbols, analysis.edges, index.unit_of, resolve_weights({"app": 0}), layout)
    assert not any(a.startswith(ANCHOR_PREFIX) for a, _ in off)


def test_spread_damping_counts_apps_not_folders():
    analysis, _ = layered.generate()
    index = MemberIndex.build(analysis.symbols)
    layout = build_layout({s.module for s in analysis.symbols})
    edges = clustering_edges(analysis.symbols, analysis.edges, index.unit_of, DEFAULT_WEIGHTS, layout)
    # create() is used from its own actions module and from graphql/order: one app, no damping
    assert edges[("mall.graphql.order.mutations.CreateOrder", "mall.order.actions.create")] == pytest.approx(2.0)
    # the next app's type is used from two apps (its own mutation, the order type): damped by sqrt(2)
    assert edges[("mall.graphql.order.types.OrderType", "mall.graphql.product.types.ProductType")] == (
        pytest.approx(2 / 2 ** 0.5))


def test_a_folder_of_nothing_but_packages_is_a_namespace_of_apps():
    modules = ["cms", "cms.contrib", "cms.contrib.forms.models", "cms.contrib.forms.views",
               "cms.contrib.redirects.models", "cms.contrib.redirects.middleware",
               "cms.pages.models", "cms.pages.views", "cms.images.models", "cms.images.views"]
    layout = build_layout(modules)
    assert layout.namespaces == {"contrib"}
    assert {"forms", "redirects", "pages", "images"} <= layout.apps and "contrib" not in layout.apps
    assert layout.app_of("cms.contrib.forms.views") == "forms"
    assert layout.app_of("cms.contrib") == "contrib"  # the namespace's own init belongs to no app


def test_a_folder_of_apps_with_a_few_glue_modules_is_a_namespace_still():
    """ecommerce's ``extensions/``: Oscar apps, and the ``urls.py``, ``config.py`` and
    ``utils.py`` that wire them up. The apps are apps (``basket``, not ``extensions-basket``);
    the glue modules belong to the folder. A folder with a module that is no glue, or with
    as many modules as packages, holds one app."""
    apps = ("basket", "checkout", "order", "payment", "voucher", "offer")
    modules = ["shop", "shop.extensions", "shop.extensions.urls", "shop.extensions.config", "shop.extensions.utils",
               *[f"shop.extensions.{a}.{m}" for a in apps for m in ("models", "views")],
               *[f"shop.{a}.{m}" for a in ("core", "courses", "programs") for m in ("models", "views", "api")]]
    layout = build_layout(modules)
    assert layout.namespaces == {"extensions"}
    assert layout.loose == {("extensions", "urls"), ("extensions", "config"), ("extensions", "utils")}
    assert set(apps) | {"extensions", "core"} <= layout.apps
    assert layout.app_of("shop.extensions.basket.views") == "basket"
    assert layout.app_of("shop.extensions.urls") == "extensions"
    module_of = {m: m for m in modules}
    names = name_services([{"shop.extensions.basket.models", "shop.extensions.basket.views"},
                           {"shop.extensions.urls", "shop.extensions.utils"}], module_of, {}, root=layout)
    assert names == ["basket", "extensions"]

    not_glue = build_layout([*modules, "shop.extensions.pricing"])
    assert not_glue.namespaces == frozenset() and not_glue.app_of("shop.extensions.basket.views") == "extensions"
    two_apps = [m for m in modules if ".offer." not in m and ".voucher." not in m and ".payment." not in m
                and ".order." not in m]
    assert build_layout(two_apps).namespaces == frozenset()  # two packages and three modules


def test_a_folder_named_for_apps_deeper_down_is_a_namespace_of_apps():
    """kpi's ``kobo/apps/``: fifteen Django apps one level below a top-level package, beside
    ``kpi/`` and ``hub/``. Each is an app (``hook``, not ``kobo-apps-hook``). A deeper folder
    of packages named otherwise (``accounts/backends/``) stays its app's structure."""
    modules = [*[f"kobo.apps.{a}.{m}" for a in ("hook", "help", "openrosa") for m in ("models", "views")],
               "kobo.settings", "kobo.urls",
               *[f"accounts.backends.{b}.client" for b in ("ldap", "saml")], "accounts.models",
               *[f"hub.{m}" for m in ("models", "views", "admin")]]
    layout = build_layout(modules)
    assert layout.nested == {("kobo", "apps")}
    assert {"hook", "help", "openrosa"} <= layout.apps
    assert layout.app_of("kobo.apps.hook.views") == "hook"
    assert layout.app_of("kobo.settings") == "kobo"
    assert layout.app_of("accounts.backends.ldap.client") == "accounts"
    module_of = {m: m for m in modules}
    names = name_services([{"kobo.apps.hook.models"}, {"kobo.apps.hook.views"}, {"kobo.settings", "kobo.urls"}],
                          module_of, {"kobo.apps.hook.models": 5.0}, root=layout)
    assert names == ["hook", "hook-views", "kobo"]



def test_packages_of_an_app_that_define_their_own_data_are_apps():
    """taiga's ``projects/``: an app (``Project`` in its ``models.py``) that holds twenty apps
    of its own (``projects/epics/models.py``, ``projects/issues/models.py``), each listed in
    ``INSTALLED_APPS``. Each is an app (``epics``), named without its parent; the parent keeps
    what sits beside them. Test models, a lone child with data, and a child named like an app
    elsewhere stay where they are."""
    modules = ["t.projects", "t.projects.models", "t.projects.services", "t.projects.epics",
               *[f"t.projects.{a}.{m}" for a in ("epics", "issues", "wiki") for m in ("models", "api", "services")],
               "t.projects.tests.models", "t.projects.users.models",
               *[f"t.users.{m}" for m in ("models", "api", "forms", "admin", "views", "services")],
               "t.auth.models", "t.auth.tokens.models", "t.auth.backends", "t.auth.api", "t.auth.views"]
    data = [m for m in modules if m.endswith(".models")]
    layout = build_layout(modules, data)
    assert layout.subapps == {(("projects",), a) for a in ("epics", "issues", "wiki")}
    assert {"epics", "issues", "wiki", "projects", "users", "auth"} <= layout.apps
    assert layout.app_of("t.projects.epics.api") == "epics"
    assert layout.app_of("t.projects.epics") == "epics"  # the package itself
    assert layout.app_of("t.projects.services") == "projects"
    assert layout.app_of("t.projects.tests.models") == "projects"
    assert layout.app_of("t.projects.users.models") == "projects"  # ``users`` is an app already
    assert layout.app_of("t.auth.tokens.models") == "auth"  # one child with data is the app's own
    assert build_layout(modules).subapps == frozenset()  # no data named: no sub-apps
    module_of = {m: m for m in modules}
    names = name_services([{"t.projects.epics.models", "t.projects.epics.api"}, {"t.projects.epics.services"},
                           {"t.projects.models", "t.projects.services"}], module_of,
                          {"t.projects.epics.models": 5.0}, root=layout)
    assert names == ["epics", "epics-services", "projects"]

def test_conventional_child_names_never_make_a_layer():
    # 'api', 'models' and 'blocks' are apps here, but also the usual module names of every app
    modules = [f"cms.{app}.{child}" for app in ("images", "documents", "snippets", "api", "models", "blocks")
               for child in ("models", "api", "blocks", "views")]
    layout = build_layout(modules)
    assert {"models", "api", "blocks"} <= layout.conventional
    assert layout.layers == frozenset()
    assert layout.app_of("cms.images.api") == "images"


def test_a_namespace_app_is_named_without_its_folder():
    modules = ["cms.contrib.forms.models", "cms.contrib.forms.views", "cms.contrib.redirects.models",
               "cms.contrib.redirects.views", "cms.pages.models", "cms.pages.views"]
    layout = build_layout(modules)
    module_of = {m: m for m in modules}
    groups = [{"cms.contrib.forms.models"}, {"cms.contrib.forms.views"}, {"cms.pages.models", "cms.pages.views"}]
    names = name_services(groups, module_of, {"cms.contrib.forms.models": 5.0}, root=layout)
    assert names == ["forms", "forms-views", "pages"]


# laid out by technical layer: the capabilities are the data modules' names, found again below
# other top-level folders (Plane's db/models/issue.py, app/views/issue/, bgtasks/issue_*_task.py)
PLANE_LIKE = [
    "plane", "plane.settings", "plane.urls",
    *[f"plane.db.models.{f}" for f in ("issue", "cycle", "page", "base")], "plane.db.management.wait",
    *[f"plane.app.views.{f}.base" for f in ("issue", "cycle", "page")], "plane.app.views.base",
    *[f"plane.app.serializers.{f}" for f in ("issue", "cycle", "page", "base")], "plane.app.permissions",
    "plane.bgtasks.issue_activities_task", "plane.bgtasks.page_sync_task", "plane.bgtasks.cleanup_task",
    "plane.utils.dates", "plane.utils.paginator",
]
PLANE_DATA = [f"plane.db.models.{f}" for f in ("issue", "cycle", "page", "base")]


def test_features_cut_across_the_layers_of_a_tree_laid_out_by_layer():
    layout = build_layout(PLANE_LIKE, PLANE_DATA)
    assert layout.features == {"issue", "cycle", "page"}  # 'base' is generic, not a capability
    assert layout.sliced == {"db", "app", "bgtasks"}  # utils names no feature
    assert layout.app_of("plane.app.views.issue.base") == "issue"
    assert layout.app_of("plane.app.serializers.cycle") == "cycle"
    assert layout.app_of("plane.db.models.page") == "page"
    assert layout.app_of("plane.bgtasks.issue_activities_task") == "issue"  # a token of the name
    assert layout.app_of("plane.app.permissions") == "app"  # names no feature: stays with its folder
    assert layout.app_of("plane.bgtasks.cleanup_task") == "bgtasks"
    assert layout.app_of("plane.utils.dates") == "utils"
    # without knowing which modules define data, the same tree has no features
    assert build_layout(PLANE_LIKE).features == frozenset()


def test_twins_of_a_feature_are_told_apart_by_their_top_level_folder():
    layout = build_layout(PLANE_LIKE, PLANE_DATA)
    module_of = {m: m for m in PLANE_LIKE}
    size = dict.fromkeys(PLANE_LIKE, 10.0)
    groups = [
        {"plane.db.models.issue", "plane.app.views.issue.base", "plane.app.serializers.issue"},
        {"plane.bgtasks.issue_activities_task"},
        {"plane.db.models.cycle", "plane.app.views.cycle.base"},
    ]
    assert name_services(groups, module_of, size, root=layout) == ["issue", "issue-bgtasks", "cycle"]


def test_an_app_laid_out_tree_has_no_features():
    data = [f"saleor.{app}.models" for app in ("order", "product", "account")]
    assert build_layout(SALEOR_LIKE, data).features == frozenset()
    # split models named after nothing elsewhere are no features either
    split = ["shop.orders.models.order", "shop.orders.models.item", "shop.orders.views", "shop.cart.views"]
    assert build_layout(split, split[:2]).sliced == frozenset()


def test_a_package_whose_other_modules_were_skipped_keeps_its_folder_a_namespace():
    # pretix's retired plugins/paypal/ holds an __init__.py and migrations only: by name alone
    # it looks like a module, and plugins/ would be one app of fifteen plugins
    modules = ["shop.plugins", "shop.plugins.stripe.payment", "shop.plugins.stripe.views",
               "shop.plugins.banktransfer.views", "shop.plugins.paypal",
               *[f"shop.base.{m}" for m in ("models", "views", "forms", "services")],
               *[f"shop.control.{m}" for m in ("views", "forms")]]
    assert build_layout(modules).namespaces == frozenset()
    layout = build_layout(modules, package_modules=["shop", "shop.plugins", "shop.plugins.paypal",
                                                    "shop.plugins.stripe", "shop.plugins.banktransfer"])
    assert layout.namespaces == {"plugins"}
    assert layout.app_of("shop.plugins.stripe.views") == "stripe"


# laid out by layer, with the features' data in a folder that holds much else (pretix's base/)
PRETIX_LIKE = [
    "shop", *[f"shop.base.models.{f}" for f in ("orders", "items", "vouchers")],
    *[f"shop.base.services.{f}" for f in ("orders", "mail", "cart")],
    *[f"shop.base.{m}" for m in ("pdf", "email", "signals", "settings", "i18n", "cache", "channels", "payment")],
    *[f"shop.control.views.{f}" for f in ("orders", "items", "vouchers", "dashboards")],
    *[f"shop.api.views.{f}" for f in ("order", "item", "voucher")],
]
PRETIX_DATA = [f"shop.base.models.{f}" for f in ("orders", "items", "vouchers")]


def test_modules_of_the_features_home_name_services_after_their_feature():
    layout = build_layout(PRETIX_LIKE, PRETIX_DATA)
    assert layout.sliced == {"control", "api"} and layout.homes == {"base"}
    assert layout.app_of("shop.base.services.orders") == "base"  # clustering still sees the folder
    assert layout.feature_of("shop.base.services.orders") == "orders"
    assert layout.feature_of("shop.base.models.items") == "items"
    assert layout.feature_of("shop.base.pdf") is None
    module_of = {m: m for m in PRETIX_LIKE}
    size = dict.fromkeys(PRETIX_LIKE, 10.0)
    groups = [
        {"shop.base.services.orders", "shop.base.models.orders", "shop.base.pdf", "shop.control.views.orders"},
        {"shop.base.models.items", "shop.base.email", "shop.control.views.items"},
        {"shop.base.signals", "shop.base.settings", "shop.base.i18n", "shop.base.cache"},
        {"shop.base.services.cart", "shop.base.channels"},
    ]
    # before: base-services, base-models, base, base-services-cart
    assert name_services(groups, module_of, size, root=layout) == ["orders", "items", "base", "base-channels"]


# features as folders of a models folder, named again below routes/, schema/ and services/ (mealie)
MEALIE_LIKE = [
    "app", *[f"app.db.models.recipe.{m}" for m in ("recipe", "comment", "tag")],
    *[f"app.db.models.household.{m}" for m in ("household", "shopping_list")], "app.db.init_db",
    *[f"app.routes.recipe.{m}" for m in ("crud", "comments")], "app.routes.households.shopping_lists",
    "app.routes.admin", *[f"app.schema.recipe.{m}" for m in ("recipe", "comments")],
    "app.schema.household.household", "app.schema.response",
    "app.services.recipe.recipe_service", "app.services.household_services.shopping_lists",
    "app.core.config", "app.core.security",
]
MEALIE_DATA = [m for m in MEALIE_LIKE if m.startswith("app.db.models.")]


def test_the_folders_of_a_models_folder_are_features_even_where_their_name_is_everywhere():
    layout = build_layout(MEALIE_LIKE, MEALIE_DATA)
    # 'recipe' is a child of routes/, schema/, services/: a convention by count, yet the capability
    assert {"recipe", "household"} <= layout.features
    assert layout.app_of("app.routes.recipe.comments") == "recipe"
    assert layout.app_of("app.db.models.recipe.comment") == "recipe"  # the folder before the file
    assert layout.app_of("app.schema.household.household") == "household"
    assert layout.app_of("app.services.recipe.recipe_service") == "recipe"
    assert layout.app_of("app.routes.households.shopping_lists") == "household"
    assert layout.app_of("app.routes.admin") == "routes"
    assert layout.app_of("app.core.config") == "core"


# a top-level models/ package whose files name the capabilities that api/ and lib/ repeat
PRIVACYIDEA_LIKE = [
    "idp", "idp.app", *[f"idp.models.{f}" for f in ("token", "policy", "realm", "db")],
    *[f"idp.api.{f}" for f in ("token", "policy", "realm", "auth")],
    *[f"idp.lib.{f}" for f in ("token", "policy", "realm", "utils", "crypto")],
    *[f"idp.lib.tokens.{t}" for t in ("hotp", "totp")],
    *[f"shop.orders.{m}" for m in ("models", "views")],
]
PRIVACYIDEA_DATA = [f"idp.models.{f}" for f in ("token", "policy", "realm")]


def test_a_top_level_models_package_names_the_features_its_layers_repeat():
    layout = build_layout([m for m in PRIVACYIDEA_LIKE if m.startswith("idp")], PRIVACYIDEA_DATA)
    # token, policy and realm are children of models/, api/ and lib/: conventions by count
    assert {"token", "policy", "realm"} <= layout.features
    assert layout.app_of("idp.api.token") == layout.app_of("idp.lib.token") == "token"
    assert layout.app_of("idp.lib.tokens.hotp") == "token"
    assert layout.app_of("idp.models.policy") == "policy"
    assert layout.app_of("idp.lib.utils") == "lib"
    # an app's own models.py names no feature
    assert build_layout(["shop.orders.models", "shop.orders.views", "shop.cart.models", "shop.cart.views",
                         "shop.users.models", "shop.users.views"],
                        ["shop.orders.models", "shop.cart.models"]).features == frozenset()


def test_a_models_subfolder_named_after_its_own_app_is_no_feature():
    # jumpserver: assets/models/asset/ is the assets app's own data, which perms/ refers to
    modules = [*[f"assets.models.asset.{m}" for m in ("common", "host")], "assets.models.node", "assets.views",
               "assets.api.asset", "perms.models.asset_permission", "perms.api.asset", "perms.views",
               "users.models.user", "users.views", "users.api.user"]
    data = ["assets.models.asset.common", "assets.models.asset.host", "users.models.user",
            "perms.models.asset_permission"]
    layout = build_layout(modules, data)
    assert "asset" not in layout.features and "user" not in layout.features
    assert layout.app_of("assets.api.asset") == "assets" and layout.app_of("perms.api.asset") == "perms"


def test_an_app_inside_the_features_home_is_told_apart_by_its_own_segments():
    """awx: no root package; ``awx/main/models/`` splits the features' data (jobs, inventory)
    that the collection's ``plugins/modules/`` name again, so ``awx/`` is their home, while
    ``awx.main`` stays an app of its own. A service of ``main`` is told apart by what
    follows ``main`` (``main-dispatch``), not by the home folder's name (it was
    ``main-awx``)."""
    modules = ["awx", "awx.urls", *[f"awx.main.models.{f}" for f in ("jobs", "inventory", "credential")],
               "awx.main.access", "awx.main.dispatch.pool", "awx.conf.models", "awx.conf.views", "awx.api.views",
               *[f"coll.plugins.modules.{f}" for f in ("jobs_launch", "inventory", "credential", "settings")],
               "coll.plugins.module_utils.api", "kit.api.pages", "kit.cli.format"]
    layout = build_layout(modules, [m for m in modules if ".models" in m])
    assert "awx" in layout.homes and layout.app_of("awx.main.dispatch.pool") == "main"
    groups = [{"awx.main.access"}, {"awx.main.dispatch.pool"}, {"awx.main.models.jobs"}]
    names = name_services(groups, {m: m for m in modules}, dict.fromkeys(modules, 10.0), root=layout)
    assert names == ["main", "main-dispatch", "jobs"]


def test_an_app_whose_name_says_nothing_is_named_by_what_follows_it():
    """arches keeps nearly everything in ``arches/app/``: its services were ``app``,
    ``app-models``, ``app-views``. ``app`` (``NAMELESS_APPS``), holding a third of the tree
    or more, names no service while a segment below it can (``arches/app/tasks.py``:
    ``tasks``); an app of that name among many is named for what it does."""
    modules = ["arches", "arches.settings", "arches.urls", *[f"arches.app.{p}.{m}" for p in ("models", "views", "utils")
                                                            for m in ("a", "b")],
               "arches.app.tasks", "arches.management.commands.load"]
    layout = build_layout(modules)
    assert layout.app_of("arches.app.views.a") == "app"
    groups = [{"arches.app.models.a", "arches.app.models.b"}, {"arches.app.views.a", "arches.app.views.b"},
              {"arches.app.tasks"}, {"arches.management.commands.load"}]
    names = name_services(groups, {m: m for m in modules}, dict.fromkeys(modules, 10.0), root=layout)
    assert names == ["models", "views", "tasks", "management"]
    # saleor's app/ (third-party apps) is one app among many: a capability of that name
    shop = [f"shop.{a}.{m}" for a in ("app", "order", "product", "checkout") for m in ("models", "views", "tasks")]
    layout = build_layout(shop)
    groups = [{"shop.app.models", "shop.app.tasks"}, {"shop.app.views"}, {"shop.order.models"}]
    names = name_services(groups, {m: m for m in shop}, dict.fromkeys(shop, 10.0), root=layout)
    assert names == ["app", "app-views", "order"]


def test_a_service_of_many_small_apps_of_one_folder_is_named_after_the_folder():
    """dispatch's ``plugins/``: a service of a dozen small integrations, none the bulk of it,
    was named after the largest (``bases``). A folder whose name says nothing (``apps``)
    names no service; a service one app dominates keeps that app's name."""
    plugins = ("bases", "zoom", "duo", "pagerduty", "slack")
    modules = [f"d.plugins.{p}.{m}" for p in plugins for m in ("plugin", "config")]
    modules += [f"d.apps.{a}.{m}" for a in ("hook", "kpi", "audit") for m in ("models", "views")]
    modules += ["d.incident.models", "d.incident.views"]
    layout = build_layout(modules)
    assert {"plugins", "apps"} <= layout.namespaces
    size = dict.fromkeys(modules, 10.0)
    groups = [{m for m in modules if m.startswith(("d.plugins.bases", "d.plugins.zoom", "d.plugins.duo",
                                                    "d.plugins.pagerduty"))},
              {m for m in modules if m.startswith("d.plugins.slack")},
              {m for m in modules if m.startswith("d.apps.")},
              {"d.incident.models", "d.incident.views"}]
    names = name_services(groups, {m: m for m in modules}, size, root=layout)
    assert names == ["plugins", "slack", "audit", "incident"]


def test_a_service_told_apart_by_a_layer_alone_is_named_by_the_data_it_holds():
    """mediacms' ``files`` app, cut in five, gave ``files-forms`` to the slice holding its
    subtitles: a layer's name for a slice that is no layer. A slice holding no entity keeps
    its layer's name; a word another name says (singular or plural) is not taken."""
    layout = Layout(root="media", apps=frozenset({"files"}), layers=frozenset())
    main = ["media.files.views.MediaList", "media.files.views.media_detail", "entity:media.files.models.Media"]
    subtitles = ["media.files.forms.SubtitleForm", "media.files.forms.edit_subtitle", "media.files.forms.LanguageForm",
                 "entity:media.files.models.Subtitle", "entity:media.files.models.Language"]
    feeds = ["media.files.urls.feed", "media.files.urls.rss"]
    module_of = {n: (n.split(":", 1)[1].rsplit(".", 1)[0] if n.startswith("entity:") else n.rsplit(".", 1)[0])
                 for n in main + subtitles + feeds}
    size = dict.fromkeys(module_of, 10.0) | {"media.files.views.MediaList": 200.0, "media.files.forms.SubtitleForm": 40.0}
    assert name_services([main, subtitles, feeds], module_of, size, root=layout) == \
        ["files", "files-subtitle", "files-urls"]
    jobs = ["media.files.jobs.run", "media.files.jobs.JobRunner"]
    module_of |= {n: "media.files.jobs" for n in jobs}
    size |= dict.fromkeys(jobs, 5.0)
    job_slice = ["media.files.models.JobForm", "media.files.models.job_log", "entity:media.files.models.Job"]
    module_of |= {"media.files.models.JobForm": "media.files.models", "media.files.models.job_log": "media.files.models",
                  "entity:media.files.models.Job": "media.files.models"}
    size |= dict.fromkeys(job_slice, 10.0)
    names = name_services([main, job_slice, jobs], module_of, size, root=layout)
    assert names == ["files", "files-models", "files-jobs"]  # not ``files-job`` beside ``files-jobs``
    # a table the slice only writes, which none of its code's names speaks of, names nothing
    # (paperless' management commands writing allauth's ``socialaccount_socialaccount``)
    commands = ["media.files.management.export.Command", "media.files.management.purge.Command",
                "entity:table:socialaccount_socialaccount"]
    module_of |= {"media.files.management.export.Command": "media.files.management.export",
                  "media.files.management.purge.Command": "media.files.management.purge",
                  "entity:table:socialaccount_socialaccount": "media.files.management.export"}
    size |= dict.fromkeys(commands, 10.0)
    names = name_services([main, commands], module_of, size, root=layout)
    assert names == ["files", "files-management"]
