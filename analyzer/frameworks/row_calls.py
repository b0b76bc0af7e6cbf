"""Calls of model methods on rows the resolver cannot type.

The resolver knows no ORM: in ``order = Order.objects.get(pk=k); order.cancel()`` the manager
call is an outside call to it, so ``cancel`` ends outside the project as well
(``django.db.models.Model.objects.get.cancel``) and the call graph has no edge to
``Order.cancel``. The frameworks stage knows those are rows of ``Order``: a call on them to a
method that the model's classes define is a call of that method.
"""

from __future__ import annotations

from collections import defaultdict

from analyzer.frameworks.program import Program, receiver_expr, tail
from analyzer.frameworks.registry import Registry
from analyzer.frameworks.values import Values


def row_method_calls(prog: Program, reg: Registry, values: Values) -> dict[tuple[str, str], list[int]]:
    """``(calling scope, method) -> lines`` for method calls on model rows that the resolution
    left outside the project."""
    defining: dict[str, dict[str, str]] = {}  # model class -> method name -> first definition
    names: set[str] = set()
    for model in reg.models.values():
        cls = model.cls
        if cls in prog.defs and cls not in defining:
            defining[cls] = prog.methods_in_mro(cls)
            names.update(defining[cls])
    out: dict[tuple[str, str], list[int]] = defaultdict(list)
    if not names:
        return out
    for site in prog.named(names):
        c = site.call
        recv = receiver_expr(c.callee)
        if recv is None or recv.startswith("super(") or \
                any(t.startswith(("d:", "bd:")) for t in prog.targets(site.module, site.index)):
            continue  # a plain call, ``super()`` (the resolver's MRO knows), or project code already
        name = tail(c.callee)
        for v in sorted(values.receiver_values(site.module, site.index, c.scope, recv)):
            model = reg.models.get(v[3:]) if v.startswith("@o:") else None
            method = defining.get(model.cls, {}).get(name) if model is not None else None
            if method is not None and method != c.scope:
                out[(c.scope, method)].append(c.line)
    return out


__all__ = ["row_method_calls"]
