"""A class of this service whose definition reads a stub fails its module on import: it is
stubbed itself, with the reason, whether it names the stub bare or through its module.

searxng's favicons service kept ``class FaviconCacheSQLite(sqlitedb.SQLiteAppl, ...)`` while
``SQLiteAppl``, a class of another service that reaches the database, was a stub there: the
whole service failed on import.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import plan_toml, python_in


def test_a_class_deriving_from_a_stub_through_its_module_is_stubbed(tmp_path: Path) -> None:
    from tests.helpers import build_tree, extract_planned

    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/store/__init__.py": "",
        "proj/store/sqlite.py": """
            import sqlite3


            class Appl:  # reaches the database: it cannot be copied, nor cross as a value
                def rows(self, connection: sqlite3.Connection):
                    return connection.execute("SELECT key FROM properties").fetchall()


            def open_store(connection: sqlite3.Connection):
                return Appl().rows(connection)
        """,
        "proj/icons/__init__.py": "",
        "proj/icons/cache.py": """
            from proj.store import sqlite


            class IconCache(sqlite.Appl):
                def icon(self, connection, name):
                    return [r for r in self.rows(connection) if r == name]


            def size():
                return 16
        """,
        "plan.toml": plan_toml({"store": ["proj.store"], "icons": ["proj.icons"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    migration = (out / "MIGRATION.md").read_text()
    assert "`proj.icons.cache.IconCache`" in migration and "`Appl`, which is stubbed here" in migration
    check = "from icons_service.ported.proj.icons.cache import size; print(size())"
    result = python_in(out / "services" / "icons", check)
    assert result.returncode == 0 and result.stdout.strip() == "16", result.stdout[-3000:]
