"""Tortoise ORM models, found without importing Tortoise.

A model is a project class below ``tortoise.models.Model`` (``from tortoise import Model``),
abstract with ``class Meta: abstract = True``. The table is ``class Meta: table``, else the
class name lower-cased (Tortoise's default). ``fields.ForeignKeyField("models.User",
related_name="orders")``, ``OneToOneField`` and ``ManyToManyField`` are relations; the target
is written ``"<app>.<Model>"`` and resolved by class name among the project's Tortoise models.
The accessor on the target is ``related_name``, else ``<table of the declaring model>s``
(Tortoise's default); ``related_name=False`` gives none.

Access is Django-like on the class itself: ``await User.filter(...)``, ``User.get(...)``,
``User.create(...)``, ``user.save()``; ``await`` does not hide the rows.
"""

from __future__ import annotations

from typing import ClassVar

from analyzer.frameworks.orm_library import LibraryModels

FRAMEWORK = "tortoise"


class TortoiseModels(LibraryModels):
    FRAMEWORK = FRAMEWORK
    ROOTS = frozenset({"tortoise"})
    MODEL_BASES = frozenset({"Model"})
    RELATIONS: ClassVar[dict[str, str]] = {"ForeignKeyField": "fk", "OneToOneField": "o2o", "ManyToManyField": "m2m",
                 "ForeignKeyNullableField": "fk", "OneToOneNullableField": "o2o"}
    TARGET = "model_name"
    REVERSE = "related_name"
    CLASS_QUERIES = True

    def abstract(self, cls: str) -> bool:
        return self.meta(cls, "abstract") is True

    def table(self, cls: str) -> str | None:
        own = self.meta(cls, "table")
        return own if isinstance(own, str) and own else self.prog.defs[cls].name.lower()

    def default_reverse(self, cls: str, kind: str) -> str | None:
        table = self.table(cls)
        return f"{table}s" if table else None
