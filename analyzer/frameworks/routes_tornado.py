"""Tornado entry points: the handler lists given to an ``Application``.

A Tornado route is a row ``(pattern, RequestHandler[, kwargs[, name]])`` or a
``url(pattern, Handler, ...)`` in the list given to ``tornado.web.Application(handlers)``
(also ``handlers=``), to ``app.add_handlers(host, handlers)`` or, in a project subclass of
``Application``, to ``super().__init__(handlers, ...)`` (or ``Application.__init__(self,
handlers)``). The list is written in place, bound to a name (in the module or a function,
imported too; ``[*base, ...]`` brings another list's rows) or returned by a project function. A list of tuples given to nothing of Tornado's is
no route table, unless it is a module's list whose every row is a literal pattern and a
project ``RequestHandler`` subclass, and which the code hands on (its name is an argument or
a value somewhere: ``h.extend(mod.default_handlers)``). JupyterHub gathers its modules'
``default_handlers`` that way in a loop over the modules and stores them on
``self.handlers``, which this analysis does not follow; such a list is read as it is written. ``url(...)`` (``URLSpec``) makes only routing rules: every such call is a route.
A list that cannot be read (a parameter, ``**kwargs``) or a pattern that is no literal is
counted as unresolved.

Patterns are regexes; their anchors (``^``, ``$``) go, the rest stays as written. The verbs
are the verb methods the handler class's project MRO defines (``GET`` when it defines none:
an outside handler such as ``StaticFileHandler``); a ``WebSocketHandler`` is a WebSocket.
"""

from __future__ import annotations

from analyzer.facts import Arg
from analyzer.frameworks.program import Program, Site, outside
from analyzer.frameworks.routing import WEBSOCKET, Endpoint, class_verbs

_ROOTS = frozenset({"tornado"})
_APPLICATION = "tornado.web.Application"
_APPLICATIONS = frozenset({_APPLICATION})
_URLS = frozenset({"tornado.web.url", "tornado.web.URLSpec", "tornado.routing.URLSpec"})
_WEBSOCKET = "tornado.websocket.WebSocketHandler"
_HANDLERS = frozenset({"tornado.web.RequestHandler"})
_MAX_DEPTH = 6  # lists spliced into lists, lists returned by functions


def strip_anchors(pattern: str) -> str:
    """``^/story/([0-9]+)$`` -> ``/story/([0-9]+)``: Tornado anchors every pattern itself."""
    pattern = pattern.removeprefix("^")
    return pattern[:-1] if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


