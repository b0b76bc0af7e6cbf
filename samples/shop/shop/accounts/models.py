from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Optional

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.common.helpers import normalise_address, utcnow
from shop.db import Base


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    full_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(256))
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    addresses: Mapped[list["Address"]] = relationship(back_populates="customer", cascade="all, delete-orphan",
                                                      order_by="Address.id")

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ", 1)[0]

    @property
    def default_address(self) -> Optional["Address"]:
        for address in self.addresses:
            if address.is_default:
                return address
        return self.addresses[0] if self.addresses else None


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="home")
    recipient: Mapped[str] = mapped_column(String(160))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120))
    postal_code: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="addresses")

    @classmethod
    def from_dict(cls, customer_id: int, data: Mapping[str, Any]) -> "Address":
        clean = normalise_address(data)
        return cls(
            customer_id=customer_id,
            label=str(data.get("label", "home"))[:40],
            recipient=clean["recipient"],
            line1=clean["line1"],
            line2=clean["line2"],
            city=clean["city"],
            postal_code=clean["postal_code"],
            country=clean["country"],
            is_default=bool(data.get("is_default", False)),
        )
