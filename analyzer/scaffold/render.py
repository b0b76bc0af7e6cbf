"""The Jinja environment of the scaffold: where templates live and how values are quoted.

Templates render code and configuration, so autoescape is off and every value that came
from the analyzed code goes through a filter made for the target language: ``py`` (a Python
literal), ``json`` / ``yaml`` / ``toml`` (a JSON string or number, valid in all three),
``comment`` and ``docstr`` (one printable line), ``md`` and ``code`` (Markdown text and code
spans). Jinja never evaluates the *values* it substitutes, so a name like ``{{ 7*7 }}`` is
written as those characters, quoted for the file around it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib.resources.abc import Traversable
from typing import Any

import jinja2

from analyzer.scaffold.context import SOCKET_NOT_PORTED, Field, Model
from analyzer.scaffold.names import one_line
from analyzer.scaffold.typemap import imports
from analyzer.templating import templates_root


def template_root() -> Traversable:
    """The ``templates`` folder (see :mod:`analyzer.templating`)."""
    return templates_root()


def _loader(root: Traversable) -> jinja2.BaseLoader:
    def load(name: str) -> str:
        node = root
        for part in name.split("/"):
            if part in ("", ".", ".."):
                raise jinja2.TemplateNotFound(name)
            node = node / part
        if not node.is_file():
            raise jinja2.TemplateNotFound(name)
        return node.read_text(encoding="utf-8")

    return jinja2.FunctionLoader(load)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_loader(template_root()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(
        py=py_literal, json=json_value, yaml=json_value, toml=json_value, comment=comment, docstr=docstr,
        md=markdown_text, md_code=markdown_with_code, code=code_span,
    )
    env.filters.update(field_decl=field_decl)
    env.globals.update(import_block=import_block, model_imports=model_imports, model_config=model_config,
                       socket_code=SOCKET_NOT_PORTED)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


# -- filters --------------------------------------------------------------------------------------


def py_literal(value: Any) -> str:
    """A Python literal for a str, number, bool, None or a list/tuple/dict of those."""
    if isinstance(value, (list, tuple)):
        inner = ", ".join(py_literal(v) for v in value)
        return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else (
            f"({inner})" if isinstance(value, tuple) else f"[{inner}]")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    text = str(value)
    if text.isascii():
        return json.dumps(text)  # JSON string escapes are valid Python escapes too
    return ascii(text)


def json_value(value: Any) -> str:
    """A scalar for YAML and TOML files: JSON text (numbers, booleans, null, double-quoted
    strings) where every character that is not plainly printable is escaped, the way both
    YAML's and TOML's double-quoted strings read it (``\\uXXXX``, ``\\UXXXXXXXX``)."""
    if not isinstance(value, str):
        return json.dumps(value, sort_keys=True)
    out = []
    for ch in json.dumps(value, ensure_ascii=False)[1:-1]:
        if ch.isprintable() and ch not in _YAML_BREAKS:
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


_YAML_BREAKS = frozenset("\x85\u2028\u2029\ufeff")


def comment(value: Any) -> str:
    return one_line(str(value) if value is not None else "", limit=300)


def docstr(value: Any) -> str:
    """Text for inside a triple-quoted docstring: one line, no quote or backslash can close it."""
    return comment(value).replace("\\", "\\\\").replace('"', "'")


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]{}()#+!|~"})


def markdown_text(value: Any) -> str:
    """Plain Markdown text: no HTML, no emphasis, no table breaks."""
    return _md_escape(comment(value))


def _md_escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.translate(_MD_SPECIAL)


def markdown_with_code(value: Any) -> str:
    """Text written by the scaffold itself, where backticks mark code: the code spans are kept,
    the rest is escaped like :func:`markdown_text`."""
    parts = comment(value).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: treat it all as text
        return markdown_text(value)
    return "".join(_md_escape(p) if i % 2 == 0 else code_span(p) for i, p in enumerate(parts))


def code_span(value: Any) -> str:
    """An inline code span; pipes are escaped so the span can sit in a table cell."""
    text = comment(value).replace("|", "\\|")
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# -- pydantic models ------------------------------------------------------------------------------


def field_decl(f: Field) -> str:
    """``name: type`` plus its default / alias, as a line of a pydantic model."""
    args = []
    literal = None
    if f.default is not None:
        if f.default.factory:
            args.append(f"default_factory={f.default.factory}")
        else:
            literal = py_literal(f.default.value)
    if f.alias is not None:
        if literal is not None:
            args.insert(0, f"default={literal}")
        args.append(f"alias={py_literal(f.alias)}")
    elif literal is not None and not args:
        return f"{f.name}: {f.py_type} = {literal}"
    if args:
        return f"{f.name}: {f.py_type} = Field({', '.join(args)})"
    return f"{f.name}: {f.py_type}"


def model_config(m: Model) -> str:
    """The ``ConfigDict(...)`` arguments a model needs, or ``""`` for none."""
    args = []
    if m.permissive:
        args.append('extra="allow"')
    if m.aliased:
        args.append("validate_by_name=True")
    return ", ".join(args)


def model_imports(models: Iterable[Model]) -> tuple[list[str], list[str]]:
    """(standard library, third party) import items for a module defining ``models``."""
    std: set[str] = set()
    third = {"pydantic:BaseModel"}
    for m in models:
        if model_config(m):
            third.add("pydantic:ConfigDict")
        for f in m.fields:
            std |= imports(f.type)
            if "Field(" in field_decl(f):
                third.add("pydantic:Field")
    return sorted(std), sorted(third)


# -- imports of generated modules -------------------------------------------------------------------


GENERATED_LINE_LENGTH = 120  # the line-length of the generated services' ruff configuration


def import_block(*groups: Iterable[str]) -> str:
    """isort-ordered import lines: one group per argument (stdlib, third party, first party).

    Each item is ``"module"`` (``import module``), ``"module as alias"``, ``"module:name"``
    or ``"module:name as alias"``; names of one module are merged on one line, constants
    first, then classes, then the rest, and a name imported under an alias has a line of
    its own after them (ruff's isort order, ``combine-as-imports`` off).
    """
    blocks = []
    for group in groups:
        plain: set[str] = set()
        names: dict[str, set[str]] = {}
        aliased: dict[str, set[str]] = {}
        for item in group:
            module, _, name = item.partition(":")
            if " as " in name:
                aliased.setdefault(module, set()).add(name)
            elif name:
                names.setdefault(module, set()).add(name)
            else:
                plain.add(module)
        lines = [f"import {m}" for m in sorted(plain, key=_module_key)]
        for module in sorted(set(names) | set(aliased), key=_module_key):
            members = sorted(names.get(module, ()), key=_name_key)
            if members:
                line = f"from {module} import {', '.join(members)}"
                if len(line) > GENERATED_LINE_LENGTH:
                    line = f"from {module} import (\n" + "".join(f"    {m},\n" for m in members) + ")"
                lines.append(line)
            for n in sorted(aliased.get(module, ()), key=_name_key):
                line = f"from {module} import {n}"
                lines.append(line if len(line) <= GENERATED_LINE_LENGTH else f"from {module} import (\n    {n},\n)")
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _module_key(module: str) -> tuple[str, str]:
    return (module.lower(), module)


def _name_key(name: str) -> tuple[int, str, str]:
    if name.isupper() and len(name) > 1:
        rank = 0
    elif name[:1].isupper():
        rank = 1
    else:
        rank = 2
    return (rank, name.lower(), name)
