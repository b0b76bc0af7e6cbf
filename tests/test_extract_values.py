"""Module-level values another service's code reads on import: ``msa scaffold --extract``
copies those made only of constants and code the copy replicates, so that the copy imports.

searxng's shared ``searx/__init__.py`` applies the settings ``SCHEMA`` of
``settings_defaults`` (a dict of ``SettingsValue(...)``) on import; with ``SCHEMA`` stubbed, the
statement was left out and every service failed on import with an incomplete configuration.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import plan_toml, python_in, scaffold_support

support = scaffold_support()


def test_a_value_made_of_copied_code_is_copied_and_one_holding_state_is_not(tmp_path: Path) -> None:
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/conf/__init__.py": "",
        "proj/conf/schema.py": """
            _UNSET = object()


            class Value:
                def __init__(self, kind, default=_UNSET):
                    self.kind = kind
                    self.default = default


            SCHEMA = {"timeout": Value(int, 3), "name": Value(str, "web")}
            POOL = []
            POOL.append("primary")  # set up on import: module state, which a copy cannot share


            def connect():
                return POOL[0]


            LINK = connect()  # made by code that reads that state: not copied
        """,
        "proj/common/__init__.py": "",
        # the shared library reads the other service's value on import
        "proj/common/settings.py": """
            from proj.conf.schema import LINK, SCHEMA

            DEFAULTS = {key: value.default for key, value in SCHEMA.items()}
            PRIMARY = LINK
        """,
        "proj/web/__init__.py": "",
        "proj/web/views.py": """
            from proj.common.settings import DEFAULTS


            def timeout():
                return DEFAULTS["timeout"]
        """,
        "plan.toml": plan_toml({"conf": ["proj.conf"], "web": ["proj.web"]}, ["proj", "proj.common"]),
    })
    out = extract_planned(root, tmp_path / "out")
    web = out / "services" / "web" / "web_service"
    settings = (web / "vendor" / "proj" / "common" / "settings.py").read_text()
    assert "DEFAULTS = {key: value.default for key, value in SCHEMA.items()}" in settings
    assert "PRIMARY" not in settings  # made of another service's state: left out, and reported
    schema = (web / "ported" / "proj" / "conf" / "schema.py").read_text()
    assert "class Value" in schema and "SCHEMA = {" in schema and "_UNSET = object()" in schema
    assert "LINK" not in schema and "POOL" not in schema
    migration = (out / "MIGRATION.md").read_text()
    assert "`proj.conf.schema.LINK`" in migration and "`proj.conf.schema.SCHEMA`" not in migration
    result = support.run([support.PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                         cwd=out / "services" / "web", env=support.clean_env(), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_name_the_shared_library_re_exports_is_bound_by_the_next_copy(tmp_path: Path) -> None:
    """searxng's vendored ``result_types/__init__.py`` re-exported ``Image`` from a partial
    copy of ``image.py`` that kept only ``ImageRef``: the copy failed with ``cannot import name``."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/types/__init__.py": """
            from .image import Image, ImageRef

            __all__ = ["Image", "ImageRef"]
        """,
        "proj/types/image.py": """
            import sqlite3


            class ImageRef:
                def __init__(self, url):
                    self.url = url


            class Image:  # reaches the database: it cannot be copied, nor cross as a value
                def thumbnail(self, connection: sqlite3.Connection):
                    return connection.execute("SELECT url FROM images WHERE id = 1").fetchone()
        """,
        "proj/images/__init__.py": "",
        "proj/images/render.py": """
            from proj.types.image import Image


            def show():
                return Image().thumbnail()
        """,
        # the shared library's own use of Image through the package is pruned from its copy
        "proj/types/gallery.py": """
            from proj.types import Image


            def pictures(n):
                return [Image() for _ in range(n)]
        """,
        "proj/web/__init__.py": "",
        "proj/web/views.py": """
            from proj.types import ImageRef
            from proj.types.gallery import pictures


            def link(url):
                return ImageRef(url).url


            def album():
                return pictures(2)
        """,
        "plan.toml": plan_toml({"images": ["proj.images", "proj.types.image"], "web": ["proj.web"]},
                               ["proj", "proj.types", "proj.types.gallery"]),
    })
    out = extract_planned(root, tmp_path / "out")
    check = ("from web_service.vendor.proj.types import Image, ImageRef; "
             "from web_service.ported.proj.web.views import link; print(link('u'))")
    result = python_in(out / "services" / "web", check)
    assert result.returncode == 0 and result.stdout.strip() == "u", result.stdout[-3000:]


