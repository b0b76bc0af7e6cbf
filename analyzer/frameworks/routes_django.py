"""Django URL configuration: ``path`` / ``re_path`` / ``url`` patterns, ``include(...)`` of a
module (by dotted string or by reference), of an inline list or of a named pattern list,
nested includes with their prefixes, class-based views (``View.as_view()``) and views
wrapped in decorators (``login_required(view)``).

The walk starts at every ``ROOT_URLCONF`` found in a settings module; URL modules that no
walk reaches are walked too, from the root, so that their routes are not lost (their paths
may then lack a prefix; they are counted). DRF routers mounted on the way are handed to
:mod:`analyzer.frameworks.routes_drf`.
"""

from __future__ import annotations

import re

from analyzer.frameworks.program import Program, matches, outside, tail
from analyzer.frameworks.routing import Endpoint, class_verbs

PATTERNS = frozenset({"path", "re_path", "url"})
_MAX_DEPTH = 12
_GET = ("GET",)
_GET_POST = ("GET", "POST")
_VERBS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_DECORATOR_METHODS = {"require_GET": ("GET",), "require_POST": ("POST",), "require_safe": ("GET", "HEAD")}


def join_pattern(prefix: str, route: str, regex: bool) -> str:
    """Django concatenates patterns: ``/api/`` + ``orders/<int:pk>/``; regex anchors go."""
    if regex:
        route = route.lstrip("^")  # ``rf"^{USER_PATH}"`` with a path that has its own
        route = route[:-1] if route.endswith("$") and not route.endswith("\\$") else route
        route = route.replace("\\/", "/").replace("\\.", ".").replace("\\-", "-")
    base = prefix or "/"
    return base + route.lstrip("/") if base.endswith("/") else base + route


