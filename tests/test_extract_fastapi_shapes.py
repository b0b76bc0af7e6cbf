"""Shapes of a FastAPI + SQLAlchemy monolith that broke its extracted services on import or on
their first call, each found on mealie (27 k lines, 18 services) and reduced here:

* a package whose ``__init__`` is shared imports its modules in an order that breaks their
  cycles; the service's copy must run that ``__init__`` first, as the monolith does;
* a pydantic schema with one method that queries the database is still a data shape: routes
  read it as a response model when they are defined, so it is copied, not stubbed;
* ``router.include_router(users.router)`` of another service's router is left out of the copy;
* an ``async def`` interface function runs to its end and answers its result; a caller's proxy
  of it is a coroutine function, as the monolith's function was.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import (
    build_tree,
    client_script,
    extract_planned,
    plan_toml,
    python_in,
    python_ok,
    sqlalchemy_models,
)


def test_a_shared_package_init_runs_before_a_module_of_it(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        # the shared package imports `events` only after `recipe`, which `events` needs
        "proj/schema/__init__.py": """
            from .base import Shape
            from .recipe import Recipe
            from .events import Event
        """,
        "proj/schema/base.py": "class Shape:\n    kind = 'shape'\n",
        "proj/schema/recipe.py": """
            from proj.schema import Shape


            class Recipe(Shape):
                pass
        """,
        "proj/schema/events.py": """
            from proj.schema.recipe import Recipe


            class Event(Recipe):
                pass


            def describe() -> str:
                return Event.kind
        """,
        "proj/web/__init__.py": "",
        "proj/web/views.py": """
            from proj.schema.events import describe


            def show() -> str:
                return describe()
        """,
        "plan.toml": plan_toml({"events": ["proj.schema.events"], "web": ["proj.web"]},
                               ["proj", "proj.schema", "proj.schema.base", "proj.schema.recipe"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "events"
    marker = (service / "events_service" / "ported" / "proj" / "schema" / "__init__.py").read_text()
    assert "import events_service.vendor.proj.schema" in marker
    result = python_in(service, "from events_service.ported.proj.schema.events import describe; print(describe())")
    assert result.returncode == 0 and result.stdout.strip() == "shape", result.stdout[-3000:] + result.stderr[-3000:]


def test_a_schema_with_a_query_method_is_copied_and_a_foreign_router_is_not_mounted(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/recipes/__init__.py": """
            from fastapi import APIRouter

            from . import routes

            router = APIRouter()
            router.include_router(routes.router, prefix="/recipes")
        """,
        "proj/recipes/models.py": sqlalchemy_models(RecipeModel="recipes"),
        "proj/recipes/schema.py": """
            from pydantic import BaseModel

            from proj.recipes.models import RecipeModel


            class Recipe(BaseModel):
                name: str

                @classmethod
                def search(cls, session, text):
                    return session.query(RecipeModel).filter(RecipeModel.id > 0).all()
        """,
        "proj/recipes/routes.py": """
            from fastapi import APIRouter

            from proj.recipes.schema import Recipe

            router = APIRouter()


            @router.get("/first", response_model=Recipe)
            def first() -> Recipe:
                return Recipe(name="soup")
        """,
        "proj/web/__init__.py": """
            from fastapi import APIRouter

            from proj import recipes
            from proj.web import pages

            router = APIRouter(prefix="/api")
            router.include_router(pages.router)
            router.include_router(recipes.router)
        """,
        "proj/web/pages.py": """
            from fastapi import APIRouter

            from proj.recipes.schema import Recipe

            router = APIRouter(prefix="/pages")


            @router.get("/home", response_model=Recipe)
            def home() -> Recipe:
                return Recipe(name="home")


            def title() -> str:
                return home().name
        """,
        "plan.toml": plan_toml({"recipes": ["proj.recipes"], "web": ["proj.web"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "web"
    ported = service / "web_service" / "ported" / "proj"
    schema = (ported / "recipes" / "schema.py").read_text()
    assert "class Recipe(BaseModel):" in schema  # copied: a data shape
    package = (ported / "web" / "__init__.py").read_text()
    assert "router.include_router(pages.router)" in package
    assert "include_router(recipes.router)" not in package
    assert "routes the recipes service serves" in (out / "MIGRATION.md").read_text()
    result = python_ok(service, "from fastapi import FastAPI\nfrom fastapi.testclient import TestClient\n"
                                "import web_service.ported.proj.web as web\n"
                                "from web_service.ported.proj.web.pages import title\n"
                                "app = FastAPI()\napp.include_router(web.router)\nclient = TestClient(app)\n"
                                "print(title(), client.get('/api/pages/home').json(), "
                                "client.get('/api/recipes/first').status_code)")
    assert result.stdout.strip() == "home {'name': 'home'} 404"


def test_an_async_function_runs_to_its_end_and_its_proxy_is_a_coroutine(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/fetch/__init__.py": "",
        "proj/fetch/sizes.py": """
            import asyncio


            async def largest(urls: list[str]) -> tuple[str, int]:
                await asyncio.sleep(0)
                best = max(urls, key=len, default="")
                return best, len(best)
        """,
        "proj/images/__init__.py": "",
        "proj/images/pick.py": """
            from proj.fetch.sizes import largest


            async def pick(urls: list[str]) -> str:
                url, _ = await largest(urls)
                return url
        """,
        "plan.toml": plan_toml({"fetch": ["proj.fetch"], "images": ["proj.images"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    facade = (out / "services" / "images" / "images_service" / "ported" / "proj" / "fetch" / "sizes.py").read_text()
    assert "async def largest(" in facade
    service = out / "services" / "fetch"
    check = client_script("fetch_service",
                          "r = client.post('/api/fetch/largest', json={'urls': ['a', 'abc', 'ab']})\n"
                          "print(json.dumps([r.status_code, r.json()]))\n")
    result = python_ok(service, check)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [200, {"result": ["abc", 3]}]