# where the module defining the entity goes: another service (a facade here), or this service
# with the entity class alone placed elsewhere (a whole copy here that leaves the class out:
# mealie's recipe service held ``api_extras.py`` while ``ShoppingListExtras`` was another's)
EXTRAS_PLACEMENTS = {
    "module elsewhere": ({"extras": ["proj.models.extras"]}, []),
    "class elsewhere": ({"extras": ["proj.models.extras.ListExtras"]}, ["proj.models.extras"]),
}


@pytest.mark.parametrize("placement", sorted(EXTRAS_PLACEMENTS))
def test_an_import_kept_only_to_pass_on_a_pruned_name_goes_too(tmp_path: Path, placement: str) -> None:
    """mealie's shared ``household/__init__.py`` re-exports ``ShoppingListExtras`` (another
    service's entity) from ``shopping_list.py``, which imports it from ``api_extras.py``. The
    shared copy pruned the re-export, yet the partial copy of ``shopping_list.py`` (kept for a
    name this service uses) kept the import, and failed with ``cannot import name``."""
    extras, web = EXTRAS_PLACEMENTS[placement]
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/db.py": "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
        "proj/models/__init__.py": """
            from proj.models.lists import ListExtras, ShoppingList
        """,
        "proj/models/extras.py": """
            from sqlalchemy.orm import Mapped, mapped_column

            from proj.db import Base


            class ListExtras(Base):
                __tablename__ = "list_extras"
                id: Mapped[int] = mapped_column(primary_key=True)
        """,
        "proj/models/lists.py": """
            from sqlalchemy.orm import Mapped, mapped_column

            from proj.db import Base
            from proj.models.extras import ListExtras


            class ShoppingList(Base):
                __tablename__ = "lists"
                id: Mapped[int] = mapped_column(primary_key=True)


            def label(name):
                return f"list {name}"


            def count(session):
                return session.query(ShoppingList).count() + session.query(ListExtras).count()
        """,
        "proj/web/__init__.py": "",
        "proj/web/views.py": """
            from proj.models.lists import label


            def show(name):
                return label(name)
        """,
        "plan.toml": plan_toml({**extras, "lists": ["proj.models.lists"], "web": ["proj.web", *web]},
                               ["proj", "proj.db", "proj.models"]),
    })
    out = extract_planned(root, tmp_path / "out")
    check = "import web_service.vendor.proj.models, web_service.ported.proj.web.views; print('ok')"
    result = python_in(out / "services" / "web", check)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout[-3000:] + result.stderr[-3000:]


def test_a_decorator_a_class_body_applies_is_copied_not_called_remotely(tmp_path: Path) -> None:
    """mealie's models decorate their ``__init__`` with another service's ``@api_extras``:
    rewired to a remote call, the class body handed it a function on import (WireError)."""
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/tools/__init__.py": "",
        "proj/tools/extras.py": """
            def with_extras(func):
                def wrapper(*args, **kwargs):
                    kwargs["extras"] = sorted(kwargs.get("extras") or [])
                    return func(*args, **kwargs)

                return wrapper
        """,
        "proj/shop/__init__.py": "",
        "proj/shop/models.py": """
            from proj.tools.extras import with_extras


            class Item:
                @with_extras
                def __init__(self, name, extras=None):
                    self.name = name
                    self.extras = extras


            def make(name: str, extras: list[str]) -> list[str]:
                return Item(name, extras=extras).extras
        """,
        "proj/web/__init__.py": "",
        "proj/web/views.py": """
            from proj.shop.models import make


            def show():
                return make("a", ["y", "x"])
        """,
        "plan.toml": plan_toml({"tools": ["proj.tools"], "shop": ["proj.shop"], "web": ["proj.web"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    check = "from shop_service.ported.proj.shop.models import make; print(make('a', extras=['y', 'x']))"
    result = python_in(out / "services" / "shop", check)
    assert result.returncode == 0 and result.stdout.strip() == "['x', 'y']", \
        result.stdout[-3000:] + result.stderr[-3000:]
    migration = (out / "MIGRATION.md").read_text()
    assert "a module's top-level code calls it, on import" in migration