class DjangoUrls:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.endpoints: list[Endpoint] = []
        self.includes: list[tuple[str, str, int, str]] = []  # (source scope, target module, line, value)
        self.router_mounts: dict[str, list[str]] = {}  # DRF router or Ninja API key -> prefixes
        self.module_prefixes: dict[str, list[str]] = {}
        self.unreached: list[str] = []
        self.unresolved: list[str] = []
        self._patterns: dict[str, list[int]] = {}  # module -> pattern call indices
        self._includes: dict[str, list[int]] = {}
        self._include_site: dict[tuple[str, int], bool] = {}
        # calls of the project's URL helpers (``admin_url(regex, view, name=...)`` returning a
        # pattern): site -> (the helper's route parameter, its view parameter, regex or not)
        self._helper_site: dict[tuple[str, int], tuple[tuple[int | None, str], tuple[int | None, str], bool]] = {}
        self._mounted_later: list[tuple[str, int]] = []

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses("django"):
            return []
        for site in prog.named(PATTERNS | {"include"}):
            name = tail(site.call.callee) or site.call.callee
            if matches(prog.targets(site.module, site.index), {"django"}, PATTERNS | {"include"}):
                bucket = self._includes if name == "include" else self._patterns
                bucket.setdefault(site.module, []).append(site.index)
                if name == "include":
                    self._include_site[(site.module, site.index)] = True
        self._helper_calls()
        url_modules = sorted(set(self._patterns) | set(self._includes) |
                             {m for m in prog.modules if prog.bindings(m, "urlpatterns")})
        roots = []
        for _module, b in prog.setting_values("ROOT_URLCONF"):
            if isinstance(b.value, str) and b.value in prog.facts and b.value not in roots:
                roots.append(b.value)
        for root in roots:
            self._walk(root, "/", 0, ())
        for module in url_modules:
            if module not in self.module_prefixes:
                if roots:
                    self.unreached.append(module)
                self._walk(module, "/", 0, ())
        for module, index in self._mounted_later:  # where they are mounted is not known: from the root
            self._pattern(module, index, "/", 0, (), {})
        return self.endpoints

    def _helper_calls(self) -> None:
        """A project function that returns a pattern made from two of its parameters
        (``return re_path(regex, view, ...)``, or an instance of a project subclass of
        Django's ``URLPattern``) is a URL helper: its calls are patterns, with its arguments
        for those parameters as the route and the view."""
        prog = self.prog
        helpers: dict[str, tuple[tuple[int | None, str], tuple[int | None, str], bool]] = {}
        params_of = prog.r.params
        for module in prog.modules:
            for c in prog.facts[module].calls:
                if len(c.args) < 2 or not c.callee or c.scope not in params_of:
                    continue
                params = params_of[c.scope]
                first, second = prog.arg(c, 0, "route") or prog.arg(c, None, "pattern"), prog.arg(c, 1, "view")
                if first is None or second is None or first.expr not in params or second.expr not in params:
                    continue
                if prog.kind(c.scope) != "function" or not any(
                        b.expr == f"{c.callee}()" for b in prog.bindings(c.scope, "<return>")):
                    continue
                name = tail(c.callee) or c.callee
                if matches(prog.r.eval(c.scope, c.callee), {"django"}, PATTERNS):
                    regex = name != "path"
                elif self._pattern_class(c.scope, c.callee):
                    regex = True  # URLPattern's own argument is a pattern object or a regex
                else:
                    continue
                names = list(params)
                helpers[c.scope] = ((names.index(first.expr), first.expr), (names.index(second.expr), second.expr),
                                    regex)
        if not helpers:
            return
        for site in prog.named({q.rsplit(".", 1)[-1] for q in helpers}):
            for t in prog.targets(site.module, site.index):
                found = helpers.get(t.partition(":")[2]) if t.startswith(("d:", "bd:")) else None
                if found is not None:
                    self._helper_site[(site.module, site.index)] = found
                    if site.call.scope == site.module:
                        self._patterns.setdefault(site.module, []).append(site.index)
                    else:  # returned by a function (``AdminModule.get_urls()``) and mounted at run time
                        self._mounted_later.append((site.module, site.index))
                    break
        for indices in self._patterns.values():
            indices.sort()

    def _pattern_class(self, scope: str, callee: str) -> bool:
        """A project class whose ancestors include Django's ``URLPattern``."""
        prog = self.prog
        return any(v.startswith("d:") and prog.kind(v[2:]) == "class"
                   and matches(prog.r.external_bases(v[2:]), {"django"}, {"URLPattern", "RegexURLPattern"})
                   for v in prog.r.eval(scope, callee))

    # -- a URL module ------------------------------------------------------------------
    def _groups(self, module: str) -> tuple[list[int], dict[str, list[int]]]:
        """Top-level pattern calls of a module, and the named pattern lists (``name -> calls``)
        that only an ``include(name)`` reaches."""
        prog = self.prog
        calls = prog.facts[module].calls
        grouped = self._lists(module)
        included_names = set()
        for i in self._includes.get(module, ()):
            a = prog.arg(calls[i], 0, "arg")
            if a is not None and a.expr and a.expr.isidentifier():
                included_names.add(a.expr)
        top = [i for name, idx in grouped.items() if name not in included_names for i in idx]
        return sorted(top), {n: grouped[n] for n in included_names if n in grouped}

    def _lists(self, module: str) -> dict[str, list[int]]:
        """The module's top-level pattern calls by the list they are in (``name -> calls``)."""
        prog = self.prog
        calls = prog.facts[module].calls
        roots = [i for i in self._patterns.get(module, ()) if self._pattern_parent(module, i) is None
                 and calls[i].scope == module]
        # Which list each top-level pattern belongs to: the module's ``name[] = path(...)``
        # element bindings are in source order like the calls; when their counts differ
        # (``urlpatterns += [...]`` binds nothing) a call goes with the first list binding
        # recorded at or after its line.
        elements = [b for b in prog.facts[module].bindings if b.scope == module and b.name.endswith("[]")
                    and (tail((b.expr or "")[:-2]) or (b.expr or "")[:-2]) in PATTERNS and b.expr.endswith("()")]
        grouped: dict[str, list[int]] = {}
        if len(elements) == len(roots):
            for b, i in zip(elements, roots):
                grouped.setdefault(b.name[:-2], []).append(i)
        else:
            lists = sorted({(b.line, b.name[:-2]) for b in elements})
            for i in roots:
                owner = next((n for line, n in lists if line >= calls[i].line), "urlpatterns")
                grouped.setdefault(owner, []).append(i)
        return grouped

    def _pattern_parent(self, module: str, index: int) -> int | None:
        """The nearest enclosing pattern or include call."""
        prog = self.prog
        p = prog.parent(module, index)
        while p is not None:
            name = tail(prog.call(module, p).callee) or prog.call(module, p).callee
            if name in PATTERNS or name == "include":
                return p
            p = prog.parent(module, p)
        return None

    def _walk(self, module: str, prefix: str, depth: int, stack: tuple[str, ...]) -> None:
        if depth > _MAX_DEPTH or module in stack:
            return
        found = self.module_prefixes.setdefault(module, [])
        if prefix in found:
            return
        found.append(prefix)
        top, named = self._groups(module)
        for i in top:
            self._pattern(module, i, prefix, depth, stack + (module,), named)
        # ``urlpatterns = [*analytic_urls, ...]``: lists of other URL modules spread into it
        for b in self.prog.bindings(module, "urlpatterns[]"):
            if b.expr and b.expr.endswith("[]") and b.call is None:
                self._imported_list(module, module, b.expr[:-2], prefix, depth, stack + (module,))
        # ``urlpatterns = router.urls`` and the like: a DRF router mounted here
        for b in self.prog.bindings(module, "urlpatterns"):
            if b.expr and b.expr.endswith(".urls") and b.call is None:
                self._router(module, b.expr, prefix)
        # ``urlpatterns = get_api_urls(views)``: the patterns the project function builds
        for b in self.prog.bindings(module, "urlpatterns"):
            if b.call is not None:
                for func in self._pattern_functions(module, b.call):
                    where = self.prog.module_of(func)
                    for i in self._patterns.get(where, ()):
                        if self.prog.call(where, i).scope == func and self._pattern_parent(where, i) is None:
                            self._pattern(where, i, prefix, depth + 1, stack + (module,), {})
        # a package's ``from .urls import urlpatterns``: the module it comes from
        where = (self.prog.locate(module, "urlpatterns") or "").partition(":")[0]
        if where and where != module and where in self.prog.facts:
            self._walk(where, prefix, depth + 1, stack + (module,))

    def _pattern_functions(self, module: str, index: int) -> list[str]:
        """The project functions a call of ``module`` calls (their patterns are its value)."""
        return [v[2:] for v in sorted(self.prog.targets(module, index))
                if v.startswith("d:") and self.prog.kind(v[2:]) == "function"]

    def _router(self, scope: str, expr: str, prefix: str) -> bool:
        key = self.prog.locate(scope, expr[: -len(".urls")])
        if key is None:
            return False
        mounts = self.router_mounts.setdefault(key, [])
        if prefix not in mounts:
            mounts.append(prefix)
        return True

    def _pattern(self, module: str, index: int, prefix: str, depth: int, stack, named) -> None:
        prog = self.prog
        c = prog.call(module, index)
        name = tail(c.callee) or c.callee
        helper = self._helper_site.get((module, index))
        if helper is None:
            route_arg, view, regex = prog.arg(c, 0, "route") or prog.arg(c, None, "regex"), prog.arg(c, 1, "view"), \
                name != "path"
        else:
            (route_at, route_name), (view_at, view_name), regex = helper
            route_arg, view = prog.arg(c, route_at, route_name), prog.arg(c, view_at, view_name)
        route = prog.literal_str(module, c.scope, route_arg)
        known = route is not None
        read = known  # the route was read, whole or as a pattern: else it counts as unresolved
        try:
            full = join_pattern(prefix, route if known else "", regex=regex)
            if view is None:
                return
            url_name = prog.literal_str(module, c.scope, prog.arg(c, None, "name"))
            if view.call is not None:
                inner = prog.call(module, view.call)
                inner_name = tail(inner.callee) or inner.callee
                if inner_name == "include" and (module, view.call) in self._include_site:
                    # ``path(settings.BASE_PATH, include(...))``: what is below is kept, without it
                    self._include(module, view.call, full, depth, stack, named)
                    return
            if view.call is None and (view.expr or "").endswith(".urls") and self._router(c.scope, view.expr, full):
                return  # ``path("api/", api.urls)``: a Django Ninja API (or a router) mounted here
            # a view at a route built at run time in part (``rf"{STATUS_PATH}/replies"``) is kept
            # at its pattern (``${STATUS_TYPES}`` for the unknown part), not at the prefix, where
            # it would hide another; an include above keeps no prefix (the deployment's, often)
            built = None if known else prog.literal_pattern(module, c.scope, route_arg)
            handler, methods = self._view(module, c.scope, view) if known or built is not None else (None, ())
            if handler is None:
                return
            if not known:
                read, full = True, join_pattern(prefix, built, regex=regex)
            actions = self._actions(module, view)
            if actions and prog.kind(handler) == "class":
                defined = prog.methods_in_mro(handler)
                for verb, action in actions:  # one handler per verb: the viewset's action
                    self.endpoints.append(Endpoint(None, full, (verb,), defined.get(action, handler), module,
                                                   c.line, "django", url_name))
                return
            self.endpoints.append(Endpoint(None, full, methods, handler, module, c.line, "django", url_name))
        finally:
            if not read:
                self.unresolved.append(f"{module}:{c.line}")

    def _actions(self, module: str, view) -> list[tuple[str, str]]:
        """The verbs and actions of ``ViewSet.as_view({"get": "list", "post": "create"})``."""
        if view.call is None:
            return []
        inner = self.prog.call(module, view.call)
        given = self.prog.arg(inner, 0, "actions") if (inner.callee or "").endswith(".as_view") else None
        pairs = given.value if given is not None and isinstance(given.value, tuple) else ()
        return sorted({(verb.upper(), action) for verb, action in (p for p in pairs if isinstance(p, tuple))
                       if isinstance(verb, str) and isinstance(action, str) and verb.upper() in _VERBS})

    def _include(self, module: str, index: int, prefix: str, depth: int, stack, named) -> None:
        prog = self.prog
        c = prog.call(module, index)
        arg = prog.arg(c, 0, "arg")
        if arg is None:
            return
        value = prog.literal(module, c.scope, arg)
        if isinstance(value, tuple) and value and isinstance(value[0], str):
            value = value[0]
        if isinstance(value, str):
            if value in prog.facts:
                self.includes.append((c.scope, value, c.line, value))
                self._walk(value, prefix, depth + 1, stack)
            return
        # inline lists: the pattern calls nested right under this include
        inner = [i for i in self._patterns.get(module, ()) if self._pattern_parent(module, i) == index]
        if inner:
            for i in inner:
                self._pattern(module, i, prefix, depth + 1, stack, named)
            return
        expr = arg.expr or ""
        if expr in named:
            for i in named[expr]:
                self._pattern(module, i, prefix, depth + 1, stack, named)
            return
        if expr and self._imported_list(module, c.scope, expr, prefix, depth, stack):
            return
        if expr.endswith(".urls") and self._router(c.scope, expr, prefix):
            return
        for v in sorted(prog.r.eval(c.scope, expr)) if expr else ():
            if v.startswith("m:"):
                self.includes.append((c.scope, v[2:], c.line, expr))
                self._walk(v[2:], prefix, depth + 1, stack)
                return

    # -- views -------------------------------------------------------------------------
    def _imported_list(self, module: str, scope: str, expr: str, prefix: str, depth: int, stack) -> bool:
        """``include(organization_urls)`` of a list another URL module defines (``from
        .organization import urls as organization_urls``, or ``include(organization.urls)``):
        that list's patterns, under this prefix. The other module counts as reached."""
        key = self.prog.locate(scope, expr)
        where, _, name = (key or "").partition(":")
        if not name or where == module or where not in self._patterns or where in stack:
            return False
        listed = self._lists(where).get(name)
        if not listed:
            return False
        self.module_prefixes.setdefault(where, [])
        _, named_there = self._groups(where)
        for i in listed:
            self._pattern(where, i, prefix, depth + 1, stack + (module,), named_there)
        return True

    def _view(self, module: str, scope: str, arg, depth: int = 0) -> tuple[str | None, tuple[str, ...]]:
        prog = self.prog
        if arg.call is not None:
            return self._view_call(module, scope, arg.call, depth)
        if arg.value is not None and isinstance(arg.value, str):
            q = prog.resolve_dotted(arg.value)  # old-style ``url(r"^$", "app.views.index")``
            return (q, function_methods(prog, q)) if q else (None, ())
        for v in sorted(prog.r.eval(scope, arg.expr)) if arg.expr else ():
            if v.startswith(("d:", "bd:")):
                q = v.split(":", 1)[1]
                if prog.kind(q) == "class":
                    return q, view_class_methods(prog, q)
                return q, function_methods(prog, q)
        # a view made once at the top of a module (``login = LoginView.as_view()``, maybe
        # decorated) and named here (``views.login``): the call that made it says the class
        key = prog.locate(scope, arg.expr) if arg.expr and depth < _MAX_DEPTH else None
        made = prog.binding_call(key) if key else None
        if made is not None:
            where, index = made
            return self._view_call(where, prog.call(where, index).scope, index, depth + 1)
        return None, ()

    def _view_call(self, module: str, scope: str, index: int, depth: int) -> tuple[str | None, tuple[str, ...]]:
        """The view a call makes: ``View.as_view(...)``, or a decorator applied to a view."""
        prog = self.prog
        inner = prog.call(module, index)
        callee = inner.callee or ""
        if callee.endswith(".as_view"):
            for v in sorted(prog.r.eval(scope, callee[: -len(".as_view")])):
                if v.startswith("d:") and prog.kind(v[2:]) == "class":
                    return v[2:], view_class_methods(prog, v[2:])
            return None, ()
        for v in sorted(prog.targets(module, index)):  # an instance as the view: ``ChangesFeed()``
            if v.startswith("d:") and prog.kind(v[2:]) == "class":
                return v[2:], view_class_methods(prog, v[2:])
        # a decorated view: ``login_required(views.index)``, ``cache_page(60)(views.index)``
        for a in inner.args:
            handler, methods = self._view(module, scope, a, depth)
            if handler is not None:
                return handler, methods
        return None, ()


