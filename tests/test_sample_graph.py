"""The bundled sample's graph holds the facts its authors wrote into it (samples/shop/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.pipeline import AnalyzeOptions, run_front_end

SAMPLE = Path(__file__).parent.parent / "samples" / "shop"


@pytest.fixture(scope="module")
def calls():
    front = run_front_end(SAMPLE, AnalyzeOptions(use_cache=False, progress=False, jobs=1))
    edges = {(e.source, e.target) for e in front.resolution.edges if e.kind == "call"}
    return front, edges


def callees(edges, source):
    return {t for s, t in edges if s == source}


def test_all_modules_parse_and_almost_all_calls_resolve(calls):
    front, _ = calls
    assert all(f.error is None for f in front.facts)
    assert len(front.facts) >= 50
    assert front.resolution.stats["resolved_share"] >= 0.95


def test_cross_capability_calls_of_place_order(calls):
    _, edges = calls
    assert {
        "shop.cart.services.get_cart",
        "shop.cart.services.mark_converted",
        "shop.catalog.services.get_active_product",
        "shop.catalog.services.reserve_stock",
        "shop.promotions.services.apply_coupon",
        "shop.promotions.services.redeem_coupon",
        "shop.shipping.services.quote",
        "shop.shipping.services.create_shipment",
        "shop.payments.services.charge",
        "shop.notifications.services.notify_order_placed",
    } <= callees(edges, "shop.orders.services.place_order")


def test_circular_import_function_level_import_resolves(calls):
    _, edges = calls
    assert "shop.orders.services.mark_paid" in callees(edges, "shop.payments.services.capture_payment")


def test_dispatch_tables_callbacks_and_lambdas(calls):
    _, edges = calls
    assert {
        "shop.payments.services._pay_by_card",
        "shop.payments.services._pay_with_default_gateway",
        "shop.payments.services._pay_by_invoice",
    } <= callees(edges, "shop.payments.services.charge")
    # retry(lambda: gateway.authorize(...)) with gateway: Gateway, fed a ByCardGateway by _pay_by_card
    assert {
        "shop.common.helpers.retry",
        "shop.payments.gateways.Gateway.authorize",
        "shop.payments.gateways.ByCardGateway.authorize",
    } <= callees(edges, "shop.payments.services._authorize")


def test_annotations_super_self_attributes_and_reexports(calls):
    _, edges = calls
    assert callees(edges, "shop.notifications.services._deliver") == {"shop.notifications.senders.EmailSender.send"}
    assert "shop.notifications.senders.MessageSender.send" in callees(
        edges, "shop.notifications.senders.EmailSender.send")
    assert "shop.catalog.repository.ProductRepository.get" in callees(
        edges, "shop.catalog.services.CatalogService.get")
    assert "shop.orders.services.place_order" in callees(edges, "shop.orders.views.create_order")
    assert {"shop.payments.gateways.Gateway._authorize", "shop.payments.gateways.Gateway._check_amount"} <= callees(
        edges, "shop.payments.gateways.Gateway.authorize")