class TornadoRoutes:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.unresolved: list[str] = []

    def run(self) -> list[Endpoint]:
        prog = self.prog
        if not prog.uses(*_ROOTS):
            return []
        subclasses = {q.rsplit(".", 1)[-1] for q, d in prog.defs.items() if d.kind == "class" and self._subclass(q)}
        out: list[Endpoint] = []
        for site in prog.named({"Application", "__init__", "add_handlers", "url", "URLSpec", *subclasses}):
            given, handlers = self._handlers_arg(site)
            if given:
                out.extend(self._table(site, handlers))
            elif self._is(prog.targets(site.module, site.index), _URLS):
                out.extend(self._url(site))
        seen = {(e.module, e.path, e.handler) for e in out}
        out.extend(e for e in self._module_tables() if (e.module, e.path, e.handler) not in seen)
        return out

    def _module_tables(self) -> list[Endpoint]:
        """Module-level lists whose every row is ``(literal pattern, RequestHandler subclass,
        ...)``: route tables that reach an Application some way not followed here."""
        prog = self.prog
        handed = self._handed_names()
        out: list[Endpoint] = []
        for module in prog.modules:
            lines: dict[str, int] = {}
            for b in prog.facts[module].bindings:
                if b.scope == module:
                    lines[b.name] = min(lines.get(b.name, b.line), b.line)
            for name, line in sorted(lines.items()):
                if name not in handed:
                    continue  # a list nothing reads (a menu of links) is no route table
                rows = prog.rows(module, name)
                if not rows or any(w != module for w, _ in rows):
                    continue  # none, or gathered from elsewhere: read where it is written
                table = []
                for where, items in rows:
                    path = prog.literal_str(module, where, items[0]) if len(items) >= 2 else None
                    cls = self._handler_class(where, items[1]) if path is not None else None
                    if cls is None:
                        break
                    table.extend(self._endpoint(module, where, path, items[1], line,
                                                items[3] if len(items) > 3 else None))
                else:
                    out.extend(table)
        return out

    def _handed_names(self) -> set[str]:
        """The last names of the dotted expressions passed as arguments or bound as values
        anywhere in the project (``mod.default_handlers`` -> ``default_handlers``)."""
        out: set[str] = set()
        for m in self.prog.facts.values():
            exprs = [a.expr for c in m.calls for a in c.args] + [b.expr for b in m.bindings]
            for e in exprs:
                if e and e.replace(".", "").isidentifier():
                    out.add(e.rsplit(".", 1)[-1])
        return out

    def _handler_class(self, scope: str, arg: Arg) -> str | None:
        found = sorted(v[2:] for v in self.prog.r.eval(scope, arg.expr or "")
                       if v.startswith("d:") and self.prog.kind(v[2:]) == "class") if arg.expr else []
        return found[0] if found and self.prog.extends(found[0], _HANDLERS) else None

    # -- where handler lists are given -------------------------------------------------
    def _handlers_arg(self, site: Site) -> tuple[bool, Arg | None]:
        """Whether an Application is made, initialised or extended here, and the handlers
        argument it is given (None: none, or passed in ``**kwargs``)."""
        prog = self.prog
        c = site.call
        callee = c.callee or ""
        method = callee.rsplit(".", 1)[-1]
        if method == "add_handlers" and "." in callee:
            recv = callee.rsplit(".", 1)[0]
            if self._application(prog.r.eval(c.scope, recv)):
                return True, prog.arg(c, 1, "host_handlers")
            return False, None
        if method == "__init__":
            recv = callee[: -len(".__init__")]
            if recv == "super()" and c.scope.endswith(".__init__") \
                    and self._subclass(prog.parent_scope(c.scope)):
                return True, prog.arg(c, 0, "handlers")  # super().__init__(handlers, **settings)
            if recv != "super()" and self._is(prog.r.eval(c.scope, recv), {_APPLICATION}):
                return True, prog.arg(c, 1, "handlers")  # web.Application.__init__(self, handlers)
            return False, None
        for v in prog.targets(site.module, site.index):
            if outside(v) == _APPLICATION:
                return True, prog.arg(c, 0, "handlers")
            if v.startswith("d:") and self._subclass(v[2:]) and "__init__" not in prog.methods_in_mro(v[2:]):
                return True, prog.arg(c, 0, "handlers")  # a subclass that keeps Application's __init__
        return False, None

    def _application(self, values) -> bool:
        """An Application object: Tornado's, or an instance of a project subclass."""
        return any(outside(v) == _APPLICATION or (v.startswith("i:") and self._subclass(v[2:])) for v in values)

    def _subclass(self, cls: str) -> bool:
        return self.prog.extends(cls, _APPLICATIONS)

    @staticmethod
    def _is(values, paths) -> bool:
        return any(outside(v) in paths for v in values)

    # -- the handler list ----------------------------------------------------------------
    def _table(self, site: Site, arg: Arg | None) -> list[Endpoint]:
        prog = self.prog
        c = site.call
        if arg is None:
            if any(a.star for a in c.args):  # super().__init__(**kwargs): handlers not seen
                self.unresolved.append(f"{c.scope}: {c.callee}(**...)")
            return []
        rows = self._rows(site.module, site.index, c.scope, arg, 0)
        if rows is None:
            self.unresolved.append(f"{c.scope}: {c.callee}({arg.expr or '...'})")
            return []
        out = []
        for where, items in rows:
            module = prog.module_of(where)
            path = prog.literal_str(module, where, items[0])
            if path is None:
                self.unresolved.append(f"{where}: ({items[0].expr or '...'}, ...)")
                continue
            out.extend(self._endpoint(module, where, path, items[1], c.line, items[3] if len(items) > 3 else None))
        return out

    def _rows(self, module: str, index: int, scope: str, arg: Arg, depth: int):
        """The rows of a handler list, each with the scope it is written in; None when the
        list is not known. ``url(...)`` elements are no rows: they are found as calls."""
        prog = self.prog
        if depth > _MAX_DEPTH or arg.star:
            return None
        if arg.expr in ("list()", "tuple()"):  # written in place
            return prog.argument_rows(module, index, arg)
        if arg.call is not None:  # make_handlers()
            return self._returned(module, arg.call, depth)
        if not arg.expr or not arg.expr.isidentifier():
            return None
        return self._named(scope, arg.expr, depth)

    def _named(self, scope: str, name: str, depth: int):
        prog = self.prog
        key = prog.locate(scope, name) if depth <= _MAX_DEPTH else None
        if key is None:
            return None
        where, _, listed = key.partition(":")
        rows = list(prog.rows(scope, name))
        elements = prog.bindings(where, listed + "[]")
        for b in elements:  # [*base_handlers, ...]; ``handlers = [*handlers, ...]`` adds nothing new
            head = b.expr[:-2] if b.expr and b.expr.endswith("[]") else None
            if head and head.isidentifier() and prog.locate(b.origin or where, head) != key:
                rows.extend(self._named(b.origin or where, head, depth + 1) or ())
        if rows or elements:
            return rows
        bound = prog.bindings(where, listed)
        if len(bound) == 1 and bound[0].call is not None:  # handlers = make_handlers()
            return self._returned(prog.module_of(bound[0].origin or where), bound[0].call, depth)
        return None

    def _returned(self, module: str, index: int, depth: int):
        """The rows of the list a project function returns."""
        prog = self.prog
        if depth > _MAX_DEPTH:
            return None
        funcs = [v[2:] for v in prog.targets(module, index) if v.startswith("d:") and prog.kind(v[2:]) == "function"]
        if len(funcs) != 1:
            return None
        func = funcs[0]
        rows = list(prog.rows(func, "<return>"))
        for b in prog.bindings(func, "<return>"):
            if b.expr and b.expr.isidentifier():
                rows.extend(self._named(func, b.expr, depth + 1) or ())
        return rows if rows or prog.bindings(func, "<return>[]") else None

    # -- routes ----------------------------------------------------------------------------
    def _url(self, site: Site) -> list[Endpoint]:
        """``url(r"/x", XHandler, name="x")``."""
        prog = self.prog
        c = site.call
        pattern = prog.arg(c, 0, "pattern")
        path = prog.literal_str(site.module, c.scope, pattern)
        if path is None:
            self.unresolved.append(f"{c.scope}: {c.callee}({pattern.expr if pattern and pattern.expr else '...'})")
            return []
        name = prog.arg(c, 3, "name")
        return self._endpoint(site.module, c.scope, path, prog.arg(c, 1, "handler"), c.line, name)

    def _endpoint(self, module: str, scope: str, path: str, handler: Arg | None, line: int,
                  name: Arg | None) -> list[Endpoint]:
        prog = self.prog
        cls = None
        if handler is not None and handler.expr:
            found = sorted(v[2:] for v in prog.r.eval(scope, handler.expr)
                           if v.startswith("d:") and prog.kind(v[2:]) == "class")
            cls = found[0] if found else None
        if cls is not None and any(outside(b) == _WEBSOCKET for b in prog.r.external_bases(cls)):
            methods: tuple[str, ...] = (WEBSOCKET,)
        else:
            methods = (class_verbs(prog, cls) if cls else ()) or ("GET",)
        label = prog.literal_str(module, scope, name)
        return [Endpoint(None, strip_anchors(path), methods, cls or scope, module, line, "tornado", label)]


__all__ = ["TornadoRoutes", "strip_anchors"]
