"""What an extraction leaves with the monolith's repository instead of copying into services."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import build_tree, extract_planned, plan_toml


def test_operational_scripts_stay_with_the_monolith(tmp_path: Path) -> None:
    """mealie's code generators (``dev/code-generation/``), set aside as tooling, were vendored
    into every service, and each service's import test failed on their development-only
    packages (``rich``, ``pydantic2ts``). MIGRATION.md says they stay with the monolith."""
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/orders/__init__.py": "",
        "proj/orders/views.py": "def show(order_id: int) -> dict:\n    return {'id': order_id}\n",
        "proj/billing/__init__.py": "",
        "proj/billing/views.py": "def total() -> int:\n    return 0\n",
        "scripts/seed.py": """
            import rich

            from proj.orders.views import show


            def main() -> None:
                rich.print(show(1))
        """,
        "plan.toml": plan_toml({"orders": ["proj.orders"], "billing": ["proj.billing"]}, ["proj", "scripts.seed"]),
    })
    out = extract_planned(root, tmp_path / "out")
    assert "`scripts.seed`" in (out / "MIGRATION.md").read_text()  # listed among the operational scripts
    assert not list((out / "services").rglob("seed.py"))
