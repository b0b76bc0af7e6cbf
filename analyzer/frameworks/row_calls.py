"""Calls of model methods on rows the resolver cannot type.

The resolver knows no ORM: in ``order = Order.objects.get(pk=k); order.cancel()`` the manager
call is an outside call to it, so ``cancel`` ends outside the project as well
(``django.db.models.Model.objects.get.cancel``) and the call graph has no edge to
``Order.cancel``. The frameworks stage knows those are rows of ``Order``: a call on them to a
method that the model's classes define (its own, an abstract base's, a mixin's) is a call of
that method. So is a call on its manager or queryset (``Order.objects.open()``) of a method
that a project manager or queryset class serving the model defines. The call graph gets the
edges (``row_method_calls``), and the accesses a mixin or an abstract model makes on ``self``
are handed to these callers (``AccessAnalysis._lift_generic``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from analyzer.frameworks.program import Program, receiver_expr, tail
from analyzer.frameworks.registry import Registry
from analyzer.frameworks.values import Values


class RowCall(NamedTuple):
    module: str
    index: int  # the call site in the module
    method: str  # the model method it calls
    linked: bool  # the resolution already took the site into project code


def row_method_sites(prog: Program, reg: Registry, values: Values) -> list[RowCall]:
    """Every call of a model method on model rows, in program order (computed once per
    stage: kept on ``values``)."""
    if values.row_calls is not None:
        return values.row_calls
    defining: dict[str, dict[str, str]] = {}  # model class -> method name -> first definition
    names: set[str] = set()
    for model in reg.models.values():
        cls = model.cls
        if cls in prog.defs and cls not in defining:
            defining[cls] = prog.methods_in_mro(cls)
            names.update(defining[cls])
    for e in reg.models:
        names.update(values.custom_methods(e))
    out: list[RowCall] = []
    for site in prog.named(names) if names else ():
        c = site.call
        recv = receiver_expr(c.callee)
        if recv is None or recv.startswith("super("):
            continue  # a plain call, or ``super()``: the resolver's method resolution order knows
        name = tail(c.callee)
        linked = any(t.startswith(("d:", "bd:")) for t in prog.targets(site.module, site.index))
        methods = set()
        for v in values.receiver_values(site.module, site.index, c.scope, recv):
            model = reg.models.get(v[3:]) if v.startswith("@o:") else None
            method = defining.get(model.cls, {}).get(name) if model is not None else None
            if method is None and model is not None:
                method = values.custom_methods(v[3:]).get(name)
            if method is not None and method != c.scope:
                methods.add(method)
        out.extend(RowCall(site.module, site.index, m, linked) for m in sorted(methods))
    values.row_calls = out
    return out


def row_method_calls(prog: Program, reg: Registry, values: Values) -> dict[tuple[str, str], list[int]]:
    """``(calling scope, method) -> lines`` for the calls the resolution left outside."""
    out: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rc in row_method_sites(prog, reg, values):
        if not rc.linked:
            c = prog.call(rc.module, rc.index)
            out[(c.scope, rc.method)].append(c.line)
    return out


__all__ = ["RowCall", "row_method_calls", "row_method_sites"]
