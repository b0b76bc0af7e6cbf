from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.common.helpers import utcnow
from shop.common.money import multiply, total
from shop.db import Base, MoneyType


class CartStatus:
    OPEN = "open"
    CONVERTED = "converted"
    ABANDONED = "abandoned"


class Cart(Base):
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=CartStatus.OPEN)
    coupon_code: Mapped[Optional[str]] = mapped_column(String(32))
    order_id: Mapped[Optional[int]] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    items: Mapped[list["CartItem"]] = relationship(back_populates="cart", cascade="all, delete-orphan",
                                                   order_by="CartItem.id")

    @property
    def subtotal(self) -> Decimal:
        return total(item.line_total for item in self.items)

    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.items)

    def find_item(self, product_id: int) -> Optional["CartItem"]:
        for item in self.items:
            if item.product_id == product_id:
                return item
        return None


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("cart_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(MoneyType())
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cart: Mapped[Cart] = relationship(back_populates="items")

    @property
    def line_total(self) -> Decimal:
        return multiply(self.unit_price, self.quantity)
