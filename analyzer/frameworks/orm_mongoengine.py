"""MongoEngine documents, found without importing MongoEngine.

A document is a project class below ``mongoengine.Document`` or ``DynamicDocument``
(Flask-MongoEngine's ``db.Document`` too); an ``EmbeddedDocument`` is stored inside its
owner and is no entity of its own. The collection is the class name in MongoEngine's snake
case (``OrderLine`` -> ``order_line``), unless ``meta = {"collection": ...}`` names it;
``meta = {"abstract": True}`` makes an abstract document (no collection), and a subclass of a
document whose ``meta`` sets ``allow_inheritance`` shares its parent's collection.
``ReferenceField(User)``, ``LazyReferenceField``, ``CachedReferenceField`` and
``ListField(ReferenceField(Tag))`` are relations. Rows are reached through the ``objects``
manager: ``Page.objects(title=t)``, ``Page.objects.get(...)``.
"""

from __future__ import annotations

from analyzer.frameworks.orm_library import LibraryModels

FRAMEWORK = "mongoengine"
_REFERENCES = {"ReferenceField": "fk", "LazyReferenceField": "fk", "CachedReferenceField": "fk"}
_CONTAINERS = frozenset({"ListField", "SortedListField", "MapField", "DictField"})


def mongo_snake(name: str) -> str:
    """MongoEngine's default collection name."""
    return "".join(f"_{c}" if c.isupper() else c for c in name).strip("_").lower()


class MongoEngineModels(LibraryModels):
    FRAMEWORK = FRAMEWORK
    ROOTS = frozenset({"mongoengine", "flask_mongoengine"})
    MODEL_BASES = frozenset({"Document", "DynamicDocument"})
    NOT_MODEL_BASES = frozenset({"EmbeddedDocument", "DynamicEmbeddedDocument"})
    RELATIONS = _REFERENCES
    TARGET = "document_type"
    MANAGERS = frozenset({"objects"})

    def options(self, cls: str) -> dict:
        """The class's own ``meta = {...}`` (its literal pairs)."""
        pairs = self.prog.class_literal(cls, "meta", inherit=False)
        if not isinstance(pairs, tuple) or not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
            return {}
        return dict(pairs)

    def abstract(self, cls: str) -> bool:
        return self.options(cls).get("abstract") is True

    def table(self, cls: str) -> str | None:
        collection = self.options(cls).get("collection")
        return collection if isinstance(collection, str) else mongo_snake(self.prog.defs[cls].name)

    def shares_parent(self, cls: str) -> bool:
        """A subclass of a document whose ``meta`` allows inheritance is stored in its
        parent's collection (told apart by a ``_cls`` field)."""
        return any(self.options(b[2:]).get("allow_inheritance") is True
                   for b in self.prog.r.bases(cls) if b.startswith("d:"))

    def _relation_call(self, module: str, index: int) -> tuple[int, str] | None:
        found = super()._relation_call(module, index)
        if found is not None:
            return found
        prog = self.prog
        call = prog.call(module, index)
        if (call.callee or "").rsplit(".", 1)[-1] not in _CONTAINERS:
            return None
        inner = prog.arg(call, 0, "field")
        if inner is None or inner.call is None:
            return None
        return super()._relation_call(module, inner.call)
