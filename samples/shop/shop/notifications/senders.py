"""Message senders. The sample delivers to the outbox table and the log only."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from shop.common.helpers import format_email_address, load_object, normalise_phone, truncate, utcnow
from shop.common.validation import ValidationError, validate_email
from shop.config import get_setting
from shop.notifications.models import SentMessage
from shop.notifications.templates import RenderedMessage

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    pass


class MessageSender:
    channel = "generic"

    def __init__(self, session: Session, *, sender_address: str = "") -> None:
        self.session = session
        self.sender_address = sender_address
        self.sent_count = 0

    def send(self, recipient: str, message: RenderedMessage, *, recipient_name: str | None = None) -> SentMessage:
        recipient = self.normalise_recipient(recipient)
        record = SentMessage(
            channel=self.channel,
            recipient=recipient,
            sender=self.sender_address,
            template=message.template,
            subject=message.subject,
            body=self.prepare_body(message.body),
        )
        self.session.add(record)
        try:
            self._deliver(record, recipient_name=recipient_name)
        except DeliveryError as exc:
            record.status = "failed"
            record.error = str(exc)
            log.warning("%s delivery to %s failed: %s", self.channel, recipient, exc)
        else:
            record.status = "sent"
            record.sent_at = utcnow()
            self.sent_count += 1
        self.session.flush()
        return record

    def normalise_recipient(self, recipient: str) -> str:
        return recipient.strip()

    def prepare_body(self, body: str) -> str:
        return body

    def _deliver(self, record: SentMessage, **options: Any) -> None:
        raise NotImplementedError


class EmailSender(MessageSender):
    channel = "email"

    def __init__(self, session: Session, *, from_address: str | None = None) -> None:
        super().__init__(session, sender_address=from_address or get_setting("EMAIL_FROM", ""))

    def send(self, recipient: str, message: RenderedMessage, *, recipient_name: str | None = None) -> SentMessage:
        if message.channel != self.channel:
            raise ValueError(f"template {message.template!r} is for {message.channel}, not e-mail")
        return super().send(recipient, message, recipient_name=recipient_name)

    def normalise_recipient(self, recipient: str) -> str:
        try:
            return validate_email(recipient)
        except ValidationError as exc:
            raise DeliveryError(exc.message) from exc

    def _deliver(self, record: SentMessage, **options: Any) -> None:
        to = format_email_address(options.get("recipient_name"), record.recipient)
        log.info("email to %s: %s", to, record.subject)


class SmsSender(MessageSender):
    channel = "sms"
    max_length = 160

    def __init__(self, session: Session, *, sender_id: str = "SHOP") -> None:
        super().__init__(session, sender_address=sender_id)

    def normalise_recipient(self, recipient: str) -> str:
        phone = normalise_phone(recipient)
        if not phone:
            raise DeliveryError("no phone number")
        return phone

    def prepare_body(self, body: str) -> str:
        return truncate(" ".join(body.split()), self.max_length)

    def _deliver(self, record: SentMessage, **options: Any) -> None:
        log.info("sms to %s: %s", record.recipient, record.body)


def sender_for(channel: str, session: Session) -> MessageSender:
    setting = {"email": "EMAIL_SENDER", "sms": "SMS_SENDER"}.get(channel)
    if setting is None:
        raise ValueError(f"unknown channel {channel!r}")
    sender_class = load_object(get_setting(setting))
    return sender_class(session)
