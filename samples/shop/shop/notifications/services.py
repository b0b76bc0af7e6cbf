"""When to tell customers what. The ``notify_*`` functions only queue work."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.accounts.services import get_customer_contact
from shop.common.helpers import format_price, isoformat
from shop.config import get_setting
from shop.db import get_session
from shop.notifications.models import SentMessage
from shop.notifications.senders import EmailSender, MessageSender, sender_for
from shop.notifications.tasks import enqueue, task
from shop.notifications.templates import RenderedMessage, render

if TYPE_CHECKING:
    from shop.orders.models import Order

log = logging.getLogger(__name__)


# --- what the rest of the shop calls ---------------------------------------------------------

def notify_customer_registered(customer_id: int) -> None:
    enqueue(send_welcome_email, customer_id)


def notify_order_placed(order: "Order") -> None:
    enqueue(send_order_confirmation, order.customer_id, number=order.number, total=str(order.total))


def notify_payment_received(customer_id: int, order_number: str, amount: Decimal) -> None:
    enqueue(send_payment_receipt, customer_id, number=order_number, amount=str(amount))


def notify_order_shipped(customer_id: int, order_number: str, carrier: str, tracking_number: str) -> None:
    enqueue(send_shipping_update, customer_id, number=order_number, carrier=carrier,
            tracking_number=tracking_number)


def notify_order_cancelled(customer_id: int, order_number: str, reason: str = "") -> None:
    enqueue("notifications.send_cancellation", customer_id, number=order_number, reason=reason)


# --- the tasks ---------------------------------------------------------------------------

def _make_email_sender(session: Session) -> EmailSender:
    return EmailSender(session, from_address=get_setting("EMAIL_FROM"))


def _deliver(sender: EmailSender, contact: dict[str, Any], message: RenderedMessage) -> SentMessage:
    return sender.send(contact["email"], message, recipient_name=contact["name"])


def _send_email(customer_id: int, template: str, **context: Any) -> None:
    with get_session() as session:
        contact = get_customer_contact(session, customer_id)
        message = render(template, {"first_name": contact["first_name"], **context})
        sender = _make_email_sender(session)
        _deliver(sender, contact, message)
        session.commit()


@task
def send_welcome_email(customer_id: int) -> None:
    _send_email(customer_id, "welcome")


@task
def send_order_confirmation(customer_id: int, *, number: str, total: str) -> None:
    _send_email(customer_id, "order_confirmation", number=number, total=format_price(total))


@task
def send_payment_receipt(customer_id: int, *, number: str, amount: str) -> None:
    _send_email(customer_id, "payment_receipt", number=number, amount=format_price(amount))


@task
def send_shipping_update(customer_id: int, *, number: str, carrier: str, tracking_number: str) -> None:
    context = {"number": number, "carrier": carrier, "tracking_number": tracking_number}
    _send_email(customer_id, "order_shipped", **context)
    with get_session() as session:
        contact = get_customer_contact(session, customer_id)
        if contact["phone"]:
            sms: MessageSender = sender_for("sms", session)
            sms.send(contact["phone"], render("order_shipped_sms", context))
            session.commit()


@task(name="notifications.send_cancellation")
def send_cancellation(customer_id: int, *, number: str, reason: str = "") -> None:
    _send_email(customer_id, "order_cancelled", number=number, reason=reason)


# --- outbox queries ------------------------------------------------------------------------

def list_messages(session: Session, *, recipient: str | None = None, template: str | None = None,
                  limit: int = 50) -> list[SentMessage]:
    stmt = select(SentMessage).order_by(SentMessage.id.desc()).limit(limit)
    if recipient:
        stmt = stmt.where(SentMessage.recipient == recipient.lower())
    if template:
        stmt = stmt.where(SentMessage.template == template)
    return list(session.scalars(stmt))


def message_to_dict(message: SentMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel": message.channel,
        "recipient": message.recipient,
        "template": message.template,
        "subject": message.subject,
        "status": message.status,
        "sent_at": isoformat(message.sent_at),
    }
