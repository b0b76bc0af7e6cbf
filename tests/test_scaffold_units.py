"""The small pure parts of the scaffold: names, URL paths, type hints, quoting filters."""

from __future__ import annotations

import ast
import json
import tomllib

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from analyzer.scaffold.names import env_name, kebab, pascal, service_slug, snake, unique
from analyzer.scaffold.paths import Refused, convert
from analyzer.scaffold.render import (
    code_span,
    docstr,
    import_block,
    json_value,
    markdown_text,
    markdown_with_code,
    py_literal,
)
from analyzer.scaffold.typemap import (
    ANY_T,
    DICT,
    INT,
    LIST,
    NONE_T,
    STR,
    PyType,
    json_schema,
    map_annotation,
    map_default,
    python_type,
    union,
)

# -- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("orders", "orders"),
        ("Order Management", "order-management"),
        ("../../etc", "etc"),
        ("a/b", "a-b"),
        ("{{ 7*7 }}", "svc-7-7"),
        ("", "service"),
        ("Ünïcode Cafés", "unicode-cafes"),
        ("FakeGateway", "fake-gateway"),
    ],
)
def test_service_slug(name: str, slug: str) -> None:
    assert service_slug(name) == slug


@given(st.text(max_size=80))
def test_service_slug_is_always_a_dns_label(name: str) -> None:
    slug = service_slug(name)
    assert 1 <= len(slug) <= 63
    assert slug[0].isalpha() and slug.isascii()
    assert all(ch.islower() or ch.isdigit() or ch == "-" for ch in slug)
    assert not slug.endswith("-")


@given(st.text(max_size=60))
def test_snake_is_always_an_identifier(text: str) -> None:
    name = snake(text)
    assert name.isidentifier() and name.isascii()
    ast.parse(f"{name} = 1")  # not a keyword either


def test_identifier_helpers() -> None:
    assert snake("class") == "class_"
    assert snake("7up") == "n7up"
    assert pascal("place_order") == "PlaceOrder"
    assert kebab("OrderService.cancel") == "order-service-cancel"
    assert env_name("order-service") == "ORDER_SERVICE"


def test_unique_is_one_to_one_and_independent_of_order() -> None:
    names = ["a/b", "a-b", "A B", "x"]
    first = unique(names, service_slug)
    second = unique(list(reversed(names)), service_slug)
    assert first == second
    assert len(set(first.values())) == len(names)
    assert sorted(first.values()) == ["a-b", "a-b-2", "a-b-3", "x"]
    assert unique(["gateway"], service_slug, taken=("gateway",)) == {"gateway": "gateway-2"}


# -- paths -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fastapi", "regex", "example"),
    [
        ("/orders/<int:order_id>", "/orders/{order_id}", "^/orders/[0-9]+$", "/orders/1"),
        ("/orders/<order_id>", "/orders/{order_id}", "^/orders/[^/]+$", "/orders/x"),
        ("orders/<int:pk>/", "/orders/{pk}/", "^/orders/[0-9]+/$", "/orders/1/"),
        ("^orders/(?P<pk>[0-9]+)/$", "/orders/{pk}/", "^/orders/[0-9]+/$", "/orders/1/"),
        ("/items/{item_id}", "/items/{item_id}", "^/items/[^/]+$", "/items/x"),
        ("/files/<path:rest>", "/files/{rest:path}", "^/files/.+$", "/files/a/b"),
        ("/a/<x>.json", "/a/{x}.json", "^/a/[^/]+[.]json$", "/a/x.json"),
        ("/p/<float:v>", "/p/{v}", "^/p/[0-9]+[.][0-9]+$", "/p/1.5"),
        ("/orders", "/orders", None, "/orders"),
        # an optional trailing slash (Django's ``^about/?$``): served without, matched either way
        ("/about/?", "/about", "^/about/?$", "/about"),
        ("/user/(?P<username>[^/]+)/?", "/user/{username}", "^/user/[^/]+/?$", "/user/x"),
        # a converter of the project's own: one segment, or a path when its name says so
        ("/file/<hash64:identifier>", "/file/{identifier}", "^/file/[^/]+$", "/file/x"),
        ("/v2/<repopath:repository>/tags", "/v2/{repository:path}/tags", "^/v2/.+/tags$", "/v2/a/b/tags"),
        # its arguments may be quoted text holding brackets (a regex converter's pattern)
        ('/blobs/<regex("([a-z]+):([0-9a-f]+)"):digest>', "/blobs/{digest}", "^/blobs/[^/]+$", "/blobs/x"),
        ("/<any(file, config):kind>/<int:n>", "/{kind}/{n}", "^/[^/]+/[0-9]+$", "/x/1"),
    ],
)
def test_convert_route_paths(path: str, fastapi: str, regex: str | None, example: str) -> None:
    converted = convert(path)
    assert not isinstance(converted, Refused), converted
    assert (converted.fastapi, converted.regex, converted.example) == (fastapi, regex, example)


@pytest.mark.parametrize("path", ["/bad;x", "/../etc", "/a//b", "/{{ 7*7 }}", "/r/(\\d+)", "", None,
                                  "/x\ny", "/q?a=1", "/a b", "/<a>/<a>", "/<a:>"])
def test_unsafe_or_unconvertible_paths_are_refused(path: str | None) -> None:
    assert isinstance(convert(path), Refused)


def test_a_path_built_at_run_time_is_refused_with_its_reason() -> None:
    refused = convert("^${get_system_setting()}api/v2/schema/")
    assert isinstance(refused, Refused) and "only known at run time" in refused.reason


@given(st.text(max_size=40))
def test_a_converted_path_holds_only_safe_characters(path: str) -> None:
    converted = convert(path)
    if isinstance(converted, Refused):
        return
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._~:@!+,=-{}_")
    assert set(converted.fastapi) <= allowed
    assert converted.example.startswith("/")


