from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.common.helpers import utcnow
from shop.db import Base, MoneyType

__all__ = ["Category", "Product", "StockLevel"]


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True, index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("categories.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    parent: Mapped[Optional["Category"]] = relationship(remote_side="Category.id", back_populates="children")
    children: Mapped[list["Category"]] = relationship(back_populates="parent")
    products: Mapped[list["Product"]] = relationship(back_populates="category")

    def path(self) -> list[str]:
        names: list[str] = []
        node: Category | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return list(reversed(names))

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal] = mapped_column(MoneyType())
    compare_at_price: Mapped[Optional[Decimal]] = mapped_column(MoneyType())
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    category_id: Mapped[Optional[int]] = mapped_column(ForeignKey("categories.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    category: Mapped[Optional[Category]] = relationship(back_populates="products")
    stock: Mapped[Optional["StockLevel"]] = relationship(back_populates="product", uselist=False,
                                                         cascade="all, delete-orphan")

    @property
    def on_sale(self) -> bool:
        return self.compare_at_price is not None and self.compare_at_price > self.price

    @property
    def available(self) -> int:
        return self.stock.available if self.stock is not None else 0

    def __repr__(self) -> str:
        return f"<Product {self.sku}>"


class StockLevel(Base):
    """On-hand and reserved units of one product.

    Written by catalog (restock, adjustments) and by orders (reservations at checkout,
    releases on cancellation); reporting reconciles it with raw SQL.
    """

    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="ck_stock_on_hand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), unique=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    reorder_point: Mapped[int] = mapped_column(Integer, default=5)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(back_populates="stock")

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)

    @property
    def needs_reorder(self) -> bool:
        return self.available <= self.reorder_point
