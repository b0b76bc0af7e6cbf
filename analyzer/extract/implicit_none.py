"""Functions that may return ``None`` whatever their annotation says.

``def recent(status) -> list[Incident]:`` whose ``if`` chain has no ``else`` falls off its end
for an unknown status and returns ``None``; so does a bare ``return``. Moved into a service
unchanged, such a function answers ``{"result": null}``, which a response model typed from
the annotation alone rejects: the handler fails, and so would the caller's client. Extraction
reads the source, so it can tell, and the scaffold types those results as optional.

The reading is syntactic and leans towards "may": a statement completes unless it returns,
raises, exits (``sys.exit``, ``abort``...) or loops forever, and a block completes unless one
of its statements cannot. A result typed optional that never is ``None`` costs nothing at
run time; a ``None`` the model rejects fails the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import libcst as cst

from analyzer.extract.inventory import dotted

if TYPE_CHECKING:
    from analyzer.extract.program import Program

# calls that never return: the process ends or the request is aborted with an HTTP error
NEVER_RETURN = frozenset({"sys.exit", "exit", "quit", "os._exit", "abort", "flask.abort", "assert_never",
                          "typing.assert_never", "typing_extensions.assert_never"})


def may_return_none(fn: cst.FunctionDef) -> bool:
    """Whether calling ``fn`` may give ``None`` without a ``return`` of a value saying so:
    its body can end, or it has a bare ``return`` / ``return None``. Generators never do
    (they give a generator)."""
    if is_generator(fn):
        return False
    finder = _Returns()
    fn.body.visit(finder)
    return finder.none_returned or _completes(fn.body.body)


def is_generator(fn: cst.FunctionDef) -> bool:
    """Whether a function is a generator: a ``yield`` of its own, not of a nested def."""
    finder = _Returns()
    fn.body.visit(finder)
    return finder.yields


def _completes(body) -> bool:
    """Whether running the statements may reach their end."""
    return all(_statement_completes(s) for s in body)


def _block(node) -> tuple:
    return tuple(node.body) if isinstance(node, cst.IndentedBlock) else (node,)


def _statement_completes(s: cst.BaseStatement | cst.BaseSmallStatement) -> bool:
    if isinstance(s, cst.SimpleStatementLine):
        return all(_small_completes(small) for small in s.body)
    if isinstance(s, cst.SimpleStatementSuite):
        return all(_small_completes(small) for small in s.body)
    if isinstance(s, cst.If):
        if s.orelse is None:
            return True
        other = _statement_completes(s.orelse) if isinstance(s.orelse, cst.If) else _completes(_block(s.orelse.body))
        return _completes(_block(s.body)) or other
    if isinstance(s, cst.While):
        forever = isinstance(s.test, cst.Name) and s.test.value == "True"
        return not forever or _breaks(s.body)
    if isinstance(s, cst.Try | cst.TryStar):
        if s.finalbody is not None and not _completes(_block(s.finalbody.body)):
            return False
        body = _completes(_block(s.body)) and (s.orelse is None or _completes(_block(s.orelse.body)))
        return body or any(_completes(_block(h.body)) for h in s.handlers)
    if isinstance(s, cst.With):
        return _completes(_block(s.body))
    if isinstance(s, cst.Match):
        wildcard = any(isinstance(c.pattern, cst.MatchAs) and c.pattern.pattern is None and c.guard is None
                       for c in s.cases)
        return not wildcard or any(_completes(_block(c.body)) for c in s.cases)
    return True  # for, def, class...: may end


def _small_completes(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, cst.Return | cst.Raise):
        return False
    if isinstance(small, cst.Assert):
        return not (isinstance(small.test, cst.Name) and small.test.value == "False")
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        return (dotted(small.value.func) or "") not in NEVER_RETURN
    return True


def _breaks(node: cst.CSTNode) -> bool:
    """Whether a ``break`` of this loop (not of a nested one) is in ``node``."""
    found = False

    class Breaks(cst.CSTVisitor):
        def visit_Break(self, _node: cst.Break) -> None:
            nonlocal found
            found = True

        def visit_For(self, _node: cst.For) -> bool:
            return False

        def visit_While(self, _node: cst.While) -> bool:
            return False

        def visit_FunctionDef(self, _node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, _node: cst.ClassDef) -> bool:
            return False

    node.visit(Breaks())
    return found


class _Returns(cst.CSTVisitor):
    """A function body's own returns and yields (not those of nested defs, classes or lambdas)."""

    def __init__(self) -> None:
        self.none_returned = False
        self.yields = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None or (isinstance(node.value, cst.Name) and node.value.value == "None"):
            self.none_returned = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.yields = True


def find_function(tree: cst.Module, path: list[str]) -> cst.FunctionDef | None:
    """The def at ``path`` (``["Cls", "method"]``) among the module's top-level statements and
    class bodies, or ``None``."""
    body = tree.body
    for i, name in enumerate(path):
        last = i == len(path) - 1
        wanted = cst.FunctionDef if last else cst.ClassDef
        node = next((n for n in body if isinstance(n, wanted) and n.name.value == name), None)
        if node is None:
            return None
        if last:
            return node
        body = _block(node.body)
    return None


def none_checker(program: Program) -> Callable[[str, str], bool]:
    """``check(module, symbol)``: whether that function of the analyzed source may return
    ``None`` (see :func:`may_return_none`); ``False`` when it is not found. The modules are the
    extraction's own parses (``program.parsed``), so none is read or parsed twice."""

    def check(module: str, symbol: str) -> bool:
        if module not in program.modules or not symbol.startswith(module + "."):
            return False
        fn = find_function(program.parsed(module).tree, symbol[len(module) + 1:].split("."))
        return fn is not None and may_return_none(fn)

    return check