# -- type hints ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "python"),
    [
        ("int", "int"),
        ("str | None", "str | None"),
        ("Optional[int]", "int | None"),
        ("typing.Optional[typing.List[int]]", "list[int] | None"),
        ("list[dict[str, int]]", "list[dict[str, int]]"),
        ("Dict[str, Any]", "dict[str, Any]"),
        ("Union[int, str, None]", "int | str | None"),
        ("decimal.Decimal", "Decimal"),
        ("datetime.datetime", "datetime"),
        ("date", "date"),
        ("UUID", "UUID"),
        ("tuple[int, ...]", "list[int]"),
        ("Sequence[str]", "list[str]"),
        ("Annotated[int, 'meta']", "int"),
        ("Literal['a', 'b']", "str"),
        ("'int'", "int"),
        ("None", "None"),
        ("list", "list[Any]"),
    ],
)
def test_plain_annotations_map_exactly(annotation: str, python: str) -> None:
    mapped = map_annotation(annotation)
    assert mapped.exact, mapped.reason
    assert python_type(mapped.type) == python


@pytest.mark.parametrize(
    ("annotation", "python", "reason"),
    [
        (None, "Any", "no type hint"),
        ("Order", "Any", "`Order` is not a plain data type"),
        ("list[Order]", "list[Any]", "`Order` is not a plain data type"),
        ("models.Order | None", "Any", "`models.Order` is not a plain data type"),
        ("dict[Order, int]", "dict[str, int]", "dict keys of type `Order` are not JSON keys"),
        ("Callable[[int], str]", "Any", "`Callable[[int], str]` is not a plain data type"),
        ("int[", "Any", "`int[` could not be read"),
    ],
)
def test_other_annotations_become_any_with_a_reason(annotation: str | None, python: str, reason: str) -> None:
    mapped = map_annotation(annotation)
    assert not mapped.exact
    assert python_type(mapped.type) == python
    assert mapped.reason == reason


def test_annotations_are_parsed_not_evaluated() -> None:
    mapped = map_annotation("__import__('os').system('echo owned')")
    assert not mapped.exact and mapped.type == ANY_T


def test_union_flattens_and_puts_none_last() -> None:
    assert union(NONE_T, PyType(INT), union(PyType(STR), PyType(INT))) == PyType(
        "union", (PyType(INT), PyType(STR), NONE_T))
    assert union(PyType(INT), ANY_T) == ANY_T


def test_json_schema_of_nested_types() -> None:
    t = PyType(LIST, (PyType(DICT, (PyType(STR), union(PyType(INT), NONE_T))),))
    assert json_schema(t) == {"type": "array", "items": {"type": "object", "additionalProperties": {
        "anyOf": [{"type": "integer"}, {"type": "null"}]}}}


@pytest.mark.parametrize(
    ("text", "value", "factory", "has_reason"),
    [("1", 1, None, False), ("'x'", "x", None, False), ("None", None, None, False), ("True", True, None, False),
     ("-2.5", -2.5, None, False), ("[]", [], "list", False), ("{}", {}, "dict", False),
     ("SOME_CONSTANT", None, None, True), ("[1, 2]", None, None, True), ("float('nan')", None, None, True)],
)
def test_defaults(text: str, value: object, factory: str | None, has_reason: bool) -> None:
    default = map_default(text)
    assert default is not None
    assert (default.value, default.factory, default.reason is not None) == (value, factory, has_reason)
    assert map_default(None) is None


# -- quoting filters -------------------------------------------------------------------------------------


@given(st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.lists(st.text(max_size=5), max_size=3)))
def test_py_literal_round_trips(value: object) -> None:
    assert ast.literal_eval(py_literal(value)) == value


@given(st.one_of(st.text(), st.integers(), st.booleans(), st.none()))
def test_json_value_is_one_yaml_and_toml_scalar(value: object) -> None:
    text = json_value(value)
    assert "\n" not in text and "\r" not in text
    assert yaml.safe_load(f"key: {text}") == {"key": value}
    if isinstance(value, str):
        assert tomllib.loads(f"key = {text}") == {"key": value}
        if value.isascii():
            assert json.loads(text) == value


@given(st.text())
def test_docstring_text_cannot_close_the_docstring(value: str) -> None:
    source = f'def f():\n    """{docstr(value)}"""\n'
    tree = ast.parse(source)
    assert isinstance(tree.body[0], ast.FunctionDef) and len(tree.body[0].body) == 1


def test_markdown_filters_neutralise_markup() -> None:
    assert markdown_text("<script>*x*</script> | {{ 7*7 }}") == (
        "&lt;script&gt;\\*x\\*&lt;/script&gt; \\| \\{\\{ 7\\*7 \\}\\}")
    assert code_span("a`b|c") == "``a`b\\|c``"
    assert markdown_with_code("`card`: `Card` is <b>not</b> plain") == "`card`: `Card` is &lt;b&gt;not&lt;/b&gt; plain"
    assert markdown_with_code("an unpaired ` stays text") == "an unpaired \\` stays text"


def test_import_block_follows_isort_order() -> None:
    text = import_block(["typing:Any", "datetime:datetime", "datetime:date", "json"],
                        ["pydantic:Field", "pydantic:BaseModel", "fastapi:status", "fastapi:APIRouter"],
                        ["pkg.settings:get", "pkg.settings:Settings", "pkg.settings:SERVICE"])
    assert text == (
        "import json\nfrom datetime import date, datetime\nfrom typing import Any\n\n"
        "from fastapi import APIRouter, status\nfrom pydantic import BaseModel, Field\n\n"
        "from pkg.settings import SERVICE, Settings, get"
    )
