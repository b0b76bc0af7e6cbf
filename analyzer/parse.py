"""One lean libcst pass per file: source bytes -> :class:`ModuleFacts`.

Why a hand-written walker instead of ``CSTVisitor`` + ``PositionProvider``: on this kind of
machine the generic visitor costs about 0.7x the parse itself and the position metadata
about 2x, while the performance goal leaves room for a fraction of the parse time. The walker
descends only into statements and expressions, records facts as small reference strings
(see :mod:`analyzer.facts`), and recovers line numbers by scanning the source text forward
in step with the walk (definitions exactly; call sites by their callee name).

This is a pure function of (path, module name, source bytes): it never imports or runs the
analyzed code, and a file that does not parse becomes a ``ParseFailure``, never a crash.
"""

from __future__ import annotations

import builtins
import re
import sys
import threading
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from sys import intern

import libcst as cst

from analyzer.facts import (
    OPAQUE,
    TEMPLATE,
    TEMPLATE_CLOSE,
    TEMPLATE_MARKS,
    TEMPLATE_OPEN,
    Arg,
    AttrStore,
    Binding,
    Call,
    Decorator,
    Definition,
    Import,
    ModuleFacts,
    Param,
    ParseFailure,
    StringRef,
    With,
    absolute,
    annotation_members,
    argument_rows,
    format_fields,
    is_template,
    source_hash,
)

# builtin exception classes: ``raise ValueError`` (no call) instantiates nothing of the project
_BUILTIN_EXCEPTIONS = frozenset(name for name, value in vars(builtins).items()
                                if isinstance(value, type) and issubclass(value, BaseException))

MAX_FILE_BYTES = 8 * 1024 * 1024  # bigger files are generated code: recorded and skipped
MAX_ROWS = 2000  # longer lists of tuples are data tables, not registrations: their rows are not kept
MAX_ROW_ITEMS = 8

_SQL = re.compile(r"(?is)\b(select\b.+\bfrom|insert\s+into|update\s+\S+\s+set|delete\s+from)\b")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_STMT_START = {
    cst.Import: re.compile(r"\b(import)\b"),
    cst.ImportFrom: re.compile(r"\b(from)\b"),
    cst.Return: re.compile(r"\b(return)\b"),
    cst.Raise: re.compile(r"\b(raise)\b"),
}
_WITH = re.compile(r"\b(with)\b")
_FOR = re.compile(r"\b(for)\b")


def _skip_validation(self) -> None:
    """Stands in for ``CSTNode.__post_init__`` while the parser builds a tree."""


def _parse_trusted(text: str) -> cst.Module:
    """``libcst.parse_module`` without re-validating the nodes the parser builds.

    Every libcst node checks its own fields when it is constructed (``CSTNode.__post_init__``
    calls ``_validate``: whitespace, parentheses, operator spacing). A tree that the parser
    has just built from source is valid by construction, and those checks are about a fifth
    of the parse (libcst's own comment there says as much). They are skipped here, only for
    the duration of the parse: nodes built by hand elsewhere (the extract codemods) are still
    checked. The nodes are also made without going through their dataclass ``__init__``
    (:mod:`analyzer.lean_nodes`). If libcst ever moves either hook, the plain parse runs.
    """
    from analyzer import lean_nodes

    base = getattr(cst, "CSTNode", None)
    original = base.__dict__.get("__post_init__") if base is not None else None
    if original is None:
        return cst.parse_module(text)
    base.__post_init__ = _skip_validation
    try:
        with lean_nodes.lean_construction() as lean:
            try:
                return cst.parse_module(text)
            except TypeError:
                if not lean:
                    raise
                lean_nodes.disable()  # a libcst that calls its node classes otherwise
        return cst.parse_module(text)
    finally:
        base.__post_init__ = original


def parse_module_facts(path: str, module: str, source: bytes, is_package: bool = False) -> ModuleFacts:
    """Parse one file into facts; failures become ``ModuleFacts.error``."""
    sha = source_hash(source)
    nlines = source.count(b"\n") + (0 if source.endswith(b"\n") or not source else 1)
    if len(source) > MAX_FILE_BYTES:
        return _failed(path, module, is_package, nlines, sha,
                       ParseFailure(path, None, f"file is {len(source) // 1024} KiB, over the "
                                    f"{MAX_FILE_BYTES // 1024 // 1024} MiB limit", "size"))
    if b"\x00" in source:
        return _failed(path, module, is_package, nlines, sha,
                       ParseFailure(path, None, "file contains null bytes", "decode"))
    try:
        text = _decode(source)
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        return _failed(path, module, is_package, nlines, sha,
                       ParseFailure(path, getattr(exc, "lineno", None), f"cannot decode: {exc}", "decode"))
    too_deep = _too_deep(text)
    if too_deep:
        return _failed(path, module, is_package, nlines, sha, ParseFailure(path, too_deep[0], too_deep[1], "syntax"))
    try:
        tree = _parse_trusted(text)
    except cst.ParserSyntaxError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
        line, message = _cpython_location(text, exc.raw_line, message)
        return _failed(path, module, is_package, nlines, sha, ParseFailure(path, line, message, "syntax"))
    except RecursionError:
        return _failed(path, module, is_package, nlines, sha,
                       ParseFailure(path, None, "expression nesting too deep to parse", "syntax"))
    except Exception as exc:  # the native parser reports some errors as other exceptions
        return _failed(path, module, is_package, nlines, sha,
                       ParseFailure(path, None, f"cannot parse: {type(exc).__name__}: {exc}", "syntax"))
    walker = _Walker(module, is_package, text)
    _walking.walker = walker
    try:
        walker.walk_module(tree)
    except RecursionError:
        return _failed(path, module, is_package, nlines, sha,
                       ParseFailure(path, None, "expression nesting too deep to analyze", "syntax"))
    except Exception as exc:  # noqa: BLE001 - a construct our walker mishandles: skip this file, go on
        return _failed(path, module, is_package, nlines, sha,
                       ParseFailure(path, None, f"parsed, but the analysis of it failed ({type(exc).__name__}: "
                                    f"{exc}); please report it", "internal"))
    finally:
        _walking.walker = None
    return ModuleFacts(
        module=module,
        path=path,
        is_package=is_package,
        lines=nlines,
        sha=sha,
        definitions=tuple(walker.definitions),
        imports=tuple(walker.imports),
        calls=tuple(walker.calls),
        bindings=tuple(walker.bindings),
        withs=tuple(walker.withs),
        strings=tuple(walker.strings),
        stores=tuple(walker.stores),
    )


_BRACKETS = re.compile(r"[()\[\]{}]")
# what a header line's brackets are counted without: strings on the line, and its comment
_HEADER_NOISE = re.compile(r"""[rRbBuUfF]{0,2}("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|#.*""")
MAX_NESTING = 400  # libcst's native parser overflows its stack near 2,000; CPython stops at 200
MAX_CHAIN = 2000  # chained operators in one expression before the tree is too deep to build safely
_LONG_REGION = 100_000  # a bracketed region or a line this long is screened token by token

# One token of the precise screen: strings and comments (skipped), brackets, commas,
# newlines, and what chains an expression deeper (operators, attribute dots, keywords).
_TOKENS = re.compile(
    r"(?P<triple>[rRbBuUfF]{0,2}(?:\"\"\"|'''))"
    r"|(?P<string>[rRbBuUfF]{0,2}(?:\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'))"
    r"|(?P<comment>\#[^\n]*)"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<sep>[,;])|(?P<nl>\n)"
    r"|(?P<op>\.(?=[A-Za-z_])|[-+*/%|&^@~]|\b(?:and|or|not|if|lambda|await)\b)"
)


def _too_deep(text: str) -> tuple[int | None, str] | None:
    """Screen for inputs that would overflow the native parser's stack (a crash, not an error).

    A cheap pass over the brackets flags the suspects (deep nesting, a huge bracketed region,
    a huge line); only those get the precise, string-aware token scan, so brackets inside a
    string or a long table of numbers are never mistaken for deep code.
    """
    depth = deepest = 0
    opened = 0
    suspect = False
    for m in _BRACKETS.finditer(text):
        if m.group() in "([{":
            if depth == 0:
                opened = m.start()
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    suspect = True
                    break
        elif depth > 0:
            depth -= 1
            if depth == 0 and m.start() - opened > _LONG_REGION:
                suspect = True
                break
    if not suspect and len(text) > 6000:
        suspect = any(len(line) > 6000 for line in text.split("\n"))
    return _precise_depth(text) if suspect else None


