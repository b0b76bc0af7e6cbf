"""Tables read and written by a raw SQL string.

Not a SQL parser: a tokenizer-level reading that is right for the statements code embeds
(``SELECT ... FROM a JOIN b``, ``INSERT INTO t``, ``UPDATE t SET``, ``DELETE FROM t``,
``MERGE INTO t``, CTEs, sub-queries, quoted and schema-qualified names). Comments and
string literals are blanked first so words inside them never count; names of CTEs and of
functions such as ``EXTRACT(YEAR FROM x)`` are not tables.

>>> tables("UPDATE stock SET n = (SELECT SUM(q) FROM lines l JOIN orders o ON o.id = l.order_id)")
SqlTables(reads=('lines', 'orders'), writes=('stock',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_STRINGS = re.compile(r"'(?:[^']|'')*'")
_NAME = r'((?:[`"\[]?[A-Za-z_][\w$]*[`"\]]?\.){0,2}[`"\[]?[A-Za-z_][\w$]*[`"\]]?)'
_WRITES = [
    re.compile(rf"\binsert\s+(?:or\s+\w+\s+)?(?:ignore\s+)?into\s+{_NAME}", re.IGNORECASE),
    re.compile(rf"\breplace\s+into\s+{_NAME}", re.IGNORECASE),
    re.compile(rf"\bupdate\s+(?:only\s+)?{_NAME}(?:\s+(?:as\s+)?\w+)?\s+set\b", re.IGNORECASE),
    re.compile(rf"\bdelete\s+from\s+(?:only\s+)?{_NAME}", re.IGNORECASE),
    re.compile(rf"\bmerge\s+into\s+{_NAME}", re.IGNORECASE),
    re.compile(rf"\btruncate\s+(?:table\s+)?{_NAME}", re.IGNORECASE),
]
_DELETE_FROM = re.compile(r"\bdelete\s+from\b", re.IGNORECASE)
_FROM = re.compile(r"\bfrom\b", re.IGNORECASE)
_JOIN = re.compile(rf"\bjoin\s+(?:lateral\s+)?{_NAME}", re.IGNORECASE)
_USING = re.compile(rf"\busing\s+{_NAME}", re.IGNORECASE)
_INDEX = re.compile(r"\bcreate\s+(?:unique\s+)?index\b", re.IGNORECASE)
_CTE = re.compile(r"(?:\bwith\s+(?:recursive\s+)?|,\s*)([A-Za-z_]\w*)\s*(?:\([^()]*\))?\s+as\s*(?:not\s+)?(?:materialized\s+)?\(",
                  re.IGNORECASE)
_FUNC_FROM = re.compile(r"\b(?:extract|substring|trim|position|overlay)\s*\([^()]*$", re.IGNORECASE)
_CLAUSE_END = re.compile(
    r"\b(?:where|group|order|limit|having|join|inner|left|right|full|cross|natural|on|union|except|intersect|"
    r"window|returning|for|offset|fetch|set|values|lateral|using|into)\b|[();]", re.IGNORECASE)
_ITEM = re.compile(rf"^\s*{_NAME}", re.IGNORECASE)
_KEYWORDS = frozenset({
    "select", "lateral", "unnest", "dual", "values", "generate_series", "json_each", "json_table", "only",
    "where", "set", "table", "the", "a", "an", "as", "on", "in",
})
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "sys", "system", "system_schema", "mysql", "performance_schema",
                             "sqlite_schema", "syscat", "sysibm", "all_tab_columns"})
_SYSTEM_PREFIXES = ("pg_", "sqlite_", "sys_", "svv_", "stv_", "stl_", "all_tab", "user_tab", "dba_")
_STATEMENT = re.compile(r"^\s*\(*\s*(select|insert|update|delete|with|replace|merge|truncate)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SqlTables:
    reads: tuple[str, ...]
    writes: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.reads and not self.writes


def clean(sql: str) -> str:
    """Comments and string literals blanked; a name glued to a placeholder
    (``_unpartitioned_{}``, ``{schema}.orders``: part of it filled in at run time) becomes
    the bare placeholder, which names no table."""
    return _GLUED.sub("{}", _STRINGS.sub("''", _COMMENTS.sub(" ", sql)))


_GLUED = re.compile(r"[\w$.]*\{[^{}\s]*\}[\w$.{}]*")


_DYNAMIC_TABLE = re.compile(r"\b(?:from|into|update|join|table)\s+(?:[{%]|:\w|\$\d|\?)", re.IGNORECASE)


def dynamic_table(sql: str) -> bool:
    """A statement whose table is filled in at run time (``FROM {table}``, ``INTO %s``)."""
    return bool(_DYNAMIC_TABLE.search(clean(sql)))


_PROSE = re.compile(r"\.\s*$|\.\s+[A-Z]|\b(?:the|this|that|which|will|should)\b", re.IGNORECASE)


def looks_like_statement(sql: str) -> bool:
    """A whole SQL statement (not prose that happens to say "select ... from")."""
    text = clean(sql)
    return bool(_STATEMENT.match(text)) and not _PROSE.search(text)


def tables(sql: str) -> SqlTables:
    """Lower-case table names read and written by ``sql`` (sorted, each once)."""
    text = clean(sql)
    ctes = {m.group(1).lower() for m in _CTE.finditer(text)}
    writes: set[str] = set()
    for pattern in _WRITES:
        for m in pattern.finditer(text):
            writes.add(m.group(1))
    deletes = {m.end() for m in _DELETE_FROM.finditer(text)}
    reads: set[str] = set()
    for m in _FROM.finditer(text):
        if m.end() in deletes:
            continue
        before = text[max(0, m.start() - 80):m.start()]
        if _FUNC_FROM.search(before) or re.search(r"\bdistinct\s*$", before, re.IGNORECASE):
            continue
        reads |= _from_list(text[m.end():])
    for m in _JOIN.finditer(text):
        reads.add(m.group(1))
    if not _INDEX.search(text):  # ``CREATE INDEX i ON t USING gin (...)``: an index method
        for m in _USING.finditer(text):
            if not re.search(r"\btype\s+[\w.()]+\s*$", text[max(0, m.start() - 60):m.start()], re.IGNORECASE):
                reads.add(m.group(1))  # not ``ALTER COLUMN c TYPE int USING c::int``

    def keep(names: set[str]) -> set[str]:
        out = set()
        for qualified in names:
            parts = [p.strip('`"[]').lower() for p in qualified.split(".")]
            name = parts[-1]
            if name in ctes or name in _KEYWORDS or name.startswith(_SYSTEM_PREFIXES):
                continue
            if any(p in _SYSTEM_SCHEMAS for p in parts[:-1]) or name in _SYSTEM_SCHEMAS:
                continue
            out.add(name)
        return out

    kept_writes = keep(writes)
    return SqlTables(reads=tuple(sorted(keep(reads) - kept_writes)), writes=tuple(sorted(kept_writes)))


def _from_list(rest: str) -> set[str]:
    """Tables in a FROM clause: ``a x, b AS y, (subquery) z`` -> {a, b}."""
    end = _CLAUSE_END.search(rest)
    clause = rest[: end.start()] if end else rest
    if end is not None and end.group(0) == "(" and not clause.strip():
        return set()  # FROM (subquery): its own FROM is found separately
    items = clause.split(",")
    if end is not None and end.group(0) == "(" and re.search(r"\w\s*$", clause):
        items = items[:-1]  # ``FROM json_each(...)``: a table function, not a table
    out = set()
    for item in items:
        m = _ITEM.match(item)
        if m is not None:
            out.add(m.group(1))
    return out
