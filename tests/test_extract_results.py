"""A moved function's result reaches the caller as the monolith gave it, even where its
annotation says otherwise.

Two shapes failed the generated tests of Dispatch's services (a FastAPI monolith): a function
annotated ``-> tuple[str, dict]`` answered the wire's tagged tuple, which the response model
(a JSON array) rejected; a function annotated ``-> list[Incident]`` whose ``if`` chain has
no ``else`` fell off its end and answered ``None``, which the model rejected too.
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import libcst as cst
import pytest

from analyzer.extract.implicit_none import find_function, may_return_none
from tests.helpers import build_tree, client_script, extract_planned, plan_toml, python_ok


def _returns_none(source: str, name: str = "f") -> bool:
    fn = find_function(cst.parse_module(dedent(source)), name.split("."))
    assert fn is not None
    return may_return_none(fn)


@pytest.mark.parametrize("source", [
    """
    def f(x) -> int:
        if x:
            return 1
    """,
    """
    def f(x) -> int:
        if x:
            return 1
        elif x is None:
            return 2
    """,
    """
    def f(x) -> list[int]:
        for i in x:
            return [i]
    """,
    """
    def f(x) -> int:
        if x:
            return
        return 1
    """,
    """
    def f(x) -> int:
        try:
            return int(x)
        except ValueError:
            pass
    """,
    """
    def f(x) -> int:
        while x:
            return 1
    """,
    """
    def f(x) -> int:
        while True:
            if x:
                break
            return 1
    """,
    """
    def f(x) -> int:
        match x:
            case 1:
                return 1
    """,
    """
    def f(x) -> int:
        return None
    """,
])
def test_a_function_that_may_end_without_a_value_returns_none(source: str) -> None:
    assert _returns_none(source)


@pytest.mark.parametrize("source", [
    """
    def f(x) -> int:
        return 1
    """,
    """
    def f(x) -> int:
        if x:
            return 1
        else:
            return 2
    """,
    """
    def f(x) -> int:
        if x:
            return 1
        elif x is None:
            raise ValueError(x)
        else:
            return 3
    """,
    """
    def f(x) -> int:
        try:
            return int(x)
        except ValueError:
            raise KeyError(x)
    """,
    """
    def f(x) -> int:
        with open(x) as fh:
            return len(fh.read())
    """,
    """
    def f(x) -> int:
        while True:
            for i in x:
                break
            if x:
                return 1
    """,
    """
    def f(x) -> int:
        match x:
            case 1:
                return 1
            case _:
                return 2
    """,
    """
    def f(x) -> int:
        if x:
            return 1
        sys.exit(2)
    """,
    """
    def f(x) -> int:
        def inner():
            return
        return inner() or 1
    """,
    """
    def f(x):
        for i in x:
            yield i
    """,
])
def test_a_function_that_always_returns_a_value_does_not(source: str) -> None:
    assert not _returns_none(source)


def test_a_method_is_found_in_its_class() -> None:
    source = """
    class Repo:
        def get(self, key) -> int:
            if key:
                return 1

        def all(self) -> list[int]:
            return []
    """
    assert _returns_none(source, "Repo.get")
    assert not _returns_none(source, "Repo.all")


def test_results_reach_the_caller_whatever_the_annotation_says(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "mono", {
        "proj/__init__.py": "",
        "proj/tags/__init__.py": "",
        "proj/tags/flows.py": """
            def tag_change(before: list[str], after: list[str]) -> tuple[str, dict]:
                added = sorted(set(after) - set(before))
                return (f"added {len(added)}" if added else "", {"added": added})


            def recent(status: str) -> list[int]:
                if status == "active":
                    return [1, 2]
                if status == "closed":
                    return [3]
        """,
        "proj/incidents/__init__.py": "",
        "proj/incidents/views.py": """
            from proj.tags.flows import recent, tag_change


            def describe(before: list[str], after: list[str]) -> str:
                text, details = tag_change(before, after)
                return text + str(recent("active"))
        """,
        "plan.toml": plan_toml({"tags": ["proj.tags"], "incidents": ["proj.incidents"]}, ["proj"]),
    })
    out = extract_planned(root, tmp_path / "out")
    service = out / "services" / "tags"
    models = (service / "tags_service" / "models.py").read_text()
    assert "may end without returning a value" in models  # recent's result is optional
    check = client_script("tags_service",
                          "change = client.post('/api/tags/tag-change', json={'before': ['a'], 'after': ['a', 'b']})\n"
                          "known = client.post('/api/tags/recent', json={'status': 'closed'})\n"
                          "unknown = client.post('/api/tags/recent', json={'status': 'other'})\n"
                          "print(json.dumps([[r.status_code, r.json()] for r in (change, known, unknown)]))\n")
    result = python_ok(service, check)
    change, known, unknown = json.loads(result.stdout.strip().splitlines()[-1])
    # the tuple goes as the JSON array its annotation declares
    assert change == [200, {"result": ["added 1", {"added": ["b"]}]}]
    assert known == [200, {"result": [3]}]
    assert unknown == [200, {"result": None}]
