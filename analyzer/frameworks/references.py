"""String references: code that names other code in a string, so no import shows the
dependency.

* calls that load by name: ``importlib.import_module("pkg.mod")``, ``import_string("pkg.C")``,
  ``apps.get_model("app.Model")`` / ``get_model("app", "Model")``, class loaders in the style
  of ``get_class("catalogue.models", "Product")`` (module by exact name or by suffix);
* ``"app.Model"`` targets of relations (collected by the ORM detectors), ``include("pkg.urls")``
  (collected by the URL walk) and ``INSTALLED_APPS`` entries;
* any other dotted string literal that names a project module or symbol — settings such as
  ``PAYMENT_GATEWAY = "shop.payments.gateways.FakeGateway"``, task names, plugin lists. Only a
  string assigned at module or class level (a setting) counts as broken when it names
  nothing: a ``dispatch_uid=`` or a dict key that looks like a path is no reference.

Each becomes a ``reference`` from the scope holding the string (the module or class for
settings) to the module or symbol it names. A string that looks like a project path (it
starts with a top-level project package) but names nothing is counted as unresolved.
"""

from __future__ import annotations

from collections import Counter

from analyzer.frameworks.program import Program, matches, tail

_IMPORTERS = frozenset({"import_module", "import_string", "__import__", "import_by_path", "locate",
                        "load_object", "import_object", "symbol_by_name", "instantiate"})
_CLASS_LOADERS = frozenset({"get_class", "get_classes", "load_class", "get_model", "load_model", "import_class"})
_SPECIFIC = {"import": 3, "model": 3, "class-loader": 3, "urlconf": 3, "installed-app": 2, "setting": 1,
             "string": 0}


