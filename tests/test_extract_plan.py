"""What extraction decides on the sample shop: which code each service gets, and what becomes of
every name it uses from another service (rewired, replicated, stubbed, pruned), with the counts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from analyzer.extract.decide import Globals, Planner
from analyzer.extract.model import PRUNED, REPLICATED, REWIRED, STUBBED
from analyzer.extract.program import Program
from analyzer.interfaces import cross_calls
from analyzer.plan import apply_plan
from analyzer.scaffold import build_context

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("scaffold_support", HERE / "fixtures/scaffold/support.py")
support = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(support)

SAMPLE = HERE.parent / "samples" / "shop"


class Planned:
    def __init__(self, doc) -> None:
        self.doc = doc
        self.ctx = build_context(doc)
        self.prog = Program(doc)
        self.g = Globals(self.prog, self.ctx)
        self.planners = {}
        for svc in self.ctx.services:
            planner = Planner(self.g, svc)
            planner.run()
            self.planners[svc.slug] = planner

    def decision(self, slug: str, target: str, action: str | None = None):
        decisions = self.planners[slug].decisions
        if action == PRUNED:
            return decisions[(target, PRUNED)]
        return decisions[(target, "use")]


@pytest.fixture(scope="module")
def analysis():
    return support.sample()


@pytest.fixture(scope="module")
def intended(analysis) -> Planned:
    return Planned(apply_plan(analysis, SAMPLE / "intended.toml"))


@pytest.fixture(scope="module")
def own(analysis) -> Planned:
    return Planned(analysis)


def test_the_factories_of_the_monolith_are_found(intended: Planned) -> None:
    assert intended.g.app_factory == "shop.create_app"
    assert intended.g.session_factory == "shop.db.get_session"


def test_calls_whose_values_can_cross_are_rewired(intended: Planned) -> None:
    charge = intended.decision("orders", "shop.payments.services.charge")
    assert charge.action == REWIRED and charge.proxy is not None
    assert charge.proxy.client_class == "PaymentsClient" and charge.proxy.path == "/api/payments/charge"
    assert "`order`: `Order` (owned by orders) crosses as a read-only snapshot" in charge.notes
    session = next(p for p in charge.proxy.params if p.name == "session")
    assert session.field is None  # stays on this side: payments opens its own
    mark = intended.decision("orders", "shop.cart.services.mark_converted")
    assert mark.action == REWIRED
    assert "`cart`: `Cart` crosses as its primary key; cart reloads it" in mark.notes
    # an optional argument that cannot cross does not stop the call: the proxy refuses it when given
    quote = intended.decision("orders", "shop.shipping.services.quote")
    assert quote.action == REWIRED
    [calculator] = [p for p in quote.proxy.params if p.name == "calculator"]
    assert "RateCalculator" in calculator.refused


def test_code_a_remote_call_cannot_serve_is_replicated_when_stateless(intended: Planned) -> None:
    for slug in ("cart", "orders", "shipping"):
        for name in ("login_required", "current_customer_id"):
            d = intended.decision(slug, f"shop.accounts.auth.{name}")
            assert d.action == REPLICATED
        assert "reads the HTTP request being served" in intended.decision(
            slug, "shop.accounts.auth.current_customer_id").reason
    assert intended.decision("cart", "shop.catalog.services.OutOfStock").action == REPLICATED
    assert intended.decision("cart", "shop.promotions.services.CouponRejected").action == REPLICATED
    assert intended.decision("payments", "shop.orders.models.OrderStatus").action == REPLICATED
    plans = intended.planners["cart"].plans
    assert plans["shop.accounts.auth"].replicas == {"_sign", "bearer_token", "current_customer_id", "decode_token",
                                                    "login_required"}
    assert not plans["shop.accounts.auth"].full


def test_another_services_entity_is_a_stub_and_its_direct_use_is_reported(intended: Planned) -> None:
    d = intended.decision("orders", "shop.catalog.models.StockLevel")
    assert (d.action, d.kind) == (STUBBED, "entity")
    accesses = {(f.function, f.entity, f.kind, f.owner) for f in intended.planners["orders"].foreign_accesses()}
    assert ("shop.orders.services.cancel_order", "StockLevel", "write", "catalog") in accesses
    assert intended.decision("payments", "shop.orders.models.Order").action == STUBBED
    payments = {(f.function, f.entity) for f in intended.planners["payments"].foreign_accesses()}
    assert ("shop.payments.services.handle_webhook", "Order") in payments


def test_the_shared_library_copy_leaves_out_other_services_code(intended: Planned) -> None:
    orders = intended.planners["orders"].plans["shop"]
    assert {"run_pending", "catalog_bp", "payments_bp"} <= orders.pruned
    assert "orders_bp" not in orders.pruned and "orders_admin_bp" not in orders.pruned
    d = intended.decision("orders", "shop.notifications.tasks.run_pending", PRUNED)
    assert "module state `_queue`" in d.reason
    notifications = intended.planners["notifications"].plans["shop"]
    assert "run_pending" not in notifications.pruned and "notifications_bp" not in notifications.pruned


def test_every_cross_service_call_site_is_counted_once(intended: Planned, own: Planned) -> None:
    for planned in (intended, own):
        total = sum(c.weight for c in cross_calls(planned.doc, planned.prog.placement))
        counted = [c for p in planned.planners.values() for c in p.call_sites()]
        assert sum(c.sites for c in counted) == total
        assert all(c.action in (REWIRED, REPLICATED, STUBBED) and c.reason for c in counted)


def test_the_counts_on_the_intended_plan(intended: Planned) -> None:
    """Regression figures: a change here is a change in what extraction achieves on the sample."""
    counted = [c for p in intended.planners.values() for c in p.call_sites()]
    by_action = {a: sum(c.sites for c in counted if c.action == a) for a in (REWIRED, REPLICATED, STUBBED)}
    assert by_action == {REWIRED: 32, REPLICATED: 22, STUBBED: 0}


def test_operations_and_routes_run_moved_code(intended: Planned) -> None:
    for slug, planner in intended.planners.items():
        for op in planner.operations():
            assert op.ported, (slug, op)
            assert op.target.startswith(f"{slug}_service.ported.")
        assert all(r.ported for r in planner.routes()), slug
    [mark_paid] = intended.planners["orders"].operations()
    assert (mark_paid.func, mark_paid.session) == ("mark_paid", "session")


def test_entities_move_with_their_owner(own: Planned) -> None:
    prog = own.prog
    for model, entity in prog.models.items():
        assert prog.placement[model] == prog.entity_owner[entity.id]
