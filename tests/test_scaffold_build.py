"""The scaffold's decisions on the hand-made shop analysis: operations, models, clients,
gateway routes, extraction order, import contracts, and the OpenAPI documents."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

from analyzer.errors import ConfigError, PlanError
from analyzer.scaffold import build_context, render_files
from analyzer.scaffold.context import ScaffoldContext, ScaffoldOptions
from analyzer.scaffold.openapi import openapi_document

_spec = importlib.util.spec_from_file_location("scaffold_support", Path(__file__).parent / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)


@pytest.fixture(scope="module")
def ctx() -> ScaffoldContext:
    return build_context(support.shop())


def op(ctx: ScaffoldContext, service: str, slug: str):
    return next(o for o in ctx.service(service).operations if o.slug == slug)


def test_services_are_sorted_and_numbered_from_the_base_port(ctx: ScaffoldContext) -> None:
    assert [(s.slug, s.package, s.port, s.env_prefix) for s in ctx.services] == [
        ("catalog", "catalog_service", 8001, "CATALOG_"),
        ("orders", "orders_service", 8002, "ORDERS_"),
        ("payments", "payments_service", 8003, "PAYMENTS_"),
    ]
    other = build_context(support.shop(), ScaffoldOptions(base_port=9100))
    assert [s.port for s in other.services] == [9100, 9101, 9102]


def test_interface_operations(ctx: ScaffoldContext) -> None:
    assert [(o.slug, o.path) for o in ctx.service("orders").operations] == [
        ("mark-paid", "/api/orders/mark-paid"),
        ("order-service-cancel", "/api/orders/order-service-cancel"),
        ("order-total", "/api/orders/order-total"),
    ]
    cancel = op(ctx, "orders", "order-service-cancel")
    assert cancel.symbol == "shop.orders.services.OrderService.cancel"
    assert cancel.source == "shop/orders/services.py:60"
    assert [f.name for f in cancel.request.fields] == ["order_id", "reason"]  # self is dropped
    assert cancel.caller_services == ("payments",)


def test_typed_parameters_make_exact_models(ctx: ScaffoldContext) -> None:
    get_product = op(ctx, "catalog", "get-product")
    assert [(f.name, f.py_type, f.required) for f in get_product.request.fields] == [("product_id", "int", True)]
    assert not get_product.request.permissive
    assert get_product.response.fields[0].py_type == "dict[str, Any]"
    reserve = op(ctx, "catalog", "reserve-stock")
    quantity = reserve.request.fields[1]
    assert (quantity.name, quantity.required, quantity.default.value) == ("quantity", False, 1)


def test_a_database_session_is_not_sent_over_the_wire(ctx: ScaffoldContext) -> None:
    reserve = op(ctx, "catalog", "reserve-stock")
    assert [f.name for f in reserve.request.fields] == ["product_id", "quantity"]
    assert reserve.request.dropped == ("`session` (a database session: the service provides its own)",)
    assert not reserve.request.permissive


def test_unknown_types_make_permissive_models_that_say_why(ctx: ScaffoldContext) -> None:
    charge = op(ctx, "payments", "charge")
    assert charge.request.permissive
    assert charge.request.reasons == ("`card`: `Card` is not a plain data type",)
    assert charge.response.reasons == ("`result`: `PaymentResult` is not a plain data type",)
    assert [f.py_type for f in charge.request.fields] == ["int", "Decimal", "Any"]
    mark_paid = op(ctx, "orders", "mark-paid")
    assert mark_paid.request.reasons == ("`order_id`: no type hint", "`payment_ref`: no type hint")


def test_a_constructor_in_the_interface_takes_its_init_parameters(ctx: ScaffoldContext) -> None:
    gateway = op(ctx, "payments", "fake-gateway")
    assert gateway.kind == "class"
    assert [f.name for f in gateway.request.fields] == ["api_key"]
    assert gateway.response.reasons == ("`result`: returns a `FakeGateway` instance, not plain data",)


def test_only_reads_that_write_nothing_are_idempotent(ctx: ScaffoldContext) -> None:
    flags = {(s.slug, o.slug): o.idempotent for s in ctx.services for o in s.operations}
    assert flags[("catalog", "get-product")] is True
    assert flags[("payments", "get-payment")] is True
    assert flags[("catalog", "reserve-stock")] is False  # writes Product
    assert flags[("orders", "order-total")] is False  # not a read verb: not assumed safe


def test_clients_and_call_modes(ctx: ScaffoldContext) -> None:
    payments = ctx.service("payments")
    (orders_client,) = payments.clients
    assert (orders_client.target, orders_client.class_name, orders_client.env) == (
        "orders", "OrdersClient", "PAYMENTS_ORDERS_URL")
    modes = {c.operation.slug: c.mode for c in orders_client.calls}
    assert modes == {"mark-paid": "event", "order-service-cancel": "event", "order-total": "sync"}
    assert [c.target for c in ctx.service("orders").clients] == ["catalog", "payments"]


def test_owned_routes_keep_their_paths_and_methods(ctx: ScaffoldContext) -> None:
    routes = {(r.path, r.methods) for s in ctx.services for r in s.routes}
    assert ("/orders/{order_id}", ("GET",)) in routes
    assert ("/payments/{pk}/", ("GET", "HEAD")) in routes
    assert ("/checkout", ("GET",)) in routes and ("/checkout", ("POST",)) in routes
    payments = ctx.service("payments")
    assert [(r.what, r.reason) for r in payments.refusals] == [
        ("GET ^legacy/(\\d+)/$", "the path is a regular expression that cannot be converted")]
    assert [(e.kind, e.handler) for e in ctx.service("orders").entry_points] == [
        ("task", "shop.orders.tasks.send_receipt")]


def test_gateway_routes_split_a_path_by_method(ctx: ScaffoldContext) -> None:
    checkout = next(g for g in ctx.gateway_routes if g.exact == "/checkout")
    assert checkout.default == "catalog"
    assert checkout.by_method == (("POST", "orders"),)
    exact_first = [g.exact is not None for g in ctx.gateway_routes]
    assert exact_first == sorted(exact_first, reverse=True)


def test_extraction_order_is_least_coupled_first(ctx: ScaffoldContext) -> None:
    assert [(s.service, s.cost) for s in ctx.steps] == [("catalog", 4), ("payments", 6), ("orders", 0)]
    payments = ctx.steps[1]
    assert {(c.caller, c.callee) for c in payments.events} == {
        ("shop.payments.services.charge", "shop.orders.services.mark_paid"),
        ("shop.payments.services.refund", "shop.orders.services.OrderService.cancel"),
    }
    assert ctx.steps[-1].http_calls == () and ctx.steps[-1].events == ()


def test_risks_name_the_functions(ctx: ScaffoldContext) -> None:
    (tx,) = ctx.transactions
    assert (tx.function, tx.source, tx.services) == ("shop.orders.services.place_order",
                                                      "shop/orders/services.py:12", ("catalog", "orders"))
    (shared,) = ctx.shared_writes
    assert shared.entity == "Product" and shared.services == ("catalog", "orders")


def test_contracts_forbid_everything_but_the_interface(ctx: ScaffoldContext) -> None:
    contracts = {c.service: c for c in ctx.contracts}
    assert contracts["catalog"].forbidden == ("shop.catalog", "shop.catalog.models", "shop.catalog.views")
    assert contracts["catalog"].interface == ("shop.catalog.services",)
    assert "shop.orders.services" in contracts["catalog"].sources
    assert not set(contracts["catalog"].sources) & set(contracts["catalog"].forbidden)
    assert ctx.root_packages == ("shop",)


def test_bad_options_are_refused_with_every_problem_at_once() -> None:
    bad = ScaffoldOptions(namespace="Not A Label", base_port=70000, cpu_limit="lots", host="a b;")
    with pytest.raises(ConfigError) as info:
        build_context(support.shop(), bad)
    message = str(info.value)
    for fragment in ("base_port", "namespace", "cpu_limit", "host"):
        assert fragment in message


def test_overlapping_ports_are_refused() -> None:
    with pytest.raises(ConfigError, match="ports overlap") as info:
        build_context(support.shop(), ScaffoldOptions(base_port=8079, gateway_port=8080))
    assert str(info.value).endswith("start the services above them with --base-port 8081")  # the way out


def test_no_decomposition_is_a_plan_error() -> None:
    doc = support.shop()
    doc.decomposition = None
    with pytest.raises(PlanError, match="no decomposition"):
        build_context(doc)


def test_rendering_is_deterministic() -> None:
    assert render_files(build_context(support.shop())) == render_files(build_context(support.shop()))


# -- OpenAPI: the document written without importing the app == what FastAPI publishes -----------------


def _operations(document: dict) -> dict[tuple[str, str], str]:
    return {(path, method): op["operationId"] for path, ops in document["paths"].items() for method, op in ops.items()}


def test_openapi_matches_what_fastapi_publishes(ctx: ScaffoldContext, tmp_path: Path) -> None:
    files = render_files(ctx)
    for rel, text in files.items():
        if rel.startswith("services/"):
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for s in ctx.services:
        folder = tmp_path / "services" / s.slug
        sys.path.insert(0, str(folder))
        try:
            main = importlib.import_module(f"{s.package}.main")
            published = main.create_app().openapi()
        finally:
            sys.path.remove(str(folder))
            for name in [m for m in sys.modules if m == s.package or m.startswith(s.package + ".")]:
                del sys.modules[name]
        ours = openapi_document(s, "")
        assert _operations(ours) == _operations(published), s.slug
        assert published["openapi"] == ours["openapi"]
        for name, schema in ours["components"]["schemas"].items():
            theirs = published["components"]["schemas"][name]
            assert set(schema["properties"]) == set(theirs["properties"]), name
            assert schema.get("required", []) == theirs.get("required", []), name
            assert schema.get("additionalProperties") == theirs.get("additionalProperties"), name


def test_a_route_of_the_same_shape_as_one_served_is_refused() -> None:
    # FastAPI answers /orders/1 with whichever of /orders/{order_id} and /orders/{slug} comes
    # first: the second would be a stub nobody reaches
    import dataclasses

    from analyzer.model import Route

    doc = support.shop()
    alike = Route("entry:http:GET /orders/<slug>", "http", "shop.orders.views.create_order", "/orders/<slug>",
                  ("GET",), module="shop.orders.views")
    orders = build_context(dataclasses.replace(doc, routes=[*doc.routes, alike])).service("orders")
    assert [r.original for r in orders.routes if r.methods == ("GET",)] == ["/orders/<int:order_id>"]
    assert ("GET /orders/<slug>", "already served by shop.orders.views.show_order") in [
        (r.what, r.reason) for r in orders.refusals]


def test_routes_are_mounted_most_specific_first() -> None:
    # /orders/{order_id} answers /orders/1-x too: the longer template must come first
    import dataclasses

    from analyzer.model import Route

    doc = support.shop()
    slugged = Route("entry:http:GET /orders/<int:order_id>-<slug>", "http", "shop.orders.views.create_order",
                    "/orders/<int:order_id>-<slug>", ("GET",), module="shop.orders.views")
    orders = build_context(dataclasses.replace(doc, routes=[*doc.routes, slugged])).service("orders")
    paths = [r.path for r in orders.routes if r.methods == ("GET",)]
    assert paths.index("/orders/{order_id}-{slug}") < paths.index("/orders/{order_id}")
    assert not orders.refusals


def test_a_route_at_a_path_the_service_answers_itself_is_refused() -> None:
    # FastAPI serves /openapi.json and /docs before any route: the monolith's own would be a
    # stub its tests could never reach (zou's GET /openapi.json)
    import dataclasses

    from analyzer.model import Route

    doc = support.shop()
    own = [Route(f"entry:http:GET {p}", "http", "shop.orders.views.create_order", p, ("GET",),
                 module="shop.orders.views") for p in ("/openapi.json", "/docs", "/livez")]
    orders = build_context(dataclasses.replace(doc, routes=[*doc.routes, *own])).service("orders")
    assert not {r.original for r in orders.routes} & {"/openapi.json", "/docs", "/livez"}
    assert {(r.what, r.reason) for r in orders.refusals} == {
        (f"GET {p}", "the path collides with the service's own API") for p in ("/openapi.json", "/docs", "/livez")}


def test_operational_scripts_are_listed_apart_with_the_data_they_write() -> None:
    """Modules set aside as tooling (a backfill) are no shared library every service copies:
    MIGRATION.md lists them apart, with the entities they write and each one's owner."""
    import dataclasses

    from analyzer.model import Edge

    doc = support.shop()
    doc = dataclasses.replace(doc, clustering={"shared": [{"module": "shop.common.money", "rule": "tooling"}]},
                              edges=[*doc.edges, Edge("shop.common.money", "entity:shop.catalog.models.Product",
                                                      "write", 2)])
    ctx = build_context(doc)
    assert ctx.tool_modules == ("shop.common.money",)
    assert "shop.common.money" not in ctx.shared_modules
    (write,) = ctx.tool_writes
    assert (write.entity, write.services, write.functions) == ("Product", ("catalog",), ("shop.common.money",))
    migration = render_files(ctx)["MIGRATION.md"]
    assert "## Operational scripts" in migration and "| `Product` | catalog | `shop.common.money` |" in migration