def view_class_methods(prog: Program, cls: str) -> tuple[str, ...]:
    """Verbs of a class-based view: those it defines and those its generic bases imply
    (every DRF mixin's: ``ListModelMixin`` GET, ``CreateModelMixin`` POST; a project mixin's
    ``delete`` adds DELETE to ``ListCreateAPIView``'s GET and POST)."""
    verbs = list(class_verbs(prog, cls))
    django: tuple[str, ...] = ()
    for b in prog.r.external_bases(cls):
        path = outside(b) or ""
        last = path.rsplit(".", 1)[-1]
        if path.startswith("rest_framework."):
            for token, vs in (("List", ("GET",)), ("Retrieve", ("GET",)), ("Create", ("POST",)),
                              ("Update", ("PUT", "PATCH")), ("Destroy", ("DELETE",))):
                if token in last:
                    verbs.extend(v for v in vs if v not in verbs)
        elif path.startswith("django.") and not django:
            if re.search(r"Create|Update|Delete|Form|Login|Logout|Password", last):
                django = _GET_POST
            elif last.endswith("View") and last != "View":
                django = _GET
    verbs.extend(v for v in django if v not in verbs)
    return tuple(verbs) or ("ANY",)


def function_methods(prog: Program, func: str) -> tuple[str, ...]:
    """Verbs a function view admits, from ``require_http_methods`` / ``api_view`` decorators."""
    d = prog.defs.get(func)
    if d is None:
        return ("ANY",)
    module = prog.module_of(func)
    parent = prog.parent_scope(func)
    for dec in d.decorators:
        last = (dec.expr or "").rsplit(".", 1)[-1]
        if last in _DECORATOR_METHODS:
            return _DECORATOR_METHODS[last]
        if last in ("require_http_methods", "api_view") and dec.args:
            value = prog.literal(module, parent, dec.args[0])
            verbs = {v.upper() for v in value if isinstance(v, str)} if isinstance(value, tuple) else set()
            if verbs:
                return tuple(sorted(verbs))
            if last == "api_view":
                return _GET
        if last == "api_view":
            return _GET
    return ("ANY",)
