"""Peewee models, found without importing Peewee.

A model is a project class below ``peewee.Model`` (usually through the project's
``BaseModel`` with ``class Meta: database = db``; Playhouse's ``FlaskDB().Model`` too). A
model class that declares no field of its own and that other models extend is the project's
base, abstract here (Peewee would give it a table nobody queries). The table is ``class Meta:
table_name``, else Peewee's default: the class name lower-cased (``OrderLine`` ->
``orderline``), or in snake case (``order_line``) under ``legacy_table_names = False``.
``ForeignKeyField(User, backref="tweets")`` and ``DeferredForeignKey("User")`` are foreign
keys, ``ManyToManyField(Tag)`` many-to-many; the accessor on the target is ``backref``, else
``<model name lower-case>_set``. A model extending a concrete model has its own table with
its parent's fields (and their relations).

The model class serves the queries itself: ``User.select()``, ``User.get(...)``,
``User.create(...)`` (:data:`~analyzer.frameworks.values.FRAMEWORK_API`).
"""

from __future__ import annotations

import re
from typing import ClassVar

from analyzer.frameworks.orm_library import LibraryModels

FRAMEWORK = "peewee"
_WORDS = re.compile(r"[^\w]+")
_SNAKE1 = re.compile(r"(.)([A-Z][a-z]+)")
_SNAKE2 = re.compile(r"([a-z0-9])([A-Z])")


def peewee_snake(name: str) -> str:
    """Peewee's ``make_snake_case``."""
    return _SNAKE2.sub(r"\1_\2", _SNAKE1.sub(r"\1_\2", name)).lower()


class PeeweeModels(LibraryModels):
    FRAMEWORK = FRAMEWORK
    ROOTS = frozenset({"peewee", "playhouse"})
    MODEL_BASES = frozenset({"Model"})
    RELATIONS: ClassVar[dict[str, str]] = {"ForeignKeyField": "fk", "DeferredForeignKey": "fk", "ManyToManyField": "m2m"}
    TARGET = "model"
    REVERSE = "backref"
    CLASS_QUERIES = True

    def abstract(self, cls: str) -> bool:
        return cls in self.prog.extended() and not self.declares_fields(cls) and \
            not isinstance(self.meta(cls, "table_name"), str)

    def table(self, cls: str) -> str | None:
        own = self.meta(cls, "table_name")
        if isinstance(own, str):
            return own
        name = self.prog.defs[cls].name
        for c in self.prog.r.mro(cls):  # ``legacy_table_names`` is inherited through Meta
            legacy = self.meta(c, "legacy_table_names")
            if legacy is False:
                return peewee_snake(name)
            if legacy is True:
                break
        return _WORDS.sub("_", name.lower())

    def default_reverse(self, cls: str, kind: str) -> str | None:
        return f"{self.prog.defs[cls].name.lower()}_set"

    def target_arg(self, call):
        if (call.callee or "").endswith("DeferredForeignKey"):
            return self.prog.arg(call, 0, "rel_model_name")
        return super().target_arg(call)
