"""What a class body names without calling it: the classes and functions a framework will
instantiate or call for it.

Django, DRF, django-filter, WTForms and many others wire code by declaration:
``serializer_class = RecipeSerializer``, ``form_class = ...``, ``permission_classes =
[IsOwner]``, ``class Meta: model = Recipe``. No call site joins the two, so the call graph
left a ``ModelSerializer`` tied only to the serializers it nests, and a viewset to nothing
it declares. Yet the dependency is hard: the class cannot even be defined without what it
names, and extraction stubs a form or serializer of another service's model for that
reason.

Each such name gives a ``reference`` edge from the class (the outermost class when the
name sits in a nested ``Meta``) to the project class or function it evaluates to. What
methods store on ``self`` is left out (its calls are edges already), and so are names of
the class's own members and of modules.
"""

from __future__ import annotations

from collections.abc import Iterator

# the values a name can evaluate to that are project definitions (resolve.py's tags)
_DEFINITION = "d:"


def declared_references(prog) -> Iterator[tuple[str, str, int]]:
    """``(class, definition, line)`` for every project class or function that a class
    body (or a class nested in it) names as a value, in the order of the scopes."""
    kinds = ("class", "function", "method")
    for scope, names in sorted(prog.r.scope_bindings.items()):
        if prog.kind(scope) != "class":
            continue
        owner = _outermost_class(prog, scope)
        for name in sorted(names):
            for b in names[name]:
                if b.origin or b.call is not None or not b.expr or "(" in b.expr:
                    continue  # stored by a method, or a call (already an edge), or no name
                for v in sorted(prog.r.eval(scope, b.expr)):
                    if not v.startswith(_DEFINITION):
                        continue
                    target = v[len(_DEFINITION):]
                    if prog.kind(target) in kinds and target != owner and not target.startswith(owner + "."):
                        yield owner, target, b.line


def _outermost_class(prog, cls: str) -> str:
    """The class a nested class (``Meta``, ``Config``) belongs to; itself at the top."""
    outer = cls
    parent = prog.parent_scope(cls)
    while parent and prog.kind(parent) == "class":
        outer, parent = parent, prog.parent_scope(parent)
    return outer


__all__ = ["declared_references"]