def _precise_depth(text: str) -> tuple[int | None, str] | None:
    depth = chain = 0
    pos, n = 0, len(text)
    search = _TOKENS.search
    while pos < n:
        m = search(text, pos)
        if m is None:
            break
        kind = m.lastgroup
        pos = m.end()
        if kind == "triple":
            quote = m.group()[-3:]
            close = text.find(quote, pos)
            pos = n if close == -1 else close + 3
        elif kind == "open":
            depth += 1
            prev = text[m.start() - 1] if m.start() else ""
            if prev.isalnum() or prev in "_)]":
                chain += 1  # a call or subscript trailer: f()()() nests as deep as it is long
            if depth > MAX_NESTING:
                return text.count("\n", 0, m.start()) + 1, f"brackets nested more than {MAX_NESTING} deep"
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "sep":
            chain = 0
        elif kind == "nl":
            if depth == 0:
                chain = 0
        elif kind == "op":
            chain += 1
        if chain > MAX_CHAIN:
            return (text.count("\n", 0, m.start()) + 1,
                    f"an expression chaining more than {MAX_CHAIN} operators (too deep to parse safely)")
    return None


def _cpython_location(text: str, line: int | None, message: str) -> tuple[int | None, str]:
    """CPython's own parser points at the mistake more precisely than libcst's error recovery
    does (libcst often names the next token's line); ask it, only for files that failed.
    ``ast.parse`` compiles nothing and runs nothing."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        if exc.lineno:
            detail = f"{exc.msg} (line {exc.lineno})" if exc.msg else message
            return exc.lineno, detail
    except (RecursionError, MemoryError, ValueError):
        pass
    return line, message


def _failed(path, module, is_package, nlines, sha, failure: ParseFailure) -> ModuleFacts:
    return ModuleFacts(module=module, path=path, is_package=is_package, lines=nlines, sha=sha, error=failure)


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _decode(source: bytes) -> str:
    """Decode like the interpreter: BOM, then a PEP 263 cookie on line 1 or 2, else UTF-8."""
    if source.startswith(b"\xef\xbb\xbf"):
        return source[3:].decode("utf-8")
    encoding = "utf-8"
    for line in source.split(b"\n", 2)[:2]:
        m = _COOKIE.match(line)
        if m:
            encoding = m.group(1).decode("ascii")
            break
        if line.strip() and not line.lstrip().startswith(b"#"):
            break
    return source.decode(encoding)


# -- expressions as reference strings ---------------------------------------------------------

def expr_str(node: cst.BaseExpression | None) -> str | None:
    """``a.b().c[]`` for attribute/call/subscript chains on a name; ``None`` otherwise.

    Interned: a module names the same few things again and again (``session``, ``item_id``),
    and one string object per occurrence was a third of the facts' memory on a dense tree.
    Equal strings that are one object are pickled once per module and decoded once."""
    t = type(node)
    if t is cst.Name:
        return intern(node.value)
    if t is cst.Attribute:
        base = expr_str(node.value)
        return None if base is None else intern(f"{base}.{node.attr.value}")
    if t is cst.Call:
        base = expr_str(node.func)
        return None if base is None else intern(f"{base}()")
    if t is cst.Subscript:
        base = expr_str(node.value)
        return None if base is None else intern(f"{base}[]")
    if t is cst.Await:
        return expr_str(node.expression)
    if t is cst.BooleanOperation:
        # ``(name or "")`` is the idiom for a default: the literal tells the type
        right = _LITERAL_TYPES.get(type(node.right))
        return right if right is not None else expr_str(node.left)
    if t is cst.Lambda:
        walker = getattr(_walking, "walker", None)
        return walker.lambda_name(node) if walker is not None else None
    return _LITERAL_TYPES.get(t)


# The walker of the module this thread is walking, for the length of one walk, which names
# the lambdas :func:`expr_str` meets (a Dask worker may parse in threads).
_walking = threading.local()


# A literal stands for an instance of its builtin type, so ``"".join`` and ``{}.get`` resolve.
_LITERAL_TYPES = {
    cst.SimpleString: "str()", cst.ConcatenatedString: "str()", cst.FormattedString: "str()",
    cst.Integer: "int()", cst.Float: "float()", cst.Dict: "dict()", cst.DictComp: "dict()",
    cst.List: "list()", cst.ListComp: "list()", cst.Set: "set()", cst.SetComp: "set()",
    cst.Tuple: "tuple()",
}


def annotation_ref(node: cst.BaseExpression | None) -> str | None:
    """:func:`_annotation_ref`, interned as :func:`expr_str` is."""
    text = _annotation_ref(node)
    return None if text is None else intern(text)


def _annotation_ref(node: cst.BaseExpression | None) -> str | None:
    """The class an annotation names: ``Optional[Foo]``, ``Foo | None``, ``"Foo"``,
    ``Annotated[Foo, ...]`` and ``Mapped[Foo]`` all give ``Foo``; ``type[Foo]`` gives
    ``type[Foo]`` (the class itself: :meth:`analyzer.resolve.Resolver.annotated`); a union
    of several gives them all, joined by ``|`` (``Union[Foo, Bar]``, ``Foo | Bar | None``:
    ``Foo|Bar``)."""
    t = type(node)
    if t is cst.Name or t is cst.Attribute:
        return expr_str(node)
    if t is cst.SimpleString:
        inner = _string_text(node)
        if not inner:
            return None
        inner = inner.strip()
        if _DOTTED.match(inner) or inner.isidentifier():
            return inner
        if len(inner) < 200:  # a forward reference such as "Repo | None" or "Optional[Repo]"
            try:
                return _annotation_ref(cst.parse_expression(inner))
            except Exception:
                return None
        return None
    if t is cst.BinaryOperation and isinstance(node.operator, cst.BitOr):
        return _union((_annotation_ref(node.left), _annotation_ref(node.right)))
    if t is cst.Subscript:
        head = expr_str(node.value)
        last = head.rsplit(".", 1)[-1] if head else None
        if last == "Union" and node.slice:
            return _union(_annotation_ref(el.slice.value) for el in node.slice if isinstance(el.slice, cst.Index))
        if last in ("Optional", "Annotated", "Mapped", "Type", "type", "ClassVar", "Final") and node.slice:
            for el in node.slice:
                if isinstance(el.slice, cst.Index):
                    ref = _annotation_ref(el.slice.value)
                    if ref not in (None, "None"):
                        # ``type[Foo]`` is the class itself, not an instance of it (of each
                        # member, for ``type[Foo | Bar]``)
                        if last in ("Type", "type"):
                            return "|".join(r if r.startswith("type[") else f"type[{r}]"
                                            for r in annotation_members(ref))
                        return ref
            return None
        if last in _NOT_INSTANCES:
            return None
        if last in _CONTAINERS and node.slice:
            items = _items_ref(node.slice, last)
            if items is not None:
                return f"{head}[{items}]"  # ``list[Order]``: a list, whose items are orders
        return head  # a generic class given its parameters (``Select[tuple[User]]``, ``list[int]``)
    return None


# containers whose parameters type their items: the first (``list[Order]``), the last for a
# mapping, whose items are its values in the resolver's model (``dict[str, Order]``), every
# one for a tuple (``tuple[Order, Invoice]``)
_SEQUENCES = frozenset({"list", "List", "set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet",
                        "Sequence", "MutableSequence", "Collection", "Iterable", "Iterator", "Generator",
                        "AsyncIterable", "AsyncIterator", "AsyncGenerator", "deque", "Deque", "QuerySet"})
_MAPPINGS = frozenset({"dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "DefaultDict", "OrderedDict",
                       "ChainMap"})
_CONTAINERS = _SEQUENCES | _MAPPINGS | {"tuple", "Tuple"}


def _items_ref(slices, head: str) -> str | None:
    """What a container annotation says of its items (see ``_CONTAINERS``), or ``None``."""
    values = [el.slice.value for el in slices if isinstance(el.slice, cst.Index)]
    if not values:
        return None
    if head in _SEQUENCES:
        chosen = values[:1]
    elif head in _MAPPINGS:
        chosen = values[-1:] if len(values) == 2 else []
    else:
        chosen = [v for v in values if not isinstance(v, cst.Ellipsis)]
    return _union(annotation_ref(v) for v in chosen)


def _union(refs: Iterable[str | None]) -> str | None:
    """The members of a union that name something (not ``None``, not ``Literal[...]``),
    each once, in order."""
    out: list[str] = []
    for ref in refs:
        for part in annotation_members(ref or ""):
            if part != "None" and part not in out:
                out.append(part)
    return "|".join(out) or None


# subscripted forms whose values are no instances of the form itself
_NOT_INSTANCES = frozenset({"Literal", "Callable", "Concatenate", "Unpack", "Required", "NotRequired", "ReadOnly",
                            "TypeGuard", "TypeIs", "LiteralString", "Never", "NoReturn"})


def _alias_of(node: cst.BaseExpression) -> str | None:
    """The class a type alias stands for: ``CurrentUser = Annotated[User, Depends(...)]``
    (FastAPI's dependencies) and ``MaybeUser = Optional[User]`` are ``User``."""
    if type(node) is not cst.Subscript:
        return None
    head = expr_str(node.value)
    if not head or head.rsplit(".", 1)[-1] not in ("Annotated", "Optional"):
        return None
    ref = annotation_ref(node)
    ref = annotation_members(ref)[0] if ref else None  # one expression stands for the alias: the first member
    if not ref or ref.startswith("type["):
        return None
    return ref.split("[", 1)[0]  # ``Optional[list[Row]]``: a list (the expression cannot say of what)


def ann_text(node: cst.BaseExpression | None) -> str | None:
    """Source text of an annotation or default (a cheap code generator for common shapes),
    interned as :func:`expr_str` is."""
    text = _ann_text(node)
    return None if text is None else intern(text)


def _ann_text(node: cst.BaseExpression | None) -> str | None:
    if node is None:
        return None
    t = type(node)
    if t is cst.Name:
        return node.value
    if t is cst.Attribute:
        base = _ann_text(node.value)
        return f"{base}.{node.attr.value}"
    if t is cst.SimpleString or t is cst.Integer or t is cst.Float:
        return node.value
    if t is cst.Subscript:
        parts = []
        for el in node.slice:
            if isinstance(el.slice, cst.Index):
                parts.append(_ann_text(el.slice.value) or "...")
            else:
                parts.append("...")
        return f"{_ann_text(node.value)}[{', '.join(parts)}]"
    if t is cst.BinaryOperation and isinstance(node.operator, cst.BitOr):
        return f"{_ann_text(node.left)} | {_ann_text(node.right)}"
    if t is cst.List or t is cst.Tuple:
        inner = ", ".join(_ann_text(e.value) or "..." for e in node.elements)
        if t is cst.List:
            return f"[{inner}]"
        return f"({inner},)" if len(node.elements) == 1 else f"({inner})"  # ("x",) is no string
    if t is cst.Ellipsis:
        return "..."
    if t is cst.UnaryOperation and isinstance(node.operator, cst.Minus):
        return f"-{_ann_text(node.expression)}"
    if t is cst.Call:
        return f"{_ann_text(node.func)}(...)"
    if t is cst.Dict:
        return "{...}" if node.elements else "{}"
    return "..."


def _string_text(node) -> str | None:
    """The text of a plain string literal without evaluating escapes (cheap and safe)."""
    raw = node.value
    i = 0
    while i < len(raw) and raw[i] not in "'\"":
        i += 1
    prefix = raw[:i].lower()
    if "b" in prefix:
        return None
    body = raw[i:]
    q = 3 if body[:3] in ('"""', "'''") else 1
    text = body[q:-q] if len(body) >= 2 * q else ""
    if "\\" in text and "r" not in prefix:
        try:
            return node.evaluated_value if isinstance(node.evaluated_value, str) else None
        except Exception:
            return text
    return text


def _template(node: cst.FormattedString) -> str | None:
    """An f-string as a template for :func:`analyzer.facts.fill_template`: a value that is a
    name or an attribute chain (``rf"{USER_PATH}/inbox/?$"``) is filled from the constant it
    is bound to, any other (a call, a format spec) is a part known only at run time
    (``analyzer.facts.OPAQUE``). None for text with an escape to evaluate."""
    raw = "r" in node.start.lower()
    out = [TEMPLATE]
    for p in node.parts:
        if type(p) is cst.FormattedStringText:
            text = p.value
            if not raw and "\\" in text or any(c in text for c in TEMPLATE_MARKS):
                return None
            out.append(text.replace("{{", "{").replace("}}", "}"))
        else:
            plain = p.conversion is None and p.format_spec is None and not p.equal
            out.append(_part(p.expression, plain))
    return "".join(out)


def _plain(value: object) -> bool:
    """A literal with no value inside (a template holds names or code)."""
    return value is not None and not is_template(value)


def _part(node, plain: bool = True) -> str:
    """One part of a template: a name or an attribute chain is a reference to fill; anything
    else, or a value formatted on the way, is opaque (its text, for the pattern)."""
    ref = expr_str(node)
    if ref is None or not plain or "(" in ref or "[" in ref or any(c in ref for c in TEMPLATE_MARKS):
        ref = OPAQUE + (ref if ref is not None and not any(c in ref for c in TEMPLATE_MARKS) else "...")
    return f"{TEMPLATE_OPEN}{ref}{TEMPLATE_CLOSE}"


def _format_template(node: cst.Call) -> str | None:
    """``"^{}api/v2/".format(prefix)`` as a template (see :func:`_template`): each replacement
    field the argument it names, a string or number literal in place. None for a field that
    names no argument, a starred argument, or a receiver that is not a string literal."""
    func = node.func
    if type(func) is not cst.Attribute or func.attr.value != "format":
        return None
    text = literal(func.value) if type(func.value) in _STRINGS else None
    if not isinstance(text, str) or any(c in text for c in TEMPLATE_MARKS):
        return None
    positional: list = []
    named: dict[str, object] = {}
    for a in node.args:
        if a.star:
            return None
        if a.keyword is not None:
            named[a.keyword.value] = a.value
        else:
            positional.append(a.value)
    fields = format_fields(text, positional, named)
    if fields is None:
        return None
    out = [TEMPLATE]
    for chunk, value, plain in fields:
        out.append(chunk)
        if value is not None:
            out.append(_piece(value, plain))
    return "".join(out)


def _piece(node, plain: bool = True) -> str:
    """A part of a built string: a literal in place (a template's own parts kept), else a
    reference (:func:`_part`)."""
    value = literal(node) if plain else None
    if isinstance(value, str):
        if is_template(value):
            return value[len(TEMPLATE):]
        if not any(c in value for c in TEMPLATE_MARKS):
            return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _part(node, plain)


def _sum_template(node: cst.BinaryOperation) -> str | None:
    """``"/api/" + PREFIX`` or ``BASE + "/items"`` as a template: a sum with a string literal
    on one side at least (so that it is a string), its names references."""
    terms: list = []
    stack = [node]
    while stack:
        n = stack.pop()
        if type(n) is cst.BinaryOperation and type(n.operator) is cst.Add:
            stack += [n.right, n.left]
        else:
            terms.append(n)
    if not any(type(t) in _STRINGS or type(t) is cst.FormattedString for t in terms) \
            or any(type(t) in (cst.Integer, cst.Float) for t in terms):
        return None
    out = "".join(_piece(t) for t in terms)
    return TEMPLATE + out if TEMPLATE_OPEN in out else out


_PERCENT = re.compile(r"%(.)")


def _percent_template(node: cst.BinaryOperation) -> str | None:
    """``"clean_%s" % name``, ``"%s.admin" % app.name``, ``"/%s/%d/" % (a, b)`` as a template:
    printf-style fields without keys, widths or precision; ``%s`` takes its value as a plain
    part, the other conversions as run-time parts. None for anything else."""
    text = literal(node.left) if type(node.left) in _STRINGS else None
    if not isinstance(text, str) or any(c in text for c in TEMPLATE_MARKS):
        return None
    if type(node.right) is cst.Tuple:
        if any(type(el) is cst.StarredElement for el in node.right.elements):
            return None  # ``"%s-%s" % (*parts,)``: how many values is known at run time only
        values = [el.value for el in node.right.elements]
    else:
        values = [node.right]
    out = [TEMPLATE]
    start = 0
    taken = 0
    for m in _PERCENT.finditer(text):
        conversion = m.group(1)
        out.append(text[start:m.start()])
        start = m.end()
        if conversion == "%":
            out.append("%")
            continue
        if conversion not in "sdirf" or taken >= len(values):
            return None
        out.append(_piece(values[taken], plain=conversion == "s"))
        taken += 1
    if taken != len(values) or "%" in text[start:]:
        return None
    out.append(text[start:])
    return "".join(out) if taken else "".join(out[1:])


def literal(node) -> object:
    """A JSON-able literal value, or None when the expression is not a plain literal."""
    t = type(node)
    if t is cst.SimpleString:
        return _string_text(node)
    if t is cst.ConcatenatedString:
        left, right = literal(node.left), literal(node.right)
        if not isinstance(left, str) or not isinstance(right, str):
            return None
        if is_template(left) or is_template(right):  # ``f"{a}/" "b"``: one template
            return TEMPLATE + left.removeprefix(TEMPLATE) + right.removeprefix(TEMPLATE)
        return left + right
    if t is cst.FormattedString:
        return _template(node)
    if t is cst.Call:
        return _format_template(node)
    if t is cst.BinaryOperation and type(node.operator) is cst.Add:
        return _sum_template(node)
    if t is cst.BinaryOperation and type(node.operator) is cst.Modulo:
        return _percent_template(node)
    if t is cst.Integer:
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    if t is cst.Name and node.value in ("True", "False"):
        return node.value == "True"
    if t is cst.List or t is cst.Tuple or t is cst.Set:
        items = []
        for el in node.elements:
            if not isinstance(el, cst.Element):
                return None
            v = literal(el.value)
            if v is None:
                return None
            items.append(v)
        return tuple(items)
    return None


_STRINGS = (cst.SimpleString, cst.ConcatenatedString)
_COMPOSED = (cst.Name, cst.BinaryOperation, cst.List, cst.Tuple, cst.Set, cst.Call)  # what _Walker._composed may fold
# methods that put a value into a list, set or deque: name -> the position of the value
_ADDING = {"append": 0, "add": 0, "appendleft": 0, "insert": 1, "extend": 0}
MAX_PAIRS = 16
# translation calls: ``_("Select currency from available options")`` is prose, not SQL
_TRANSLATIONS = frozenset({"_", "gettext", "gettext_lazy", "ugettext", "ugettext_lazy", "pgettext", "pgettext_lazy",
                           "ngettext", "ngettext_lazy", "lazy_gettext", "_l", "_lazy"})


def _string_pairs(node: cst.Dict) -> tuple | None:
    """A small dict of strings as an argument, as ``(key, value)`` pairs: DRF's
    ``ViewSet.as_view({"get": "list", "post": "create"})``. None for any other dict."""
    pairs = []
    for el in node.elements:
        if not isinstance(el, cst.DictElement) or len(pairs) >= MAX_PAIRS:
            return None
        key, value = literal(el.key), literal(el.value)
        if not isinstance(key, str) or not isinstance(value, str):
            return None
        pairs.append((key, value))
    return tuple(pairs) if pairs else None


def _option_pairs(node: cst.Dict) -> tuple | None:
    """A small dict of literals with string keys in a class body, as ``(key, value)`` pairs:
    MongoEngine's ``meta = {"abstract": True, "collection": "pages"}``. None for any other."""
    pairs = []
    for el in node.elements:
        if not isinstance(el, cst.DictElement) or len(pairs) >= MAX_PAIRS:
            return None
        key, value = literal(el.key), literal(el.value)
        if not isinstance(key, str) or value is None:
            return None
        pairs.append((key, value))
    return tuple(pairs) if pairs else None


@dataclass(slots=True)
class _Frame:
    qualname: str
    kind: str  # module | class | function | method
    cls: str | None = None  # class qualname for methods (and their nested defs)
    self_name: str | None = None
    globals: set[str] | None = None  # names a function declares ``global``


_FUNC_TYPES = (cst.FunctionDef,)


class _Walker:
    def __init__(self, module: str, is_package: bool, text: str) -> None:
        self.module = module
        self.is_package = is_package
        self.text = text
        self.definitions: list[Definition] = []
        self.imports: list[Import] = []
        self.calls: list[Call] = []
        self.bindings: list[Binding] = []
        self._sequences: dict[str, tuple] = {}  # module-level names bound to literal sequences, so far
        self.withs: list[With] = []
        self.strings: list[StringRef] = []
        self._prose = 0  # inside a translation call's arguments: its text is prose, not SQL
        self.stores: list[AttrStore] = []
        self.frames: list[_Frame] = [_Frame(module, "module")]
        self.lambda_names: dict[int, str] = {}  # node id -> ``<lambdaN>`` (see lambda_name)
        self._lambda_counts: dict[str, int] = {}  # scope -> lambdas named in it so far
        self.cursor = 0
        self._def_floor = 0  # just after the last definition header found (see _find_def)
        self._line_starts: list[int] | None = None
        self._indents: list[int | None] | None = None

    # -- line bookkeeping ------------------------------------------------------------------
    def line_at(self, offset: int) -> int:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return bisect_right(self._line_starts, offset)

    def _seek(self, pattern: re.Pattern, window: int | None = None) -> int | None:
        end = len(self.text) if window is None else min(len(self.text), self.cursor + window)
        m = pattern.search(self.text, self.cursor, end)
        if m is None:
            return None
        self.cursor = m.end()
        return self.line_at(m.start(1) if m.lastindex else m.start())

    def _find_word(self, word: str, start: int, end: int, call: bool = False) -> int | None:
        """Offset of ``word`` as a whole identifier (followed by ``(`` when ``call``).

        Plain ``str.find`` plus boundary checks: compiling a regular expression for every
        distinct name cost more than the rest of the walk on large trees."""
        text = self.text
        size = len(text)
        n = len(word)
        i = text.find(word, start, end)
        while i != -1:
            before = text[i - 1] if i else " "
            j = i + n
            after = text[j] if j < size else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                if not call:
                    return i
                while j < size and text[j] in " \t\r\n\\":
                    j += 1
                if j < size and text[j] == "(":
                    return i
            i = text.find(word, i + 1, end)
        return None

    def _seek_name(self, name: str) -> None:
        end = min(len(self.text), self.cursor + 4000)
        i = self._find_word(name, self.cursor, end)
        if i is not None:
            self.cursor = self.text.rfind("\n", 0, i) + 1  # stay before the value's calls

    def current_line(self) -> int:
        return self.line_at(self.cursor)

    def block_end(self, line: int) -> int:
        """Last line of the indented block whose header starts on ``line`` (1-based): the
        header runs to the line where its brackets close (``def f(\\n    a,\\n):`` ends on
        the ``):`` line, whatever its indentation), and the block is every deeper line after."""
        indents = self._indentation()
        n = len(indents)
        if line < 1 or line > n:
            return line
        base = indents[line - 1]
        if base is None:
            return line
        last = self._header_end(line)
        i = last  # index of the line after the header (0-based = its 1-based number)
        while i < n:
            ind = indents[i]
            if ind is None:  # inside a string that a line of the block opened
                last = i + 1
                i += 1
                continue
            if ind == -1:
                i += 1
                continue
            if ind <= base:
                break
            last = i + 1
            i += 1
        return last

    def _header_end(self, header: int) -> int:
        """The line (1-based) where a header starting on ``header`` ends: its brackets are
        closed and it does not continue with a backslash. Strings and comments are skipped;
        a header still open after 200 lines is taken to end where it starts."""
        lines = self._lines()
        depth = 0
        for j in range(header - 1, min(len(lines), header + 199)):
            code = lines[j]
            if "'" in code or '"' in code or "#" in code:
                code = _HEADER_NOISE.sub("", code)
            code = code.rstrip()
            depth += code.count("(") + code.count("[") + code.count("{") \
                - code.count(")") - code.count("]") - code.count("}")
            if depth <= 0 and not code.endswith("\\"):
                return j + 1
        return header

    def _lines(self) -> list[str]:
        if not hasattr(self, "_split"):
            self._split = self.text.split("\n")
        return self._split

    def _indentation(self) -> list[int | None]:
        """Per line: its indentation, -1 for blank/comment lines, None inside a string."""
        if self._indents is None:
            out: list[int | None] = []
            in_string: str | None = None
            for raw in self._lines():
                if in_string is not None:
                    out.append(None)
                else:
                    stripped = raw.lstrip()
                    if not stripped or stripped.startswith("#"):
                        out.append(-1)
                    else:
                        out.append(len(raw) - len(stripped))
                if '"""' in raw or "'''" in raw:
                    in_string = _triple_state(raw, in_string)
            self._indents = out
        return self._indents

    # -- scopes ----------------------------------------------------------------------------
    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    def _resolve_relative(self, level: int, module: str | None) -> str:
        return absolute(self.module, self.is_package, level, module)

    # -- module ----------------------------------------------------------------------------
    def walk_module(self, tree: cst.Module) -> None:
        doc = _docstring(tree.body)
        nlines = self.text.count("\n") + (0 if self.text.endswith("\n") or not self.text else 1)
        self.definitions.append(
            Definition(self.module, "module", self.module.rsplit(".", 1)[-1], 1, max(1, nlines),
                       docstring=doc)
        )
        self.body(tree.body)

    def body(self, statements) -> None:
        for stmt in statements:
            self.stmt(stmt)

    def suite(self, node) -> None:
        """An indented block or a one-line ``if x: y`` body."""
        if isinstance(node, cst.IndentedBlock):
            self.body(node.body)
        elif isinstance(node, cst.SimpleStatementSuite):
            for small in node.body:
                self.small(small)

    def stmt(self, node) -> None:
        t = type(node)
        if t is cst.SimpleStatementLine:
            for small in node.body:
                self.small(small)
        elif t is cst.FunctionDef:
            self.function(node)
        elif t is cst.ClassDef:
            self.klass(node)
        elif t is cst.If:
            self.expr(node.test)
            self.suite(node.body)
            orelse = node.orelse
            while orelse is not None:
                if isinstance(orelse, cst.If):
                    self.expr(orelse.test)
                    self.suite(orelse.body)
                    orelse = orelse.orelse
                else:
                    self.suite(orelse.body)
                    orelse = None
        elif t is cst.For:
            self._seek(_FOR, 4000)
            it = node.iter
            self.expr(it)
            items = it.elements if type(it) in (cst.Tuple, cst.List) and type(node.target) is cst.Name else None
            if items and all(isinstance(el, cst.Element) for el in items):
                for el in items:  # ``for model in (Order, Refund):`` holds each in turn
                    self.bind_target(node.target, expr_str(el.value), None, None)
            else:
                self.bind_target(node.target, _elem(expr_str(it)), None, None)
            self.suite(node.body)
            if node.orelse:
                self.suite(node.orelse.body)
        elif t is cst.While:
            self.expr(node.test)
            self.suite(node.body)
            if node.orelse:
                self.suite(node.orelse.body)
        elif t is cst.With:
            self.with_stmt(node)
        elif t is cst.Try or t is cst.TryStar:
            self.suite(node.body)
            for h in node.handlers:
                if h.type is not None:
                    self.expr(h.type)
                self.suite(h.body)
            if node.orelse:
                self.suite(node.orelse.body)
            if node.finalbody:
                self.suite(node.finalbody.body)
        elif t is cst.Match:
            self.expr(node.subject)
            for case in node.cases:
                if case.guard is not None:
                    self.expr(case.guard)
                self.suite(case.body)
        # Other compound statements carry nothing we record.

    def small(self, node) -> None:
        t = type(node)
        pat = _STMT_START.get(t)
        if pat is not None:
            self._seek(pat, 4000)
        elif t is cst.Assign or t is cst.AnnAssign or t is cst.AugAssign:
            target = node.targets[0].target if t is cst.Assign else node.target
            head = target
            while type(head) in (cst.Attribute, cst.Subscript):
                head = head.value
            if type(head) is cst.Name:
                self._seek_name(head.value)
        if t is cst.Expr:
            value = node.value
            inner = value.expression if type(value) is cst.Await else value
            if type(inner) is cst.Call:
                self.call(inner, used=False)
            else:
                self.expr(value)
        elif t is cst.Assign:
            value = node.value
            start = self.cursor
            call_index = self.expr_call(value)
            after = self.cursor
            expr = _alias_of(value) or expr_str(value)
            for target in node.targets:
                self.cursor = start  # a target's calls (``d.setdefault(k, {})[x] = v``) precede the value
                self.bind_target(target.target, expr, value, call_index)
            self.cursor = max(self.cursor, after)
        elif t is cst.AnnAssign:
            call_index = self.expr_call(node.value) if node.value is not None else None
            ann = annotation_ref(node.annotation.annotation)
            target = node.target
            self.bind_target(target, expr_str(node.value) if node.value is not None else None,
                             node.value, call_index, annotation=ann)
        elif t is cst.AugAssign:
            self.expr(node.value)
            if type(node.target) is cst.Attribute:
                self.store(node.target)
        elif t is cst.Return:
            if node.value is not None:
                call_index = self.expr_call(node.value)
                self.add_binding("<return>", expr_str(node.value), node.value, call_index)
        elif t is cst.Import:
            self.import_(node)
        elif t is cst.ImportFrom:
            self.import_from(node)
        elif t is cst.Raise:
            exc = node.exc
            if exc is not None and type(exc) is cst.Name and exc.value in _BUILTIN_EXCEPTIONS:
                pass  # ``raise StopIteration`` reaches no code of the project
            elif exc is not None and type(exc) in (cst.Name, cst.Attribute):
                # ``raise Error`` instantiates the class: the same as ``raise Error()``
                self.calls.append(Call(self.frame.qualname, expr_str(exc), (), self.current_line(), True,
                                       len(self.calls)))
            elif exc is not None:
                self.expr(exc)
        elif t is cst.Assert:
            self.expr(node.test)
        elif t is cst.Del:
            pass
        elif t is cst.Global and self.frame.kind in ("function", "method"):
            if self.frame.globals is None:
                self.frame.globals = set()
            self.frame.globals.update(n.name.value for n in node.names)
        # pass, break, continue, nonlocal: nothing

    # -- definitions -----------------------------------------------------------------------
    def decorators(self, node) -> tuple[Decorator, ...]:
        out = []
        for dec in node.decorators:
            d = dec.decorator
            line = self.current_line()
            if type(d) is cst.Call:
                idx = self.call(d, used=True)
                out.append(Decorator(expr_str(d.func), self.calls[idx].args, self.calls[idx].line))
            else:
                self.expr(d)
                out.append(Decorator(expr_str(d), None, line))
        return tuple(out)

    def _find_def(self, keyword: str, name: str) -> int:
        """Line of ``def name`` / ``class name`` at the start of a line, searched from the
        previous definition's header, not from the cursor: definitions are met in source
        order, while the cursor may have run ahead looking for a call's name (one found
        further down would otherwise put this and every later definition too low). The
        cursor comes back to the header, so the body's calls are found from there."""
        text = self.text
        # the header as usually written (``def name(``, one space): one find, not a visit to
        # every use of a common name (``get``, ``save``) since the previous definition
        probe = f"{keyword} {name}"
        j = text.find(probe, self._def_floor)
        while j != -1:
            end = j + len(probe)
            line_start = text.rfind("\n", 0, j) + 1
            if (end >= len(text) or not (text[end].isalnum() or text[end] == "_")) \
                    and text[line_start:j].strip() in ("", "async"):
                self.cursor = self._def_floor = end
                return self.line_at(j + len(keyword) + 1)
            j = text.find(probe, j + 1)
        i = self._find_word(name, self._def_floor, len(text))  # ``def  name``, ``class\tName``
        while i is not None:
            line_start = text.rfind("\n", 0, i) + 1
            prefix = text[line_start:i].split()
            if (keyword == "class" and prefix == ["class"]) or (
                keyword == "def" and prefix in (["def"], ["async", "def"])
            ):
                self.cursor = self._def_floor = i + len(name)
                return self.line_at(i)
            i = self._find_word(name, i + 1, len(text))
        return self.current_line()

    def function(self, node: cst.FunctionDef) -> None:
        decorators = self.decorators(node)
        name = intern(node.name.value)
        line = self._find_def("def", name)
        end_line = self.block_end(line) if isinstance(node.body, cst.IndentedBlock) else self._header_end(line)
        parent = self.frame
        kind = "method" if parent.kind == "class" else "function"
        qualname = f"{parent.qualname}.{name}"
        params = self.params(node.params)
        deco_names = {d.expr for d in decorators}
        self_name = None
        cls = parent.qualname if parent.kind == "class" else parent.cls
        if kind == "method" and params and "staticmethod" not in deco_names:
            if params[0].kind in ("positional", "positional_only"):
                self_name = params[0].name
        elif parent.kind in ("function", "method"):
            self_name = None
        self.definitions.append(
            Definition(
                qualname=qualname,
                kind=kind,
                name=name,
                line=line,
                end_line=max(end_line, line),
                decorators=decorators,
                params=params,
                returns=ann_text(node.returns.annotation) if node.returns else None,
                returns_expr=annotation_ref(node.returns.annotation) if node.returns else None,
                is_async=node.asynchronous is not None,
                docstring=_docstring(node.body.body) if isinstance(node.body, cst.IndentedBlock) else None,
            )
        )
        self.frames.append(_Frame(qualname, kind, cls if kind == "method" else parent.cls,
                                  self_name if kind == "method" else parent.self_name
                                  if parent.kind != "module" else None))
        try:
            self.suite(node.body)
        finally:
            self.frames.pop()
        self.cursor = max(self.cursor, self._offset_of_line_end(end_line))

    def lambda_name(self, node: cst.Lambda) -> str:
        """``<lambdaN>``: a lambda is named the first time it is met, by the walk or by
        :func:`expr_str` reading the expression it stands in (``x = lambda: ...``), in the
        scope being walked then."""
        name = self.lambda_names.get(id(node))
        if name is None:
            scope = self.frame.qualname
            n = self._lambda_counts[scope] = self._lambda_counts.get(scope, 0) + 1
            name = self.lambda_names[id(node)] = intern(f"<lambda{n}>")
        return name

    def lambda_(self, node: cst.Lambda) -> None:
        """A lambda is a function of its own, named as PyCG names it (``<lambda1>``, counted
        per enclosing scope): its parameters take the arguments it is called with, its body
        is what it returns. The dependency graph gives its calls to the def that holds it
        (:func:`analyzer.facts.lambda_owner`)."""
        name = self.lambda_name(node)
        parent = self.frame
        qualname = f"{parent.qualname}.{name}"
        line = self.current_line()
        params = self.params(node.params)  # defaults are evaluated where the lambda is
        self.definitions.append(Definition(qualname=qualname, kind="function", name=name, line=line,
                                           end_line=line, params=params))
        self.frames.append(_Frame(qualname, "function", parent.cls,
                                  parent.self_name if parent.kind != "module" else None))
        try:
            call_index = self.expr_call(node.body)
            self.add_binding("<return>", expr_str(node.body), node.body, call_index)
        finally:
            self.frames.pop()

    def _offset_of_line_end(self, line: int) -> int:
        if self._line_starts is None:
            self.line_at(0)
        starts = self._line_starts
        return starts[line] if line < len(starts) else len(self.text)

    def params(self, p: cst.Parameters) -> tuple[Param, ...]:
        out: list[Param] = []

        def add(param: cst.Param, kind: str) -> None:
            ann = param.annotation.annotation if param.annotation else None
            if param.default is not None:
                self.expr(param.default)
            out.append(Param(intern(param.name.value), ann_text(ann), annotation_ref(ann),
                             ann_text(param.default) if param.default is not None else None, kind))

        for param in p.posonly_params:
            add(param, "positional_only")
        for param in p.params:
            add(param, "positional")
        if isinstance(p.star_arg, cst.Param):
            add(p.star_arg, "var_positional")
        for param in p.kwonly_params:
            add(param, "keyword_only")
        if p.star_kwarg is not None:
            add(p.star_kwarg, "var_keyword")
        return tuple(out)

    def klass(self, node: cst.ClassDef) -> None:
        decorators = self.decorators(node)
        name = intern(node.name.value)
        line = self._find_def("class", name)
        end_line = self.block_end(line) if isinstance(node.body, cst.IndentedBlock) else self._header_end(line)
        parent = self.frame
        qualname = f"{parent.qualname}.{name}"
        bases, keywords = [], []
        for arg in node.bases:
            self.expr(arg.value)
            value = arg.value
            if type(value) is cst.Call and _dotted(value.func).rpartition(".")[2] == "with_metaclass":
                # ``six.with_metaclass(Meta, Base, ...)`` (future, django.utils.six): the bases
                # are the arguments after the metaclass
                bases.extend(expr_str(a.value) for a in value.args[1:] if not a.star and a.keyword is None)
                continue
            bases.append(expr_str(value) if type(value) is not cst.Subscript else expr_str(value.value))
        for arg in node.keywords:
            self.expr(arg.value)
            keywords.append(self.arg(arg))
        self.definitions.append(
            Definition(
                qualname=qualname,
                kind="class",
                name=name,
                line=line,
                end_line=max(end_line, line),
                decorators=decorators,
                bases=tuple(bases),
                keywords=tuple(keywords),
                docstring=_docstring(node.body.body) if isinstance(node.body, cst.IndentedBlock) else None,
            )
        )
        self.frames.append(_Frame(qualname, "class", qualname, None))
        try:
            self.suite(node.body)
        finally:
            self.frames.pop()
        self.cursor = max(self.cursor, self._offset_of_line_end(end_line))

    def _composed(self, node) -> tuple | None:
        """A sequence built of literal sequences: ``DJANGO_APPS + LOCAL_APPS``, ``[*BASE, "x"]``,
        where the names are module-level literal sequences bound above (cookiecutter-django's
        settings); ``None`` when any part is not known."""
        t = type(node)
        if t is cst.Name:
            return self._sequences.get(node.value)
        if t is cst.Call:  # list(APPS), tuple(APPS)
            if (type(node.func) is cst.Name and node.func.value in ("list", "tuple") and len(node.args) == 1
                    and not node.args[0].star and node.args[0].keyword is None):
                return self._composed(node.args[0].value)
            return None
        if t is cst.BinaryOperation:
            if type(node.operator) is not cst.Add:
                return None
            left, right = self._composed(node.left), self._composed(node.right)
            return left + right if left is not None and right is not None else None
        if t is cst.List or t is cst.Tuple or t is cst.Set:
            items: list = []
            for el in node.elements:
                if isinstance(el, cst.StarredElement):
                    part = self._composed(el.value)
                    if part is None:
                        return None
                    items.extend(part)
                else:
                    v = literal(el.value)
                    if v is None:
                        v = self._composed(el.value) if type(el.value) in _COMPOSED else None
                        if v is None:
                            return None
                    items.append(v)
            return tuple(items)
        value = literal(node)
        return value if isinstance(value, tuple) else None

    def _joined(self, node: cst.Call) -> str | None:
        """``"|".join(STATUS_TYPES)`` of a literal sequence of strings (see :meth:`_composed`):
        the string it makes, which a URL pattern built of it then reads whole."""
        func = node.func
        if type(func) is not cst.Attribute or func.attr.value != "join" or type(func.value) not in _STRINGS \
                or len(node.args) != 1 or node.args[0].star or node.args[0].keyword is not None:
            return None
        sep = literal(func.value)
        items = self._composed(node.args[0].value) if type(node.args[0].value) in _COMPOSED else None
        if not isinstance(sep, str) or items is None or not all(isinstance(i, str) for i in items):
            return None
        text = sep.join(items)
        return None if any(c in text for c in TEMPLATE_MARKS) else text

    # -- imports ---------------------------------------------------------------------------
    def import_(self, node: cst.Import) -> None:
        line = self.current_line()
        for alias in node.names:
            name = _dotted(alias.name)
            asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            self.imports.append(Import(self.frame.qualname, intern(name), None, asname and intern(asname), line))

    def import_from(self, node: cst.ImportFrom) -> None:
        line = self.current_line()
        level = len(node.relative)
        module = intern(self._resolve_relative(level, _dotted(node.module) if node.module is not None else None))
        if isinstance(node.names, cst.ImportStar):
            self.imports.append(Import(self.frame.qualname, module, "*", None, line))
            return
        for alias in node.names:
            name = _dotted(alias.name)
            asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            self.imports.append(Import(self.frame.qualname, module, intern(name), asname and intern(asname), line))

    # -- bindings --------------------------------------------------------------------------
    def add_binding(self, name: str, expr: str | None, value_node, call_index: int | None,
                    annotation: str | None = None, scope: str | None = None) -> None:
        if scope is None and self.frame.globals and name in self.frame.globals:
            scope = self.module  # ``global project_repo; project_repo = Repo(db)``: the module's name
        value = literal(value_node) if value_node is not None else None
        if value is None and type(value_node) is cst.Dict and scope is None and self.frame.kind == "class":
            value = _option_pairs(value_node)  # ``meta = {"abstract": True}``: a class's own options
        if value is None and type(value_node) in _COMPOSED and scope is None and self.frame.kind in ("module", "class"):
            value = self._composed(value_node)  # names there are the module's (a function has locals)
            if value is None and type(value_node) is cst.Call:
                value = self._joined(value_node)
        here = self.frame.qualname
        if scope is None and self.frame.kind == "module" and not name.endswith("]"):
            if isinstance(value, tuple):
                self._sequences[name] = value
            else:
                self._sequences.pop(name, None)
        origin = here if scope is not None and scope != here else None
        name = intern(name)  # see expr_str
        self.bindings.append(
            Binding(scope or here, name, expr, self.current_line(), value, annotation, call_index, origin)
        )
        t = type(value_node)
        items = intern(f"{name}[]") if t in (cst.List, cst.Tuple, cst.Set, cst.Dict) else None  # the elements' name
        if t is cst.ListComp or t is cst.SetComp or t is cst.GeneratorExp:  # rows = [Row(k) for k in keys]
            e = expr_str(value_node.elt)
            if e is not None:
                self.bindings.append(Binding(scope or here, intern(f"{name}[]"), e, self.current_line(),
                                             origin=origin))
        if t is cst.List or t is cst.Tuple or t is cst.Set:
            if t is not cst.Set:
                self._rows(scope or here, name, value_node, origin)
            for el in value_node.elements:
                if isinstance(el, cst.Element):
                    e = expr_str(el.value)
                    if e is not None:
                        # the known strings of a list that is not all literal ([..., *env_apps]) keep
                        # their text: such elements are still settings that name code
                        text = literal(el.value) if value is None and type(el.value) in _STRINGS else None
                        self.bindings.append(Binding(scope or here, items, e, self.current_line(),
                                                     text, origin=origin))
                elif isinstance(el, cst.StarredElement):
                    e = expr_str(el.value)
                    if e is not None and "(" not in e and "[" not in e:  # [*other_urls]: its items
                        self.bindings.append(Binding(scope or here, items, f"{e}[]", self.current_line(),
                                                     origin=origin))
        elif t is cst.Dict:
            for el in value_node.elements:
                if isinstance(el, cst.DictElement):
                    e = expr_str(el.value)
                    if e is not None:
                        self.bindings.append(Binding(scope or here, items, e, self.current_line(),
                                                     origin=origin))

    def _rows(self, scope: str, name: str, node, origin: str | None) -> None:
        """The rows of a list of tuples that name code, ``ROUTES = [(Resource, "/a"), ...]``:
        ``ROUTES[k][i]`` is the i-th item of row k, so a loop over the rows keeps each row's
        items together (``for path, view in ROUTES: bp.add_url_rule(path, view_func=view)``).
        Rows of literals only (choices) are not recorded: no code is named there."""
        line = self.current_line()
        rows = [el.value for el in node.elements if isinstance(el, cst.Element)]
        if len(rows) > MAX_ROWS:
            return
        for k, row in enumerate(rows):
            if type(row) not in (cst.Tuple, cst.List) or not 2 <= len(row.elements) <= MAX_ROW_ITEMS \
                    or any(not isinstance(el, cst.Element) for el in row.elements) \
                    or all(_plain(literal(el.value)) for el in row.elements):
                continue
            for i, el in enumerate(row.elements):
                self.bindings.append(Binding(scope, f"{name}[{k}][{i}]", expr_str(el.value), line,
                                             literal(el.value), origin=origin))

    def bind_target(self, target, expr: str | None, value_node, call_index: int | None,
                    annotation: str | None = None) -> None:
        t = type(target)
        if t is cst.Name:
            self.add_binding(target.value, expr, value_node, call_index, annotation)
        elif t is cst.Attribute:
            self.store(target)
            base = target.value
            frame = self.frame
            if type(base) is cst.Name and frame.cls and (base.value == frame.self_name
                                                         or base.value == frame.cls.rpartition(".")[2]):
                # ``self.x = ...``, and ``Config._instance = Config()`` in a method of ``Config``
                # (a singleton's static ``instance()``): an attribute of the class
                self.add_binding(target.attr.value, expr, value_node, call_index, annotation, scope=frame.cls)
            else:
                self.expr(base)
        elif t is cst.Subscript:
            base = expr_str(target.value)
            self.expr(target.value)
            for el in target.slice:
                if isinstance(el.slice, cst.Index):
                    self.expr(el.slice.value)
            if base is not None and "." not in base and "(" not in base and expr is not None:
                self.bindings.append(Binding(self.frame.qualname, f"{base}[]", expr, self.current_line()))
            elif base is not None and expr is not None:
                head, _, attr = base.rpartition(".")
                frame = self.frame
                if head == frame.self_name and frame.cls and "[" not in attr:
                    self.bindings.append(Binding(frame.cls, f"{attr}[]", expr, self.current_line(),
                                                 origin=frame.qualname))
        elif t is cst.Tuple or t is cst.List:
            values = value_node.elements if type(value_node) in (cst.Tuple, cst.List) else None
            if values is not None and len(values) == len(target.elements) and not any(
                    isinstance(e, cst.StarredElement) for e in (*values, *target.elements)):
                for el, val in zip(target.elements, values):  # a, b = f1, f2
                    self.bind_target(el.value, expr_str(val.value), val.value, None)
            elif values is not None and not any(isinstance(e, cst.StarredElement) for e in values) and sum(
                    isinstance(e, cst.StarredElement) for e in target.elements) == 1 \
                    and len(values) >= len(target.elements) - 1:
                # a, *rest, z = f1, f2, f3, f4: the names around the star take the values at
                # their ends, the starred name a list of those between
                star = next(i for i, e in enumerate(target.elements) if isinstance(e, cst.StarredElement))
                after = len(target.elements) - star - 1
                for el, val in zip(target.elements[:star], values[:star]):
                    self.bind_target(el.value, expr_str(val.value), val.value, None)
                for el, val in zip(target.elements[star + 1:], values[len(values) - after:]):
                    self.bind_target(el.value, expr_str(val.value), val.value, None)
                rest = target.elements[star].value
                if type(rest) is cst.Name:
                    self.add_binding(rest.value, "list()", None, None)
                    for val in values[star:len(values) - after]:
                        self.add_binding(f"{rest.value}[]", expr_str(val.value), val.value, None)
                else:
                    self.bind_target(rest, None, None, None)
            elif expr is not None and expr.endswith("[]") and not any(
                    isinstance(e, cst.StarredElement) for e in target.elements):
                for i, el in enumerate(target.elements):  # for path, view in ROUTES: the row's items
                    self.bind_target(el.value, f"{expr}[{i}]", None, None)
            else:
                for el in target.elements:
                    self.bind_target(el.value, None, None, None)
        elif t is cst.StarredElement:
            self.bind_target(target.value, None, None, None)

    def store(self, target: cst.Attribute) -> None:
        """Record ``obj.attr = ...`` (ORM instance writes are attribute stores)."""
        base = expr_str(target.value)
        if base is not None:
            self.stores.append(AttrStore(self.frame.qualname, base, intern(target.attr.value), self.current_line()))

    # -- with ------------------------------------------------------------------------------
    def with_stmt(self, node: cst.With) -> None:
        self._seek(_WITH, 4000)
        line = self.current_line()
        items = []
        for item in node.items:
            call_index = self.expr_call(item.item)
            asname = None
            if item.asname is not None and type(item.asname.name) is cst.Name:
                asname = item.asname.name.value
                self.add_binding(asname, expr_str(item.item), None, call_index)
            elif item.asname is not None:
                self.bind_target(item.asname.name, None, None, None)
            items.append(Arg(keyword=asname, expr=expr_str(item.item), call=call_index))
        first = len(self.calls)
        self.suite(node.body)
        end_line = max(self.current_line(), line)
        self.withs.append(With(self.frame.qualname, tuple(items), line, end_line, first, len(self.calls)))

    # -- expressions -----------------------------------------------------------------------
    def expr_call(self, node) -> int | None:
        """Walk an expression; return the call index when the expression itself is a call."""
        if node is None:
            return None
        inner = node.expression if type(node) is cst.Await else node
        if type(inner) is cst.Call:
            return self.call(inner, used=True)
        self.expr(node)
        return None

    def arg(self, a: cst.Arg) -> Arg:
        value = a.value
        inner = value.expression if type(value) is cst.Await else value
        call_index = self.call(inner, used=True) if type(inner) is cst.Call else None
        if call_index is None:
            self.expr(value)
        star = 1 if a.star == "*" else 2 if a.star == "**" else 0
        keyword = intern(a.keyword.value) if a.keyword is not None else None
        t = type(value)
        known = _string_pairs(value) if t is cst.Dict else literal(value)
        items = _items(value) if known is None and (t is cst.List or t is cst.Tuple or t is cst.Set) else None
        return Arg(keyword, expr_str(value), known, call_index, star, items)

    def call(self, node: cst.Call, used: bool) -> int:
        first = len(self.calls)
        callee = expr_str(node.func)
        # locate the call by the last name of its callee, before walking the arguments
        line = None
        func = node.func
        tail = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else None
        if type(func) not in (cst.Name, cst.Attribute):
            self.expr(func)
        elif type(func) is cst.Attribute:
            self._inner_calls(func.value)
        if tail is not None:
            i = self._find_word(tail, self.cursor, min(len(self.text), self.cursor + 4000), call=True)
            if i is not None:
                self.cursor = i + len(tail)
                line = self.line_at(i)
        if line is None:
            line = self.current_line()
        prose = tail in _TRANSLATIONS
        self._prose += prose
        args = tuple(self.arg(a) for a in node.args)
        self._prose -= prose
        index = len(self.calls)
        for position, a in enumerate(node.args):
            if not a.star and type(a.value) in (cst.List, cst.Tuple):  # Application([(r"/", MainHandler)])
                self._rows(self.frame.qualname, argument_rows(index, position), a.value, None)
        if tail == "include" and args and args[0].expr == "tuple()":
            args = (self._namespaced(node.args[0].value, args[0]),) + args[1:]
        self.calls.append(Call(self.frame.qualname, callee, args, line, used, first))
        if tail in _ADDING and type(func) is cst.Attribute:
            self._added(func.value, tail, args)
        return len(self.calls) - 1

    def _added(self, receiver, method: str, args: tuple[Arg, ...]) -> None:
        """``rows.append(row)``, ``seen.add(x)``, ``rows.insert(0, row)``, ``rows.extend(more)``,
        also on ``self.rows``: the container's items include the value, as ``rows[k] = row``
        makes them (a list built in a loop and handed to ``session.add_all(rows)``)."""
        position = _ADDING[method]
        if len(args) <= position or args[position].keyword or args[position].star:
            return
        arg = args[position]
        expr = arg.expr if method != "extend" or arg.expr is None else f"{arg.expr}[]"
        if expr is None:
            return
        call = arg.call if method != "extend" else None
        if type(receiver) is cst.Name:
            self.bindings.append(Binding(self.frame.qualname, intern(f"{receiver.value}[]"), expr,
                                         self.current_line(), None, None, call))
        elif type(receiver) is cst.Attribute and type(receiver.value) is cst.Name:
            frame = self.frame
            if receiver.value.value == frame.self_name and frame.cls:
                self.bindings.append(Binding(frame.cls, intern(f"{receiver.attr.value}[]"), expr,
                                             self.current_line(), None, None, call, frame.qualname))

    @staticmethod
    def _namespaced(value, arg: Arg) -> Arg:
        """Django's ``include((patterns, "namespace"))``: the patterns are what is included
        (``include((router.urls, "api"))``), so the argument stands for them."""
        elements = value.elements if type(value) is cst.Tuple else ()
        if len(elements) == 2 and type(elements[1].value) is cst.SimpleString and \
                type(elements[0].value) in (cst.Name, cst.Attribute):
            return arg._replace(expr=expr_str(elements[0].value))
        return arg

    def _inner_calls(self, node) -> None:
        """Walk the receiver of an attribute chain for calls and subscripts inside it."""
        t = type(node)
        while t is cst.Attribute:
            node = node.value
            t = type(node)
        if t is not cst.Name:
            self.expr(node)

    def expr(self, node) -> None:
        t = type(node)
        if t is cst.Name or t is cst.Integer or t is cst.Float or t is cst.Imaginary or t is cst.Ellipsis:
            return
        if t is cst.Call:
            self.call(node, used=True)
        elif t is cst.Attribute:
            self._inner_calls(node.value)
        elif t is cst.SimpleString:
            self.string(node)
        elif t is cst.ConcatenatedString:
            text = literal(node)
            if isinstance(text, str) and not is_template(text):  # no value inside
                self._maybe_string(text)
            else:
                self.expr(node.left)
                self.expr(node.right)
        elif t is cst.FormattedString:
            # the text with ``{}`` where a value goes: ``FROM t_{name}`` names no table ``t_``
            static = "".join(p.value if type(p) is cst.FormattedStringText else "{}" for p in node.parts)
            if static.replace("{}", ""):
                self._maybe_string(static)
            for p in node.parts:
                if type(p) is cst.FormattedStringExpression:
                    self.expr(p.expression)
        elif t is cst.BinaryOperation or t is cst.BooleanOperation:
            self.expr(node.left)
            self.expr(node.right)
        elif t is cst.Comparison:
            self.expr(node.left)
            for c in node.comparisons:
                self.expr(c.comparator)
        elif t is cst.UnaryOperation:
            self.expr(node.expression)
        elif t is cst.Subscript:
            self.expr(node.value)
            for el in node.slice:
                s = el.slice
                if type(s) is cst.Index:
                    self.expr(s.value)
                else:
                    for part in (s.lower, s.upper, s.step):
                        if part is not None:
                            self.expr(part)
        elif t is cst.List or t is cst.Tuple or t is cst.Set:
            for el in node.elements:
                self.expr(el.value)
        elif t is cst.Dict:
            for el in node.elements:
                if type(el) is cst.DictElement:
                    self.expr(el.key)
                    self.expr(el.value)
                else:
                    self.expr(el.value)
        elif t is cst.Await:
            self.expr(node.expression)
        elif t is cst.IfExp:  # in source order: ``body if test else orelse``
            self.expr(node.body)
            self.expr(node.test)
            self.expr(node.orelse)
        elif t is cst.Lambda:
            self.lambda_(node)
        elif t in (cst.ListComp, cst.SetComp, cst.GeneratorExp):
            self.expr(node.elt)  # in source order, so call lines are found in step with the text
            self.comp_for(node.for_in)
        elif t is cst.DictComp:
            self.expr(node.key)
            self.expr(node.value)
            self.comp_for(node.for_in)
        elif t is cst.NamedExpr:
            call_index = self.expr_call(node.value)
            if type(node.target) is cst.Name:
                self.add_binding(node.target.value, expr_str(node.value), node.value, call_index)
        elif t is cst.Yield:
            # what a generator yields is what iterating its calls gives (``for x in gen()``)
            gives = self.frame.kind in ("function", "method")
            if node.value is not None and not isinstance(node.value, cst.From):
                call_index = self.expr_call(node.value)
                if gives:
                    self.add_binding("<yield>", expr_str(node.value), node.value, call_index)
            elif node.value is not None:
                self.expr(node.value.item)
                inner = expr_str(node.value.item)
                if gives and inner:
                    self.add_binding("<yield>", f"{inner}[]", None, None)  # ``yield from rows``
        elif t is cst.StarredElement or t is cst.Element or t is cst.Arg:
            self.expr(node.value)
        elif node is not None and isinstance(node, cst.CSTNode):
            for child in node.children:
                if isinstance(child, cst.BaseExpression):
                    self.expr(child)

    def comp_for(self, comp) -> None:
        while comp is not None:
            self.expr(comp.iter)
            self.bind_target(comp.target, _elem(expr_str(comp.iter)), None, None)
            for cond in comp.ifs:
                self.expr(cond.test)
            comp = comp.inner_for_in

    def string(self, node: cst.SimpleString) -> None:
        raw = node.value
        if len(raw) < 8:
            return
        text = _string_text(node)
        if text:
            self._maybe_string(text)

    def _maybe_string(self, text: str) -> None:
        if len(text) > 200_000:
            text = text[:200_000]
        if (_SQL.search(text) and not self._prose) or (len(text) < 200 and _DOTTED.match(text)):
            self.strings.append(StringRef(self.frame.qualname, text[:2000], self.current_line()))


def _items(node) -> tuple[str | None, ...] | None:
    """The elements of a sequence argument as reference strings (``*more`` as ``more[]``, as
    the element bindings of a list write it); None past MAX_ROWS elements."""
    if len(node.elements) > MAX_ROWS:
        return None
    out = []
    for el in node.elements:
        e = expr_str(el.value)
        out.append(f"{e}[]" if isinstance(el, cst.StarredElement) and e is not None else e)
    return tuple(out)


def _elem(expr: str | None) -> str | None:
    return None if expr is None else f"{expr}[]"


def _dotted(node) -> str:
    if type(node) is cst.Name:
        return node.value
    if type(node) is cst.Attribute:
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _docstring(body) -> str | None:
    if not body:
        return None
    first = body[0]
    if type(first) is cst.SimpleStatementLine and first.body and type(first.body[0]) is cst.Expr:
        v = first.body[0].value
        if type(v) is cst.SimpleString:
            text = _string_text(v)
            if text:
                for line in text.strip().splitlines():
                    if line.strip():
                        return line.strip()[:300]
    return None


def _triple_state(line: str, state: str | None) -> str | None:
    """Track whether a triple-quoted string is open after ``line`` (cheap heuristic)."""
    i = 0
    n = len(line)
    while i < n:
        if state is None:
            j = line.find("#", i)
            d = line.find('"""', i)
            s = line.find("'''", i)
            candidates = [x for x in (d, s) if x != -1]
            if not candidates:
                return None
            k = min(candidates)
            if j != -1 and j < k and not _inside_simple_string(line, j):
                return None
            state = line[k:k + 3]
            i = k + 3
        else:
            k = line.find(state, i)
            if k == -1:
                return state
            state = None
            i = k + 3
    return state


def _inside_simple_string(line: str, pos: int) -> bool:
    return (line.count('"', 0, pos) % 2 == 1) or (line.count("'", 0, pos) % 2 == 1)


if __name__ == "__main__":  # pragma: no cover - debugging aid
    import json
    from dataclasses import asdict

    path = sys.argv[1]
    facts = parse_module_facts(path, "m", open(path, "rb").read())
    print(json.dumps(asdict(facts), indent=1, default=str))
