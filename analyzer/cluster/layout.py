"""The package layout of a monolith: its root package, its apps and its layered folders.

Clustering, naming and the shared-library rules all ask "which capability does this module's
path point to?". Five facts about the tree answer it, derived from module names (and, for features,
from which modules define data):

``root``        the package nearly everything lives in. It is the common prefix of all
                modules, extended while one package below it holds at least ``ROOT_SHARE``
                of the modules below and has sub-packages: a ``manage.py`` or a
                ``conftest.py`` beside ``saleor/`` must not turn every module's first segment
                into ``saleor``.
``namespaces``  folders directly below the root holding nothing but (at least
                ``NAMESPACE_MIN_APPS``) packages, like Django's ``contrib/`` or an ``apps/``
                folder: each of their packages is an app of its own. A few glue modules
                beside the packages (``NAMESPACE_GLUE``: ecommerce's ``extensions/`` holds 19
                Oscar apps and its ``urls.py``, ``config.py`` and ``utils.py``) leave it a
                namespace; those modules (``loose``) belong to the folder's own app. Deeper
                down, a folder named for apps (``NESTED_NAMESPACE_NAMES``: kpi's
                ``kobo/apps/``, shuup's ``front/apps/``) holding nothing but packages is a
                namespace too (``nested``): a folder of packages named otherwise (``api/v1``,
                ``backends/``) is one app's technical structure. A package whose only
                modules were skipped (pretix's retired ``plugins/paypal/``: its
                ``__init__.py`` and migrations) is a package still, when the caller names
                the packages.
``apps``        the other packages directly below the root (``order``, ``product``), and
                the packages of the namespaces (``contrib/forms`` -> ``forms``).
``subapps``     packages inside an app that define data of their own (``app/child/models``),
                when at least ``NAMESPACE_MIN_APPS`` of one app's children do: each is an app
                of its own, as Django's ``INSTALLED_APPS`` lists ``taiga.projects.epics``
                beside ``taiga.projects`` (and indico's ``events/papers/models/``). Their
                parent keeps the modules beside them. A child named like an app elsewhere
                in the tree, or under two apps, stays in its parent: two apps must not
                share an anchor.
``layers``      folders whose children are mostly named after *other* apps: a technical
                layer such as ``graphql/order/``, ``api/product/`` or
                ``admin/catalog_admin.py``. A module there belongs to the app its next segment
                names. Child names that ``CONVENTIONAL_USES`` or more folders share
                (``models``, ``api``, ``utils``) are conventions, not references to an app of
                that name, so ``images/api/`` never makes ``images`` a layer.

``features``    capabilities that cut across technical top-level folders, in a tree laid out
                by layer rather than by app (Plane: ``db/models/issue.py``,
                ``app/views/issue/``, ``app/serializers/issue.py``, ``bgtasks/issue_*_task.py``).
                A feature is the name of a module defining data in a models folder
                (``db/models/issue.py``, not an app's ``models.py``), or of a folder of such
                modules below it (mealie's ``db/models/recipe/comment.py``: ``recipe`` before
                ``comment``), that modules of other top-level folders are named after too;
                a feature's name counts even where so many folders hold a child of that
                name that it passes for a convention. ``sliced`` are the top-level folders
                where at least ``SLICED_SHARE`` of the modules name one of at least
                ``LAYER_MIN_APPS`` features; a module there belongs to the feature its path
                names first, below the folder. ``homes`` are the folders defining the
                features' data; when one is not sliced (pretix's ``base/`` holds much else
                beside ``models/orders.py`` and ``services/orders.py``), its modules keep
                their app, and :meth:`Layout.feature_of` still tells which feature their
                path names, for names. Features are only looked for when the caller says
                which modules define data.

A child segment names an app when it equals the app's name, a ``_``-separated token of it
does (``catalog_admin`` -> ``catalog``), or either differs from the other by a final ``s``
(``orders_admin`` -> ``order``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from analyzer.discover import MIGRATION_DIRS, TEST_DIRS

ROOT_SHARE = 0.9  # a package holding this share of the modules is the root, not an app
# ... or this share, when it is this many times the next largest beside it (Polar's ``polar``
# beside its ``scripts``, mitmproxy's beside a folder of example scripts)
DOMINANT_SHARE, DOMINANCE = 0.75, 5
LAYER_MIN_APPS = 2  # a layer names at least this many other apps ...
LAYER_SHARE = 1 / 3  # ... and they are at least this share of its child segments
NAMESPACE_MIN_APPS = 2  # a folder of nothing but this many packages holds apps, not one app
# modules a folder of apps may hold beside them and stay a namespace (at most one per
# ``NAMESPACE_GLUE_RATIO`` packages): they wire the apps up, they are none of them
NAMESPACE_GLUE = frozenset({"urls", "routes", "routing", "config", "conf", "settings", "utils", "helpers",
                            "constants", "apps", "signals", "exceptions"})
NAMESPACE_GLUE_RATIO = 2
NESTED_NAMESPACE_NAMES = frozenset({"apps", "contrib", "plugins", "addons", "extensions"})
CONVENTIONAL_USES = 3  # a child name found in this many folders is a convention (models, api)
SLICED_SHARE = 1 / 3  # a top-level folder is sliced by feature when this share of its modules name one
MODEL_FOLDERS = frozenset({"models", "model", "entities", "tables"})  # folders of data modules
# test models, migrations and fixtures define data of no sub-app (the folders discovery names so)
NOT_APPS = frozenset(TEST_DIRS | MIGRATION_DIRS | {"fixtures"})
GENERIC = frozenset({"abstract", "base", "common", "core", "generic", "helpers", "mixins", "utils"})  # never features


def common_root(modules: Iterable[str]) -> str:
    """The longest dotted prefix shared by every module ('' when there is none)."""
    names = sorted(modules)
    if not names:
        return ""
    first, last = names[0].split("."), names[-1].split(".")
    common = []
    for a, b in zip(first, last):
        if a != b:
            break
        common.append(a)
    root = ".".join(common)
    # a root equal to a whole module name that is the only module has no package below it
    if root == names[-1] and len(names) == 1:
        return root.rsplit(".", 1)[0] if "." in root else ""
    return root


def project_root(modules: Iterable[str]) -> str:
    """The root package: the common prefix, extended into a package holding nearly all
    modules, or most of them and far more than anything beside it.

    Examples
    --------
    >>> shop = ["shop"] + [f"shop.{app}.{m}" for app in ("cart", "orders") for m in ("models", "views", "api")]
    >>> project_root(["manage", *shop, "shop.cart", "shop.orders"])
    'shop'
    >>> project_root(["dcim.models", "ipam.models", "netbox.settings"])
    ''
    """
    names = sorted(set(modules))
    root = common_root(names)
    while True:
        depth = len(root.split(".")) if root else 0
        below: dict[str, list[str]] = defaultdict(list)
        for m in names:
            parts = m.split(".")
            if len(parts) > depth and (not root or parts[:depth] == root.split(".")):
                below[parts[depth]].append(m)
        if not below:
            return root
        ranked = sorted(below.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        head, members = ranked[0]
        runner_up = len(ranked[1][1]) if len(ranked) > 1 else 0
        total = sum(len(v) for v in below.values())
        children = {m.split(".")[depth + 1] for m in members if m.count(".") > depth}
        dominant = len(members) >= ROOT_SHARE * total or \
            (len(members) >= DOMINANT_SHARE * total and len(members) >= DOMINANCE * runner_up)
        if not dominant or len(children) < 2:
            return root
        root = f"{root}.{head}" if root else head


def segments(module: str, root: str) -> list[str]:
    """The names of ``module`` below ``root`` (the module's own last name when it is the root)."""
    if root and module == root:
        return [module.rsplit(".", 1)[-1]]
    if root and module.startswith(root + "."):
        return module[len(root) + 1:].split(".")
    return module.split(".")


def package_segment(module: str, root: str) -> str:
    """The first name below the root package: ``shop.orders.models`` -> ``orders``."""
    return segments(module, root)[0]


def _variants(word: str) -> list[str]:
    out = [word]
    out.append(word[:-1] if word.endswith("s") and len(word) > 3 else word + "s")
    return out


def names_app(segment: str, apps: Collection[str], *, exclude: str = "") -> str | None:
    """The app a path segment names (``catalog_admin`` -> ``catalog``), or ``None``. Only
    membership is asked of ``apps`` (a set or a mapping: features may be hundreds).

    Examples
    --------
    >>> names_app("orders_admin", {"order", "cart"})
    'order'
    >>> names_app("meta", {"order"}) is None
    True
    """
    for word in [segment, *[t for t in segment.split("_") if t and t != segment]]:
        for v in _variants(word):
            if v != exclude and v in apps:
                return v
    return None


@dataclass(frozen=True)
class Layout:
    """Root package, apps, layered folders and namespaces of one tree (see the module
    docstring)."""

    root: str
    apps: frozenset[str]
    layers: frozenset[str]
    namespaces: frozenset[str] = frozenset()
    conventional: frozenset[str] = frozenset()  # child names many apps share (models, api, utils)
    features: frozenset[str] = frozenset()
    sliced: frozenset[str] = frozenset()  # top-level folders whose modules belong to features
    homes: frozenset[str] = frozenset()  # top-level folders defining the features' data
    loose: frozenset[tuple[str, str]] = frozenset()  # (namespace, glue module) beside its apps
    nested: frozenset[tuple[str, str]] = frozenset()  # (app, folder of apps) deeper down
    subapps: frozenset[tuple[tuple[str, ...], str]] = frozenset()  # (path of an app, child defining data)

    def app_depth(self, segs: list[str]) -> int:
        """How many segments lead to a path's app (1: ``contrib/forms``, 2: ``kobo/apps/hook``,
        1: ``projects/epics`` when ``epics`` is a sub-app), 0 when the first segment is the
        app; a namespace's glue module sits in none."""
        depth = 0
        if len(segs) > 2 and (segs[0], segs[1]) in self.nested:
            depth = 2
        elif len(segs) > 1 and segs[0] in self.namespaces and (segs[0], segs[1]) not in self.loose:
            depth = 1
        if self.subapps and len(segs) > depth + 1 and (tuple(segs[:depth + 1]), segs[depth + 1]) in self.subapps:
            return depth + 1
        return depth

    def _named(self, top: str, child: str) -> str | None:
        if top not in self.layers or child in self.conventional:
            return None
        return names_app(child, self.apps, exclude=top)

    def app_of(self, module: str) -> str:
        """The app a module belongs to by its path: ``saleor.graphql.order.types`` -> ``order``
        when ``graphql`` is a layer and ``order`` an app, ``wagtail.contrib.forms.models`` ->
        ``forms`` when ``contrib`` is a namespace; else the first segment below the root."""
        segs = segments(module, self.root)
        if len(segs) > 1:
            if segs[0] in self.sliced:  # before namespaces: db/ of nothing but models/ and management/
                feature = _feature(segs, self.features, self.conventional)
                if feature is not None:
                    return feature
            depth = self.app_depth(segs)
            if depth:
                return segs[depth]
            named = self._named(segs[0], segs[1])
            if named is not None:
                return named
        return segs[0]

    def feature_of(self, module: str) -> str | None:
        """The feature a module's path names when it sits in a sliced folder or in the folder
        defining the features' data (``base/services/orders`` -> ``orders``), else ``None``."""
        segs = segments(module, self.root)
        if len(segs) > 1 and (segs[0] in self.sliced or segs[0] in self.homes):
            return _feature(segs, self.features, self.conventional)
        return None

    def layer_of(self, module: str) -> str | None:
        """The layer folder a module sits in when its path names another app, else ``None``."""
        segs = segments(module, self.root)
        if len(segs) > 1 and self._named(segs[0], segs[1]) is not None:
            return segs[0]
        return None


def _feature(segs: list[str], features: Collection[str], conventional: frozenset[str]) -> str | None:
    """The first feature a path names below its top-level folder (conventions skipped, unless
    the convention is a feature's own name: mealie's ``recipe/`` sits below ``routes/``,
    ``schema/`` and ``services/`` alike because it is the capability)."""
    for seg in segs[1:]:
        if seg not in conventional or seg in features:
            found = names_app(seg, features)
            if found is not None:
                return found
    return None


def _features(names: list[str], root: str, data_modules: Iterable[str], apps: frozenset[str],
              conventional: frozenset[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """``(features, sliced, homes)`` of a tree (see the module docstring)."""
    homes: dict[str, str] = {}  # feature candidate -> the top-level folder defining its data
    for m in sorted(data_modules):
        segs = segments(m, root)
        if len(segs) < 3 and not (len(segs) == 2 and segs[0] in MODEL_FOLDERS):
            continue  # an app's own models.py names the app, not a feature (a top-level models/ does)
        # a models folder's subfolders name features before the files in them do
        # (mealie's db/models/recipe/comment.py: recipe, then comment)
        at = next((i for i, seg in enumerate(segs[1:-1], start=1) if seg in MODEL_FOLDERS), None)
        in_models = at is not None or segs[0] in MODEL_FOLDERS
        for name in [*(segs[at + 1:-1] if at is not None else []), segs[-1]]:
            if name in apps or name in GENERIC or name in MODEL_FOLDERS or name.startswith("_"):
                continue
            # a file named like a child of many folders is a convention (an app's admin.py),
            # unless it sits in a models folder: privacyidea's models/token.py beside
            # api/token.py and lib/token.py is the layering of one capability
            if name == segs[-1] and name in conventional and not in_models:
                continue
            if names_app(name, (segs[0],)) is not None:
                continue  # jumpserver's assets/models/asset/: the app's own name, not a feature in it
            homes.setdefault(name, segs[0])
    if not homes:
        return frozenset(), frozenset(), frozenset()
    named_from: dict[str, set[str]] = defaultdict(set)  # candidate -> other top-level folders naming it
    by_top: dict[str, list[str | None]] = defaultdict(list)  # top -> the candidate each module names
    for m in names:
        if root and not m.startswith(root + "."):
            continue
        segs = segments(m, root)
        if len(segs) < 2:
            continue
        found = _feature(segs, homes, conventional)
        by_top[segs[0]].append(found)
        if found is not None and homes[found] != segs[0]:
            named_from[found].add(segs[0])
    features = {f for f in homes if named_from[f]}
    sliced = set()
    for top, found in by_top.items():
        hits = [f for f in found if f in features]
        if len(set(hits)) >= LAYER_MIN_APPS and len(hits) >= SLICED_SHARE * len(found):
            sliced.add(top)
    if not sliced:
        return frozenset(), frozenset(), frozenset()
    return frozenset(features), frozenset(sliced), frozenset(homes[f] for f in features)


def as_layout(value: Layout | str) -> Layout:
    """A ``Layout`` as is; a bare root package name as a layout without layers."""
    if isinstance(value, Layout):
        return value
    return Layout(root=value, apps=frozenset(), layers=frozenset())


def build_layout(modules: Iterable[str], data_modules: Iterable[str] = (),
                 package_modules: Iterable[str] = ()) -> Layout:
    """The layout of a tree from its module names; ``data_modules`` (those defining entities)
    let it find features across layers; ``package_modules`` (the modules that are packages) tell a
    package whose other modules were all skipped from a module."""
    names = sorted(set(modules))
    known_packages = set(package_modules)
    root = project_root(names)
    children: dict[str, set[str]] = defaultdict(set)
    packages: set[tuple[str, str]] = set()  # (top, child) pairs that are packages with modules
    grandchildren: dict[tuple[str, str], set[str]] = defaultdict(set)  # in folders named for apps
    deep_packages: set[tuple[str, str]] = set()  # ((top, folder), child) that are packages
    for m in names:
        if root and not m.startswith(root + "."):
            continue
        segs = segments(m, root)
        if len(segs) > 1:
            children[segs[0]].add(segs[1])
        if len(segs) > 2:
            packages.add((segs[0], segs[1]))
            if segs[1] in NESTED_NAMESPACE_NAMES:
                grandchildren[(segs[0], segs[1])].add(segs[2])
                if len(segs) > 3:
                    deep_packages.add(((segs[0], segs[1]), segs[2]))
    for m in known_packages:
        segs = segments(m, root) if not root or m.startswith(root + ".") else []
        if len(segs) == 2:
            packages.add((segs[0], segs[1]))
    namespaces: set[str] = set()
    loose: set[tuple[str, str]] = set()
    for top, kids in children.items():
        plain = {k for k in kids if (top, k) not in packages}
        apps_in = len(kids) - len(plain)
        if apps_in >= NAMESPACE_MIN_APPS and (
                not plain or (plain <= NAMESPACE_GLUE and len(plain) * NAMESPACE_GLUE_RATIO <= apps_in)):
            namespaces.add(top)
            loose.update((top, k) for k in plain)
    nested = {folder for folder, kids in grandchildren.items()
              if folder[0] not in namespaces and len(kids) >= NAMESPACE_MIN_APPS
              and all((folder, k) in deep_packages for k in kids)}
    apps = frozenset((set(children) - namespaces) | {top for top, _ in loose}
                     | {k for top in namespaces for k in children[top] if (top, k) not in loose}
                     | {k for folder in nested for k in grandchildren[folder]})
    used_by: dict[str, int] = defaultdict(int)
    for kids in children.values():
        for k in kids:
            used_by[k] += 1
    conventional = frozenset(k for k, n in used_by.items() if n >= CONVENTIONAL_USES)
    layers = set()
    for top, kids in children.items():
        if top in namespaces:
            continue
        named = {k: names_app(k, apps, exclude=top) for k in kids - conventional}
        named = {k: a for k, a in named.items() if a is not None}
        if len(set(named.values())) >= LAYER_MIN_APPS and len(named) >= LAYER_SHARE * len(kids):
            layers.add(top)
    # a namespace's package may share a feature's name (mealie's services/recipe/ beside
    # db/models/recipe/): its modules then belong to the app of that name either way
    features, sliced, homes = _features(names, root, data_modules, frozenset(set(children) - namespaces),
                                        conventional)
    layout = Layout(root=root, apps=apps, layers=frozenset(layers), namespaces=frozenset(namespaces),
                    conventional=conventional, features=features, sliced=sliced - frozenset(layers),
                    homes=homes - frozenset(layers), loose=frozenset(loose), nested=frozenset(nested))
    subapps = _subapps(layout, data_modules)
    if not subapps:
        return layout
    return replace(layout, apps=layout.apps | {child for _, child in subapps}, subapps=subapps)


def analysis_layout(analysis) -> Layout:
    """The layout of an analysed tree as the cluster stage reads it: its modules, the modules
    defining (non-abstract) entities and the packages."""
    return build_layout({s.module for s in analysis.symbols if s.module},
                        {e.module for e in analysis.entities if e.module and not e.abstract},
                        (m.name for m in analysis.modules if m.is_package))


def _subapps(layout: Layout, data_modules: Iterable[str]) -> frozenset[tuple[tuple[str, ...], str]]:
    """The sub-apps of a layout (see the module docstring): children of an app holding their
    own models module (``projects/epics/models.py``, ``events/papers/models/paper.py``), when
    an app has at least ``NAMESPACE_MIN_APPS`` of them. Layers and sliced folders keep their
    rules: their children name other apps or features."""
    found: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for m in sorted(set(data_modules)):
        if layout.root and not m.startswith(layout.root + "."):
            continue
        segs = segments(m, layout.root)
        depth = layout.app_depth(segs)
        if len(segs) < depth + 3 or segs[0] in layout.layers or segs[0] in layout.sliced:
            continue
        child = segs[depth + 1]
        if segs[depth + 2] in MODEL_FOLDERS and child not in MODEL_FOLDERS and child not in NOT_APPS \
                and not child.startswith("_") and child not in layout.apps:
            found[tuple(segs[:depth + 1])].add(child)
    pairs = [(app, child) for app, children in found.items() if len(children) >= NAMESPACE_MIN_APPS
             for child in children]
    named = Counter(child for _, child in pairs)
    return frozenset((app, child) for app, child in pairs if named[child] == 1)


__all__ = [
    "CONVENTIONAL_USES",
    "LAYER_MIN_APPS",
    "LAYER_SHARE",
    "NAMESPACE_MIN_APPS",
    "ROOT_SHARE",
    "SLICED_SHARE",
    "Layout",
    "analysis_layout",
    "as_layout",
    "build_layout",
    "common_root",
    "names_app",
    "package_segment",
    "project_root",
    "segments",
]
