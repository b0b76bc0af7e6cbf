"""Database engine, sessions and the declarative base."""

from __future__ import annotations

import importlib
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from sqlalchemy import Engine, Integer, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session as OrmSession, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from shop.config import Config


class Base(DeclarativeBase):
    """Declarative base shared by every model in the shop."""

    def to_dict(self, *fields: str) -> dict[str, Any]:
        names = fields or tuple(c.key for c in self.__table__.columns)
        return {name: getattr(self, name) for name in names}


class MoneyType(TypeDecorator):
    """Stores a Decimal amount as integer cents (SQLite has no exact decimal type)."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        if value is None:
            return None
        cents = (Decimal(value) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return int(cents)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(Decimal("0.01"))


Session = sessionmaker(expire_on_commit=False)

_engine: Engine | None = None


def _enable_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite") and ":memory:" in url:
        # One connection shared by every session, or each session would see its own empty DB.
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool,
        )
    else:
        engine = create_engine(url, echo=echo)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def import_model_modules(modules: Iterable[str] = Config.MODEL_MODULES) -> None:
    for dotted in modules:
        importlib.import_module(dotted)


def init_db(url: str | None = None, *, echo: bool = False, create: bool = True,
            model_modules: Iterable[str] = Config.MODEL_MODULES) -> Engine:
    """Create the engine, bind the session factory and (optionally) create the tables."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url or Config.DATABASE_URL, echo=echo)
    Session.configure(bind=_engine)
    import_model_modules(model_modules)
    if create:
        Base.metadata.create_all(_engine)
    return _engine


def get_engine() -> Engine:
    if _engine is None:
        raise RuntimeError("database not initialised; call shop.db.init_db() first")
    return _engine


def get_session() -> OrmSession:
    """A new session; callers use it as a context manager and commit explicitly."""
    if _engine is None:
        raise RuntimeError("database not initialised; call shop.db.init_db() first")
    return Session()


def drop_all() -> None:
    Base.metadata.drop_all(get_engine())
