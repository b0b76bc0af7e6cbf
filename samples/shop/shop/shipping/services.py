"""Shipping use cases: quoting, creating and dispatching shipments."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.accounts.services import get_shipping_address
from shop.catalog.services import fulfil_stock
from shop.common.helpers import audit_log, format_address_lines, format_price, isoformat, utcnow
from shop.common.ids import new_tracking_number
from shop.common.validation import ConflictError, NotFoundError
from shop.notifications.services import notify_order_shipped
from shop.orders.models import Order, OrderStatus
from shop.shipping.models import Shipment, ShipmentStatus, TrackingEvent
from shop.shipping.rates import RateCalculator, RateQuote, get_calculator


@dataclass(frozen=True)
class ShippingQuote:
    rate: RateQuote
    address: dict[str, Any]
    weight_grams: int

    @property
    def cost(self) -> Decimal:
        return self.rate.cost

    def to_dict(self) -> dict[str, Any]:
        return {
            "carrier": self.rate.carrier,
            "service_level": self.rate.service_level,
            "cost": str(self.rate.cost),
            "cost_display": format_price(self.rate.cost),
            "eta_days": self.rate.eta_days,
            "zone": self.rate.zone,
            "ship_to": format_address_lines(self.address),
        }


def quote(session: Session, customer_id: int, *, weight_grams: int, subtotal: Decimal,
          address_id: int | None = None, service_level: str = "standard",
          calculator: RateCalculator | None = None) -> ShippingQuote:
    """Price a parcel to the customer's (default) address."""
    address = get_shipping_address(session, customer_id, address_id)
    calculator = calculator or get_calculator()
    rate = calculator.quote(address["country"], weight_grams, subtotal, service_level)
    return ShippingQuote(rate=rate, address=address, weight_grams=weight_grams)


def create_shipment(session: Session, order: Order, shipping_quote: ShippingQuote) -> Shipment:
    address = shipping_quote.address
    shipment = Shipment(
        order_id=order.id,
        carrier=shipping_quote.rate.carrier,
        service_level=shipping_quote.rate.service_level,
        cost=shipping_quote.cost,
        weight_grams=shipping_quote.weight_grams,
        recipient=address["recipient"],
        line1=address["line1"],
        line2=address.get("line2") or "",
        city=address["city"],
        postal_code=address["postal_code"],
        country=address["country"],
    )
    shipment.events.append(TrackingEvent(status=ShipmentStatus.PENDING, note="label requested"))
    session.add(shipment)
    session.flush()
    return shipment


def get_shipment(session: Session, shipment_id: int) -> Shipment:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFoundError(f"shipment {shipment_id} not found")
    return shipment


def shipments_for_order(session: Session, order_id: int) -> list[Shipment]:
    return list(session.scalars(select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.id)))


def dispatch_shipment(session: Session, shipment_id: int, *, tracking_number: str | None = None,
                      actor: str = "warehouse") -> Shipment:
    """The parcel left the warehouse: record it, move the order along, tell the customer."""
    shipment = get_shipment(session, shipment_id)
    if shipment.status != ShipmentStatus.PENDING:
        raise ConflictError(f"shipment {shipment_id} is already {shipment.status}")
    order = session.get(Order, shipment.order_id)
    if order is None or order.status != OrderStatus.PAID:
        raise ConflictError("only paid orders can be shipped")
    now = utcnow()
    shipment.status = ShipmentStatus.SHIPPED
    shipment.tracking_number = tracking_number or new_tracking_number(shipment.carrier)
    shipment.shipped_at = now
    shipment.events.append(TrackingEvent(status=ShipmentStatus.SHIPPED, note=f"handed to {shipment.carrier}"))
    for line in order.lines:
        fulfil_stock(session, line.product_id, line.quantity)
    # The warehouse tool has always updated the order row directly.
    order.status = OrderStatus.SHIPPED
    order.shipped_at = now
    session.flush()
    audit_log(actor, "shipment.dispatched", shipment_id=shipment.id, order_id=order.id,
              tracking_number=shipment.tracking_number)
    notify_order_shipped(order.customer_id, order.number, shipment.carrier, shipment.tracking_number)
    return shipment


def mark_delivered(session: Session, shipment_id: int, *, note: str = "") -> Shipment:
    shipment = get_shipment(session, shipment_id)
    if shipment.status != ShipmentStatus.SHIPPED:
        raise ConflictError(f"shipment {shipment_id} has not shipped")
    shipment.status = ShipmentStatus.DELIVERED
    shipment.delivered_at = utcnow()
    shipment.events.append(TrackingEvent(status=ShipmentStatus.DELIVERED, note=note or "delivered"))
    order = session.get(Order, shipment.order_id)
    if order is not None and all(s.status == ShipmentStatus.DELIVERED for s in shipments_for_order(session, order.id)):
        order.status = OrderStatus.DELIVERED
    session.flush()
    return shipment


def cancel_shipments(session: Session, order_id: int) -> int:
    cancelled = 0
    for shipment in shipments_for_order(session, order_id):
        if shipment.status == ShipmentStatus.PENDING:
            shipment.status = ShipmentStatus.CANCELLED
            shipment.events.append(TrackingEvent(status=ShipmentStatus.CANCELLED, note="order cancelled"))
            cancelled += 1
    return cancelled


def shipment_to_dict(shipment: Shipment, *, with_events: bool = False) -> dict[str, Any]:
    data = {
        "id": shipment.id,
        "order_id": shipment.order_id,
        "carrier": shipment.carrier,
        "service_level": shipment.service_level,
        "cost": str(shipment.cost),
        "status": shipment.status,
        "tracking_number": shipment.tracking_number,
        "ship_to": format_address_lines(shipment.address()),
        "shipped_at": isoformat(shipment.shipped_at),
        "delivered_at": isoformat(shipment.delivered_at),
    }
    if with_events:
        data["events"] = [{"status": e.status, "note": e.note, "at": isoformat(e.at)} for e in shipment.events]
    return data
