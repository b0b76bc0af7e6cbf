from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.common.helpers import utcnow
from shop.common.money import ZERO, total
from shop.db import Base, MoneyType


class PaymentStatus:
    PENDING = "pending"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    FAILED = "failed"
    VOIDED = "voided"


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    gateway: Mapped[str] = mapped_column(String(32), default="")
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    fee: Mapped[Decimal] = mapped_column(MoneyType(), default=ZERO)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.PENDING)
    authorization_ref: Mapped[Optional[str]] = mapped_column(String(64))
    capture_ref: Mapped[Optional[str]] = mapped_column(String(64))
    card_last4: Mapped[Optional[str]] = mapped_column(String(4))
    failure_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    captured_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def refunded_amount(self) -> Decimal:
        return total(r.amount for r in self.refunds if r.status == "succeeded")

    @property
    def refundable_amount(self) -> Decimal:
        if self.status not in (PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED):
            return ZERO
        return self.amount - self.refunded_amount


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    gateway_ref: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")
