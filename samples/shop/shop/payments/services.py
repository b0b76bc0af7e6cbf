"""Payment use cases: charge at checkout, capture, refund, gateway webhooks."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.common.helpers import audit_log, isoformat, retry, utcnow
from shop.common.money import ZERO, to_decimal
from shop.common.validation import ConflictError, NotFoundError, ShopError, ValidationError
from shop.notifications.services import notify_payment_received
from shop.orders.models import Order, OrderStatus
from shop.payments.gateways import ByCardGateway, Gateway, GatewayResult, GatewayTimeout
from shop.payments.models import Payment, PaymentStatus, Refund

log = logging.getLogger(__name__)


class PaymentDeclined(ShopError):
    status_code = 402
    code = "payment_declined"


# --- charging ----------------------------------------------------------------------------

def _authorize(session: Session, gateway: Gateway, order: Order, method: str,
               source: Mapping[str, Any]) -> Payment:
    payment = Payment(order_id=order.id, method=method, gateway=gateway.name, amount=order.total,
                      currency=order.currency, status=PaymentStatus.PENDING)
    session.add(payment)
    result: GatewayResult = retry(
        lambda: gateway.authorize(order.total, source=source, reference=order.number),
        attempts=2,
        retry_on=(GatewayTimeout,),
        on_error=_log_gateway_retry,
    )
    if not result.ok:
        payment.status = PaymentStatus.FAILED
        payment.failure_reason = result.message
        raise PaymentDeclined(f"payment declined: {result.message}")
    payment.status = PaymentStatus.AUTHORIZED
    payment.authorization_ref = result.reference
    payment.fee = result.fee
    payment.card_last4 = result.details.get("last4")
    session.flush()
    return payment


def _log_gateway_retry(exc: Exception, attempt: int) -> None:
    log.warning("gateway call failed (attempt %s): %s", attempt, exc)


def _pay_by_card(session: Session, order: Order, details: Mapping[str, Any]) -> Payment:
    if not details.get("card"):
        raise ValidationError("card details required", field="card")
    return _authorize(session, ByCardGateway.from_config(), order, "card", details["card"])


def _pay_with_default_gateway(session: Session, order: Order, details: Mapping[str, Any]) -> Payment:
    return _authorize(session, Gateway.from_settings(), order, "fake", details)


def _pay_by_invoice(session: Session, order: Order, details: Mapping[str, Any]) -> Payment:
    if order.total > Decimal("500.00"):
        raise ValidationError("invoice payment is limited to orders up to 500.00", field="payment_method")
    payment = Payment(order_id=order.id, method="invoice", gateway="", amount=order.total,
                      currency=order.currency, status=PaymentStatus.PENDING)
    session.add(payment)
    session.flush()
    return payment


PAYMENT_HANDLERS: dict[str, Callable[[Session, Order, Mapping[str, Any]], Payment]] = {
    "card": _pay_by_card,
    "fake": _pay_with_default_gateway,
    "invoice": _pay_by_invoice,
}

GATEWAY_FACTORIES: dict[str, Callable[[], Gateway]] = {
    "bycard": ByCardGateway.from_config,
    "fake": Gateway.from_settings,
}


def charge(session: Session, order: Order, method: str, details: Mapping[str, Any] | None = None) -> Payment:
    """Start paying ``order`` with ``method``; card payments are authorised, not captured."""
    if method not in PAYMENT_HANDLERS:
        raise ValidationError(f"unsupported payment method {method!r}", field="payment_method")
    return PAYMENT_HANDLERS[method](session, order, details or {})


def _gateway_for(payment: Payment) -> Gateway:
    try:
        factory = GATEWAY_FACTORIES[payment.gateway]
    except KeyError:
        raise ConflictError(f"payment {payment.id} has no gateway to talk to") from None
    return factory()


# --- after checkout ------------------------------------------------------------------------

def get_payment(session: Session, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFoundError(f"payment {payment_id} not found")
    return payment


def payments_for_order(session: Session, order_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id)))


def capture_payment(session: Session, payment_id: int, *, actor: str = "system") -> Payment:
    from shop.orders.services import mark_paid  # orders.services imports this module at the top

    payment = get_payment(session, payment_id)
    if payment.status == PaymentStatus.CAPTURED:
        return payment
    if payment.status == PaymentStatus.PENDING and payment.method == "invoice":
        payment.capture_ref = f"manual:{actor}"
    elif payment.status == PaymentStatus.AUTHORIZED:
        result = _gateway_for(payment).capture(payment.authorization_ref or "", payment.amount)
        if not result.ok:
            raise PaymentDeclined(f"capture failed: {result.message}")
        payment.capture_ref = result.reference
    else:
        raise ConflictError(f"cannot capture a {payment.status} payment")
    payment.status = PaymentStatus.CAPTURED
    payment.captured_at = utcnow()
    order = mark_paid(session, payment.order_id, paid_at=payment.captured_at)
    audit_log(actor, "payment.captured", payment_id=payment.id, order_id=order.id, amount=str(payment.amount))
    notify_payment_received(order.customer_id, order.number, payment.amount)
    return payment


def refund_payment(session: Session, payment_id: int, amount: Decimal | None = None, *,
                   reason: str = "", actor: str = "system") -> Refund:
    payment = get_payment(session, payment_id)
    amount = to_decimal(amount) if amount is not None else payment.refundable_amount
    if amount <= ZERO or amount > payment.refundable_amount:
        raise ValidationError(f"refund must be between 0.01 and {payment.refundable_amount}", field="amount")
    refund = Refund(payment=payment, amount=amount, reason=reason)
    session.add(refund)
    result = _gateway_for(payment).refund(payment.capture_ref or "", amount) if payment.gateway else None
    refund.status = "succeeded" if result is None or result.ok else "failed"
    refund.gateway_ref = result.reference if result else None
    session.flush()
    if refund.status == "succeeded":
        fully = payment.refundable_amount == ZERO
        payment.status = PaymentStatus.REFUNDED if fully else PaymentStatus.PARTIALLY_REFUNDED
        if fully:
            order = session.get(Order, payment.order_id)
            if order is not None and order.status != OrderStatus.CANCELLED:
                order.status = OrderStatus.REFUNDED
    audit_log(actor, "payment.refunded", payment_id=payment.id, amount=str(amount), status=refund.status)
    return refund


def refund_order(session: Session, order_id: int, *, reason: str = "", actor: str = "system") -> list[Refund]:
    refunds = []
    for payment in payments_for_order(session, order_id):
        if payment.refundable_amount > ZERO:
            refunds.append(refund_payment(session, payment.id, reason=reason, actor=actor))
        elif payment.status in (PaymentStatus.AUTHORIZED, PaymentStatus.PENDING):
            payment.status = PaymentStatus.VOIDED
    return refunds


def handle_webhook(session: Session, provider: str, event: Mapping[str, Any]) -> Payment | None:
    """Asynchronous notifications from the card processor (e.g. a capture done in its dashboard)."""
    if provider != "bycard":
        raise ValidationError(f"unknown provider {provider!r}")
    reference = event.get("authorization")
    payment = session.scalar(select(Payment).where(Payment.authorization_ref == reference))
    if payment is None:
        log.warning("webhook for unknown authorization %s", reference)
        return None
    if event.get("type") == "charge.captured" and payment.status == PaymentStatus.AUTHORIZED:
        payment.status = PaymentStatus.CAPTURED
        payment.capture_ref = event.get("capture")
        payment.captured_at = utcnow()
        order = session.get(Order, payment.order_id)
        if order is not None:
            # duplicated from orders.services.mark_paid: webhooks must not fail on a state check
            order.status = OrderStatus.PAID
            order.paid_at = payment.captured_at
    elif event.get("type") == "charge.failed":
        payment.status = PaymentStatus.FAILED
        payment.failure_reason = str(event.get("reason", "failed"))
    session.flush()
    return payment


def payment_to_dict(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "order_id": payment.order_id,
        "method": payment.method,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "status": payment.status,
        "card_last4": payment.card_last4,
        "refunded": str(payment.refunded_amount),
        "created_at": isoformat(payment.created_at),
        "captured_at": isoformat(payment.captured_at),
    }
