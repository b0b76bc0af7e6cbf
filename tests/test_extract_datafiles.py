"""Folders the moved code reads beside it come along with ``msa scaffold --extract``.

searxng's settings check on import that the ``static`` and ``templates`` folders they name
(``os.path.join(searx_dir, 'static')``) exist; without them every service that imported the
settings failed. A folder is copied when the code names it where a path is made, or when it is
a ``templates`` or ``static`` folder beside a copied module; a folder of code, a word that
only happens to name a folder, and a folder over the caps are not (the last is reported).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.extract import datafiles
from tests.helpers import build_tree, extract_planned, plan_toml


def _tree(tmp_path: Path) -> Path:
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/web/__init__.py": "",
        "proj/web/settings.py": """
            import os
            from pathlib import Path

            HERE = os.path.dirname(__file__)
            STATIC = os.path.join(HERE, "assets")
            LOCALES = Path(HERE) / "locale"
            KIND = "client"  # a word, not a path: the client/ folder beside it stays
            HELPERS = os.path.join(HERE, "helpers")  # a folder of code: the planner's business


            def ready():
                return os.path.isdir(STATIC) and os.path.isdir(LOCALES)
        """,
        "proj/web/views.py": """
            from proj.web.settings import ready


            def index():
                return ready()
        """,
        "proj/web/assets/site.css": "body { margin: 0 }\n",
        "proj/web/assets/img/logo.svg": "<svg/>\n",
        "proj/web/locale/en.po": 'msgid "x"\n',
        "proj/web/templates/index.html": "<p>{{ x }}</p>\n",
        "proj/web/client/readme.txt": "not data of the code\n",
        "proj/web/helpers/tool.py": "X = 1\n",
        "proj/web/helpers/data.txt": "x\n",
        "proj/shop/__init__.py": "",
        "proj/shop/orders.py": """
            from proj.web.views import index


            def place():
                return index()
        """,
        "plan.toml": plan_toml({"web": ["proj.web"], "shop": ["proj.shop"]}, ["proj"]),
    })
    return root


def test_folders_named_where_a_path_is_made_and_conventional_ones_are_copied(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    out = tmp_path / "out"
    extract_planned(root, out)
    web = out / "services" / "web" / "web_service" / "ported" / "proj" / "web"
    assert (web / "settings.py").is_file()
    assert (web / "assets" / "site.css").read_text() == "body { margin: 0 }\n"
    assert (web / "assets" / "img" / "logo.svg").is_file()
    assert (web / "locale" / "en.po").is_file()
    assert (web / "templates" / "index.html").is_file()  # found by convention, no literal
    assert not (web / "client").exists()
    # a folder goes under the copy tree of the module that names it, not under both
    assert not (out / "services" / "web" / "web_service" / "vendor" / "proj" / "web" / "assets").exists()
    assert not (web / "helpers" / "data.txt").exists()
    migration = (out / "MIGRATION.md").read_text()
    assert "`proj/web/assets/` (2 files" in migration and "`proj/web/templates/` (1 file," in migration


def test_a_folder_over_the_cap_is_reported_not_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datafiles, "MAX_FOLDER", 10)
    root = _tree(tmp_path)
    out = tmp_path / "out"
    extract_planned(root, out)
    web = out / "services" / "web" / "web_service" / "ported" / "proj" / "web"
    assert not (web / "assets").exists()
    assert (web / "locale" / "en.po").is_file()  # 10 bytes: within the cap
    migration = (out / "MIGRATION.md").read_text()
    assert "**not** copied" in migration and "`proj/web/assets/` (over 10 bytes)" in migration
