"""An interface operation that takes a database session gets one from the monolith's session
factory, whatever shape that factory has.

Only a function annotated ``-> Session`` counted as a factory, and the runtime called it: a
``@contextmanager`` (Dispatch's ``get_session``, annotated ``-> Session``) handed the moved
function a context manager instead of a session, and a generator (mealie's
``generate_session``, FastAPI's ``get_db`` pattern) or a module-level ``sessionmaker(...)``
(Dispatch's ``SessionLocal``) was no factory at all: every operation taking a session was a
stub.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import build_tree, client_script, extract_planned, plan_toml, python_ok

ENGINE = """
    from contextlib import contextmanager
    from collections.abc import Iterator

    from sqlalchemy import create_engine
    from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})


    class Base(DeclarativeBase):
        pass
"""

FACTORIES = {
    "sessionmaker": "SessionLocal = sessionmaker(bind=engine)\n",
    "generator": """
        _factory = sessionmaker(bind=engine)


        def get_session() -> Iterator[Session]:
            db = _factory()
            try:
                yield db
            finally:
                db.close()
    """,
    "contextmanager": """
        _factory = sessionmaker(bind=engine)


        @contextmanager
        def get_session() -> Session:
            session = _factory()
            try:
                yield session
                session.commit()
            finally:
                session.close()
    """,
}


@pytest.mark.parametrize("factory", sorted(FACTORIES))
def test_an_operation_taking_a_session_runs_with_one(tmp_path: Path, factory: str) -> None:
    from textwrap import dedent

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/db.py": dedent(ENGINE) + "\n\n" + dedent(FACTORIES[factory]),
        "proj/orders/__init__.py": "",
        "proj/orders/models.py": """
            from sqlalchemy.orm import Mapped, mapped_column

            from proj.db import Base, engine


            class Order(Base):
                __tablename__ = "orders"
                id: Mapped[int] = mapped_column(primary_key=True)


            Base.metadata.create_all(engine)
        """,
        "proj/orders/services.py": """
            from sqlalchemy.orm import Session

            from proj.orders.models import Order


            def add_order(session: Session) -> int:
                order = Order()
                session.add(order)
                session.flush()
                return session.query(Order).count()
        """,
        "proj/billing/__init__.py": "",
        "proj/billing/services.py": """
            from proj.orders.services import add_order


            def bill(session) -> int:
                return add_order(session)
        """,
        "plan.toml": plan_toml({"orders": ["proj.orders"], "billing": ["proj.billing"]}, ["proj", "proj.db"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "orders"
    check = client_script("orders_service",
                          "first = client.post('/api/orders/add-order', json={})\n"
                          "second = client.post('/api/orders/add-order', json={})\n"
                          "print(json.dumps([first.status_code, first.json(), second.json()]))\n")
    result = python_ok(service, check)
    status, first, second = json.loads(result.stdout.strip().splitlines()[-1])
    # the first order was committed: the second operation's session counts both
    assert (status, first, second) == (200, {"result": 1}, {"result": 2})
