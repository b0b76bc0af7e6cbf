"""Message templates. Plain ``str.format`` templates; the copy is owned by marketing."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    subject: str
    body: str
    channel: str = "email"

    def placeholders(self) -> set[str]:
        names = set()
        for text in (self.subject, self.body):
            names.update(field for _, field, _, _ in string.Formatter().parse(text) if field)
        return names


@dataclass(frozen=True)
class RenderedMessage:
    template: str
    subject: str
    body: str
    channel: str


TEMPLATES: dict[str, MessageTemplate] = {
    t.name: t
    for t in (
        MessageTemplate(
            "welcome",
            "Welcome to the shop, {first_name}!",
            "Hello {first_name},\n\nthanks for creating an account. Happy shopping!\n",
        ),
        MessageTemplate(
            "order_confirmation",
            "Your order {number}",
            "Hello {first_name},\n\nwe received your order {number} over {total}.\n"
            "We will let you know as soon as it ships.\n",
        ),
        MessageTemplate(
            "payment_receipt",
            "Payment received for {number}",
            "Hello {first_name},\n\nwe received your payment of {amount} for order {number}.\n",
        ),
        MessageTemplate(
            "order_shipped",
            "Order {number} is on its way",
            "Hello {first_name},\n\nyour order {number} has shipped with {carrier}.\n"
            "Tracking number: {tracking_number}\n",
        ),
        MessageTemplate(
            "order_shipped_sms",
            "",
            "Your order {number} has shipped ({carrier} {tracking_number}).",
            channel="sms",
        ),
        MessageTemplate(
            "order_cancelled",
            "Order {number} cancelled",
            "Hello {first_name},\n\nyour order {number} has been cancelled. {reason}\n",
        ),
    )
}


class TemplateError(KeyError):
    pass


def get_template(name: str) -> MessageTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise TemplateError(f"no template named {name!r}") from None


def render(name: str, context: Mapping[str, Any]) -> RenderedMessage:
    template = get_template(name)
    missing = template.placeholders() - set(context)
    if missing:
        raise TemplateError(f"template {name!r} needs {sorted(missing)}")
    return RenderedMessage(
        template=name,
        subject=template.subject.format(**context),
        body=template.body.format(**context),
        channel=template.channel,
    )