class References:
    def __init__(self, prog: Program, model_ref=None) -> None:
        self.prog = prog
        self.model_ref = model_ref  # "app.Model" -> entity id (Django), or None
        self.found: dict[tuple[str, str, int], dict] = {}
        self.unresolved: Counter = Counter()
        self.dynamic = 0
        self._suffix: dict[str, list[str]] | None = None
        self.loaded: set[tuple[str, str]] = set()  # (scope, string) read by a loading call
        self.entity_classes: dict[str, str] = {}  # entity id -> model class

    def add(self, source: str, target: str, kind: str, value: str, line: int) -> None:
        if not source or not target or target == source:
            return
        if _SPECIFIC[kind] >= 2:
            self.loaded.add((source, value))
        key = (source, target, line)
        old = self.found.get(key)
        if old is None or _SPECIFIC[kind] > _SPECIFIC[old["kind"]]:
            self.found[key] = {"source": source, "target": target, "kind": kind, "value": value, "line": line}

    def run(self, entity_classes: dict[str, str]) -> list[dict]:
        self.entity_classes = entity_classes
        self._calls(entity_classes)
        self._installed_apps()
        self._strings()
        return sorted(self.found.values(), key=lambda r: (r["source"], r["line"], r["target"]))

    # -- loading by name ---------------------------------------------------------------
    def _calls(self, entity_classes: dict[str, str]) -> None:
        prog = self.prog
        for site in prog.named(_IMPORTERS | _CLASS_LOADERS):
            c = site.call
            name = tail(c.callee) or c.callee
            if name in _IMPORTERS:
                targets = prog.targets(site.module, site.index)
                if not (matches(targets, {"importlib", "django", "pydoc", "celery", "kombu", "hydra", "builtins"})
                        or any(v.startswith(("d:", "b:")) for v in targets)):
                    continue
                value = prog.literal_str(site.module, c.scope, prog.arg(c, 0, "name"))
                if value is None:
                    self.dynamic += 1
                    continue
                self.loaded.add((c.scope, value))
                self._dotted(c.scope, value, "import", c.line)
            elif name in _CLASS_LOADERS:
                args = prog.positional(c)
                values = [prog.literal(site.module, c.scope, a) for a in args[:2]]
                if not values or not isinstance(values[0], str):
                    if values:
                        self.dynamic += 1
                    continue
                self.loaded.update((c.scope, v) for v in values if isinstance(v, str))
                if name in ("get_model", "load_model"):
                    if len(args) > 1 and not isinstance(values[1], str):
                        self.dynamic += 1  # ``get_model("dcim", name)``: the model is chosen at run time
                        continue
                    raw = values[0] if len(values) == 1 else f"{values[0]}.{values[1]}"
                    entity = self.model_ref(raw) if self.model_ref else None
                    cls = entity_classes.get(entity) if entity else None
                    if cls:
                        self.add(c.scope, cls, "model", raw, c.line)
                        continue
                    if len(values) > 1 and isinstance(values[1], str) and \
                            self._class_loader(c.scope, values[0], [values[1]], c.line, raw):
                        continue
                    self.unresolved[raw] += 1
                    continue
                names = values[1] if len(values) > 1 else None
                if isinstance(names, str):
                    names = (names,)
                names = tuple(n for n in names if isinstance(n, str)) if isinstance(names, tuple) else ()
                if names:  # (a number names no class)
                    if not self._class_loader(c.scope, values[0], list(names), c.line,
                                              f"{values[0]}:{','.join(names)}"):
                        self.unresolved[f"{values[0]}.{names[0]}"] += 1
                else:
                    self._dotted(c.scope, values[0], "class-loader", c.line)

    def _class_loader(self, scope: str, module: str, names: list[str], line: int, value: str) -> bool:
        """``get_class("catalogue.models", "Product")``: the module by exact name, else the
        project module ending with it (the shortest name first)."""
        candidates = [module] if module in self.prog.facts else self._by_suffix(module)
        found = False
        for name in names:
            for mod in candidates:
                target = self.prog.resolve_dotted(f"{mod}.{name}")
                if target is not None and target != mod:
                    self.add(scope, target, "class-loader", value, line)
                    found = True
                    break
        return found

    def _by_suffix(self, module: str) -> list[str]:
        if self._suffix is None:
            index: dict[str, list[str]] = {}
            for m in self.prog.modules:
                parts = m.split(".")
                for k in range(1, len(parts)):
                    index.setdefault(".".join(parts[k:]), []).append(m)
            self._suffix = {k: sorted(v, key=lambda m: (len(m), m)) for k, v in index.items()}
        return self._suffix.get(module, [])

    def _dotted(self, scope: str, value: str, kind: str, line: int) -> bool:
        target = self.prog.resolve_dotted(value)
        if target is not None:
            self.add(scope, target, kind, value, line)
            return True
        if self.model_ref is not None and value.count(".") == 1:  # Django's "app_label.Model"
            entity = self.model_ref(value)
            cls = self.entity_classes.get(entity) if entity else None
            if cls:
                self.add(scope, cls, "model", value, line)
                return True
        # A loading call naming nothing is a broken reference; so is a module- or class-level
        # setting like ``"pkg.mod.Missing"``. Other dotted strings (``"dcim.view_site"``
        # permissions, ``"app.order.placed"`` event names inside functions) are not paths.
        head = value.replace(":", ".").split(".")[0]
        if head in self.prog.top_packages and (kind not in ("setting", "string") or
                                               (kind == "setting" and value.count(".") >= 2)):
            self.unresolved[value] += 1
        return False

    # -- settings and other strings ----------------------------------------------------
    def _installed_apps(self) -> None:
        prog = self.prog
        # a literal list, or the known entries of one that is not (INSTALLED_APPS[]: [..., *env_apps])
        for module, b in prog.setting_values("INSTALLED_APPS") + prog.setting_values("INSTALLED_APPS[]"):
            entries = b.value if isinstance(b.value, tuple) else (b.value,) if isinstance(b.value, str) else ()
            for entry in entries:
                if isinstance(entry, str):
                    target = prog.resolve_dotted(entry)
                    if target is not None:
                        self.add(module, target, "installed-app", entry, b.line)

    def _strings(self) -> None:
        prog = self.prog
        for module in prog.modules:
            assigned = None
            for s in prog.facts[module].strings:
                value = s.value
                if len(value) > 200 or " " in value or "/" in value:
                    continue
                if (s.scope, value) in self.loaded:
                    continue  # already read as the argument of a loading call
                if assigned is None:
                    assigned = _assigned_strings(prog.facts[module])
                # a setting is a string assigned at module or class level (``GATEWAY =
                # "shop.pay.Fake"``, a list of them); a ``dispatch_uid=`` or a dict key is not
                kind = "setting" if prog.kind(s.scope) in ("module", "class") and value in assigned else "string"
                self._dotted(s.scope, value, kind, s.line)


def _assigned_strings(facts) -> set[str]:
    """The string values a module's bindings hold, alone or in a literal list or tuple."""
    out: set[str] = set()
    for b in facts.bindings:
        if isinstance(b.value, str):
            out.add(b.value)
        elif isinstance(b.value, tuple):
            out.update(v for v in b.value if isinstance(v, str))
    return out

