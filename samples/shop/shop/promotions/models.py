from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.common.helpers import utcnow
from shop.db import Base, MoneyType

__all__ = ["Coupon", "CouponRedemption", "COUPON_KINDS"]

COUPON_KINDS = ("percent", "fixed", "free_shipping")


class Coupon(Base):
    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), default="percent")
    # percent for "percent" coupons, an amount for "fixed" ones
    value: Mapped[Decimal] = mapped_column(MoneyType())
    min_order_total: Mapped[Decimal] = mapped_column(MoneyType(), default=Decimal("0"))
    max_redemptions: Mapped[Optional[int]] = mapped_column(Integer)
    once_per_customer: Mapped[bool] = mapped_column(Boolean, default=True)
    times_redeemed: Mapped[int] = mapped_column(Integer, default=0)
    valid_from: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    redemptions: Mapped[list["CouponRedemption"]] = relationship(back_populates="coupon")

    @property
    def exhausted(self) -> bool:
        return self.max_redemptions is not None and self.times_redeemed >= self.max_redemptions


class CouponRedemption(Base):
    __tablename__ = "coupon_redemptions"
    __table_args__ = (UniqueConstraint("coupon_id", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(ForeignKey("coupons.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    amount: Mapped[Decimal] = mapped_column(MoneyType())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coupon: Mapped[Coupon] = relationship(back_populates="redemptions")
