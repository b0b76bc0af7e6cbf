"""Stable, meaningful service names from the paths of their members.

A service is named after the app (``analyzer.cluster.layout``: the package below the root
package, or the app a layered folder's segment names — ``saleor.graphql.order`` -> ``order``)
holding most of its lines; the root package's own name is never used while another choice
exists. A service no app dominates, most of it small apps of one folder (a namespace's
``plugins/``), is named after that folder. When two services would share a name, the larger keeps it and the other is told apart
by its dominant next segment: the layer for a layered module (``order-graphql``) or the
top-level folder for a feature's module (``issue-bgtasks``), else the
segment below the app (``orders-admin``), then the one below that, then (up to
``FALLBACK_DEPTH``) deeper ones (``volume-drivers-dell-emc-powermax``); a number only when
every such name is taken and no word of the members' own names tells them apart
(``admin-user`` beside ``admin-mailsettings``). A name told apart by technical layers alone
(``files-forms``) is then traded for one told apart by the data the service holds
(``files-subtitle``). The project's glue (a settings module, ``urls``, ``wsgi``, ``celery``)
counts a quarter of its lines: frameworks look for it by name, and it names no capability.
Names are lowercase DNS labels (``[a-z0-9-]``) so the scaffold can use
them for folders, containers and Kubernetes objects. Nothing depends on set order.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from analyzer.cluster.layout import GENERIC, Layout, as_layout, build_layout, names_app, segments
from analyzer.model import SHARED

_BAD = re.compile(r"[^a-z0-9]+")
DETAIL_DEPTH = 2  # how many further segments may tell two services of one app apart
FALLBACK_DEPTH = 4  # deeper segments still, tried when those are taken, before a number
# modules and packages that frameworks and tools look for by name: a service's glue counts a
# quarter of its lines towards its name (a long settings module beside two small apps)
GLUE_APPS = frozenset({"settings", "urls", "wsgi", "asgi", "celery", "celery_app", "manage", "conftest",
                       "__main__", "config", "conf", "setup"})
GLUE_WEIGHT = 0.25
# a service none of whose apps holds this share of its weight, while several apps of one folder
# (a namespace, a parent app) together do, is named after that folder
APP_MAJORITY = 0.5
FOLDER_MIN_APPS = 3
# apps whose name says nothing of what they do: their services are named by what follows
# (``app/models`` -> ``models``; ``awx/main/dispatch`` -> ``dispatch``) ...
NAMELESS_APPS = frozenset({"app", "apps", "src", "main", "server", "backend"})
NAMELESS_SHARE = 1 / 3  # ... when they hold this share of the tree's modules
# folders of apps whose name says nothing of what the apps do
NAMELESS_FOLDERS = GENERIC | {"apps", "app", "contrib", "src", "lib", "libs", "modules", "packages", "components"}


def slug(text: str) -> str:
    """``Catalog_Admin`` -> ``catalog-admin``; empty input gives ``service``."""
    out = _BAD.sub("-", text.lower()).strip("-")
    return out[:50].rstrip("-") or "service"


def _candidates(module: str, layout: Layout) -> list[str]:
    """Names a module argues for, most general first: app, app-next, app-next-next."""
    segs = segments(module, layout.root)
    app = layout.app_of(module)
    layer = layout.layer_of(module)
    if app == segs[0] and (feature := layout.feature_of(module)) is not None:
        app = feature  # in the folder defining the features' data: base/services/orders -> orders
    if layer:
        rest = [layer, *segs[2:]]  # graphql/order/types -> order-graphql-types
    elif len(segs) > 1 and (segs[0] in layout.sliced or segs[0] in layout.homes) and app == layout.feature_of(module):
        # a feature's module: its top-level folder tells twins apart, then what follows the
        # feature's segment (bgtasks/issue_activities_task -> issue-bgtasks, app/views/issue/base
        # -> issue-app-base)
        at = next((j for j in range(1, len(segs)) if names_app(segs[j], (app,)) == app), len(segs) - 1)
        rest = [segs[0], *segs[at + 1:]]
    elif inside := layout.app_depth(segs):
        rest = segs[inside + 1:]  # contrib/forms/models -> forms-models, kobo/apps/hook/views -> hook-views
    else:
        rest = segs[1:]
    return ["-".join([app, *rest[:depth]]) for depth in range(min(FALLBACK_DEPTH, len(rest)) + 1)]


# words too common in code to tell a service by (verbs of every CRUD module, plumbing)
_PLAIN_WORDS = frozenset({
    "add", "all", "and", "api", "apply", "as", "at", "ajax", "base", "build", "by", "call",
    "check", "clean", "create", "data", "default", "del", "delete", "do", "edit", "for", "from",
    "get", "handle", "handler", "has", "helper", "helpers", "id", "if", "in", "info", "init", "is",
    "item", "items", "list", "load", "main", "make", "new", "no", "of", "on", "or", "process",
    "remove", "render", "request", "requests", "response", "result", "run", "save", "set", "show",
    "the", "to", "update", "util", "utils", "valid", "validate", "view", "views", "with"
})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# the technical layers a module's path names: a service told apart from its app's other
# services by one of them alone is named by the data it holds instead, when it holds some
# (mediacms' ``files`` app cut in five gave ``files-forms`` for its subtitles and
# ``files-models`` for its encodings: names of layers, for slices that are not layers)
LAYER_WORDS = frozenset({
    "admin", "api", "apis", "base", "commands", "common", "controllers", "core", "crud", "db",
    "endpoints", "filters", "form", "forms", "graphql", "handlers", "helpers", "lib", "management",
    "managers", "mixins", "model", "models", "mutations", "permissions", "queries", "resources",
    "rest", "routers", "routes", "schema", "schemas", "serializers", "services", "signals",
    "tasks", "templatetags", "types", "urls", "utils", "validators", "view", "views", "widgets",
})


def _member_words(group: Iterable[str], size_of: Mapping[str, float]) -> list[str]:
    """Words of the members' own names (``_handle_edit_user`` -> ``user``), most lines first,
    ties alphabetical: what tells apart services cut from one module (calibre-web's
    ``cps/admin.py``, cut in three, was ``admin``, ``admin-2``, ``admin-3``)."""
    tally: dict[str, float] = defaultdict(float)
    for node in group:
        tail = node.rsplit(".", 1)[-1].rsplit(":", 1)[-1]  # ``entity:table:roles_users`` too
        for word in {w.lower() for w in _WORD.findall(tail)}:
            if len(word) > 2 and word not in _PLAIN_WORDS and not word.isdigit():
                tally[word] += float(size_of.get(node, 1.0)) + 1.0
    return [slug(w) for w, _ in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))]


# words of entities' names that say how a model is built, not what it holds
_DATA_PLAIN = frozenset({
    "abstract", "alembic", "base", "custom", "extra", "extras", "field", "fields", "generic",
    "instance", "map", "meta", "mixin", "mixins", "model", "models", "object", "objects", "relation",
    "relations", "slug", "through", "type", "types", "value", "values", "version", "versions",
})


def _data_words(group: Iterable[str], size_of: Mapping[str, float]) -> list[str]:
    """The words of the group's entities' names (``entity:files.models.subtitle.Subtitle``)
    that the names of its code share (``SubtitleForm``, ``edit_subtitle``), ranked by those
    members' lines as :func:`_member_words` ranks them. A table only written or read, which
    no member's name speaks of (paperless' export commands writing allauth's
    ``socialaccount_socialaccount``), names nothing."""
    group = list(group)
    held = {w.lower() for node in group if node.startswith("entity:")
            for w in _WORD.findall(node.rsplit(".", 1)[-1].rsplit(":", 1)[-1])}
    code = [node for node in group if not node.startswith("entity:")]
    return [w for w in _member_words(code, size_of) if w in held and w not in _DATA_PLAIN] if held else []


def _says_again(word: str, name: str, taken: set[str]) -> bool:
    """Does ``word`` repeat what the name ``name`` (an app's) or a name taken says, up to a
    plural (``users-user``; ``extras-job`` beside ``extras-jobs``)?"""
    forms = {word, word + "s", word.removesuffix("s")}
    return bool(forms & set(name.split("-"))) or any(f"{name}-{f}" in taken for f in forms)


def _layered(name: str, app: str) -> bool:
    """Is ``name`` its app's name told apart by technical layers alone (``files-forms``)?"""
    rest = name.removeprefix(app + "-")
    return rest != name and all(seg in LAYER_WORDS for seg in rest.split("-"))


def _folder_of_apps(module: str, layout: Layout) -> str | None:
    """The folder holding a module's app when that app sits in a namespace, a nested folder
    of apps or a parent app (``plugins`` for ``dispatch/plugins/dispatch_slack/service``),
    and the folder's name says something (not ``apps``, ``utils``); else ``None``."""
    segs = segments(module, layout.root)
    depth = layout.app_depth(segs)
    if depth and layout.app_of(module) == segs[depth] and segs[depth - 1] not in NAMELESS_FOLDERS:
        return segs[depth - 1]
    return None


def _is_glue(module: str, layout: Layout) -> bool:
    """Is this module the project's glue (``settings``, ``urls``, ``wsgi``, ``celery`` right
    below the root), which frameworks ask for by name and which names no business capability?
    An app of that name in a namespace (``wagtail.contrib.settings``) is a capability."""
    segs = segments(module, layout.root)
    top = segs[0] if segs else ""
    return (top in GLUE_APPS or top.startswith("settings")) and layout.app_of(module) == top


def name_services(
    groups: Sequence[Iterable[str]],
    module_of: Mapping[str, str],
    size_of: Mapping[str, float],
    reserved: Mapping[int, str] | None = None,
    root: Layout | str | None = None,
) -> list[str]:
    """One name per group (same order). ``reserved`` fixes names by group index (pinned
    services keep the name the user gave); ``root`` is the tree's layout (or root package),
    derived from the modules when ``None``."""
    reserved = dict(reserved or {})
    layout = build_layout({m for m in module_of.values() if m}) if root is None else as_layout(root)
    root_name = layout.root.rsplit(".", 1)[-1] if layout.root else ""
    groups = [list(g) for g in groups]
    candidates_of = functools.cache(lambda module: _candidates(module, layout))
    glue_of = functools.cache(lambda module: _is_glue(module, layout))
    folder_of = functools.cache(lambda module: _folder_of_apps(module, layout))
    tallies: list[list[dict[str, float]]] = []
    folders: list[str | None] = []  # per group: the folder of apps that names it, if any
    weights = []
    for g in groups:
        levels: list[dict[str, float]] = [defaultdict(float) for _ in range(FALLBACK_DEPTH + 1)]
        in_folder: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        total = 0.0
        for node in g:
            module = module_of.get(node)
            if not module:
                continue
            w = float(size_of.get(node, 1.0)) + 1.0
            total += w
            if module == layout.root and root_name:
                continue  # the root package's own code names nothing
            names = candidates_of(module)
            if glue_of(module):
                w *= GLUE_WEIGHT
            for depth, name in enumerate(names):
                levels[depth][name] += w
            if (folder := folder_of(module)) is not None:
                in_folder[folder][names[0]] += w
        tallies.append(levels)
        folders.append(_folder_naming(levels[0], in_folder))
        weights.append(total)

    def ranked(tally: Mapping[str, float]) -> list[str]:
        return [slug(name) for name, _ in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))]

    # an app of such a name that holds a third of the tree is its container, not a capability
    # (arches' app/); one app among many is named so for what it does (saleor's app/)
    modules = {m for m in module_of.values() if m}
    holding: dict[str, int] = defaultdict(int)
    for m in modules:
        if (a := layout.app_of(m)) in NAMELESS_APPS:
            holding[a] += 1
    nameless = {slug(a) for a, n in holding.items() if n >= NAMELESS_SHARE * len(modules)}
    taken = set(reserved.values()) | {slug(SHARED)}
    names: dict[int, str] = dict(reserved)
    apps: dict[int, str] = {}  # the app each name (not reserved) was chosen for
    # larger services choose first; ties by their smallest member, never by set order
    order = sorted(
        (i for i in range(len(groups)) if i not in reserved),
        key=lambda i: (-weights[i], min(groups[i], default="")),
    )
    for i in order:
        levels = tallies[i]
        app = ranked(levels[0])[:1] or [slug(root_name or "service")]
        candidates = [slug(folders[i])] if folders[i] is not None else []
        candidates.extend(app)
        for depth, tally in enumerate(levels[1:], start=1):
            # the dominant detail of each depth, and from DETAIL_DEPTH on every one in turn
            best = [n for n in ranked(tally) if n.startswith(app[0] + "-")]
            candidates.extend(best if depth >= DETAIL_DEPTH else best[:1])
        if app[0] in nameless and len(candidates) > 1:
            # ``arches/app/models``: the detail names the service (``models``), not ``app-models``
            candidates = [c.removeprefix(app[0] + "-") for c in candidates if c != app[0]] + app
        name = next((c for c in candidates if c not in taken), None)
        if name is None:  # every path is taken: the words its members' own names share most,
            # less those the name already holds (calibre-web's ``admin-admin``)
            said = set(candidates[0].split("-"))
            name = next((n for w in _member_words(groups[i], size_of)
                         if w not in said and (n := f"{candidates[0]}-{w}") not in taken and len(n) <= 50), None)
        if name is None:
            base = candidates[0]
            n = 2
            while f"{base}-{n}" in taken:
                n += 1
            name = f"{base}-{n}"
        taken.add(name)
        names[i] = name
        apps[i] = app[0]
    # once every service has its name: one its app's name tells apart by a layer alone takes
    # a word of its data that no other name says, singular or plural
    for i in order:
        if _layered(names[i], apps[i]):
            others = taken - {names[i]}
            names[i] = next((n for w in _data_words(groups[i], size_of)
                             if not _says_again(w, apps[i], others) and (n := f"{apps[i]}-{w}") not in others
                             and len(n) <= 50), names[i])
            taken = others | {names[i]}
    return [names[i] for i in range(len(groups))]


def _folder_naming(apps: Mapping[str, float], in_folder: Mapping[str, Mapping[str, float]]) -> str | None:
    """The folder of apps a service is named after: when no app holds ``APP_MAJORITY`` of
    its weight but at least ``FOLDER_MIN_APPS`` apps of one folder together do (dispatch's
    service of a dozen small integrations under ``plugins/``, none of them the bulk, was
    named after the largest, ``bases``)."""
    total = sum(apps.values())
    if not total or max(apps.values()) >= APP_MAJORITY * total:
        return None
    best = min(in_folder.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]), default=None)
    if best is None or len(best[1]) < FOLDER_MIN_APPS or sum(best[1].values()) < APP_MAJORITY * total:
        return None
    return best[0]


__all__ = ["name_services", "slug"]
