from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.common.helpers import utcnow
from shop.db import Base, MoneyType


class ShipmentStatus:
    PENDING = "pending"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(40))
    service_level: Mapped[str] = mapped_column(String(16), default="standard")
    cost: Mapped[Decimal] = mapped_column(MoneyType())
    weight_grams: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=ShipmentStatus.PENDING)
    tracking_number: Mapped[Optional[str]] = mapped_column(String(40), unique=True)

    # address snapshot: the customer may edit the address book after ordering
    recipient: Mapped[str] = mapped_column(String(160))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120))
    postal_code: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    shipped_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    events: Mapped[list["TrackingEvent"]] = relationship(back_populates="shipment", cascade="all, delete-orphan",
                                                         order_by="TrackingEvent.id")

    def address(self) -> dict[str, str]:
        return {"recipient": self.recipient, "line1": self.line1, "line2": self.line2, "city": self.city,
                "postal_code": self.postal_code, "country": self.country}


class TrackingEvent(Base):
    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    shipment: Mapped[Shipment] = relationship(back_populates="events")
