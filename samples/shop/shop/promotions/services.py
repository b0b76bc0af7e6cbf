"""Coupon rules: validation, discount computation, redemption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.common.helpers import as_utc, audit_log, format_percent, format_price, isoformat, utcnow
from shop.common.money import ZERO, clamp, percent_of, to_decimal
from shop.common.validation import ConflictError, NotFoundError, ValidationError, require_fields

from .models import *  # noqa: F403  (Coupon, CouponRedemption, COUPON_KINDS)


class CouponRejected(ValidationError):
    code = "coupon_rejected"


@dataclass(frozen=True)
class Discount:
    code: str
    amount: Decimal
    free_shipping: bool
    description: str


def _percent_discount(coupon: "Coupon", subtotal: Decimal) -> Decimal:
    return percent_of(subtotal, coupon.value)


def _fixed_discount(coupon: "Coupon", subtotal: Decimal) -> Decimal:
    return clamp(to_decimal(coupon.value), ZERO, subtotal)


def _no_discount(coupon: "Coupon", subtotal: Decimal) -> Decimal:
    return ZERO


DISCOUNT_RULES: dict[str, Callable[["Coupon", Decimal], Decimal]] = {
    "percent": _percent_discount,
    "fixed": _fixed_discount,
    "free_shipping": _no_discount,
}


def normalise_code(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def create_coupon(session: Session, data: Mapping[str, Any], *, actor: str = "admin") -> "Coupon":
    data = require_fields(data, "code", "kind")
    code = normalise_code(data["code"])
    if data["kind"] not in COUPON_KINDS:  # noqa: F405
        raise ValidationError(f"kind must be one of {COUPON_KINDS}", field="kind")  # noqa: F405
    if session.scalar(select(Coupon).where(Coupon.code == code)) is not None:  # noqa: F405
        raise ConflictError(f"coupon {code} exists", field="code")
    value = to_decimal(data.get("value", 0))
    if data["kind"] == "percent" and not (0 < value <= 100):
        raise ValidationError("percent must be between 0 and 100", field="value")
    coupon = Coupon(  # noqa: F405
        code=code,
        kind=data["kind"],
        value=value,
        min_order_total=to_decimal(data.get("min_order_total", 0)),
        max_redemptions=data.get("max_redemptions"),
        once_per_customer=bool(data.get("once_per_customer", True)),
        valid_from=_parse_datetime(data.get("valid_from")),
        valid_until=_parse_datetime(data.get("valid_until")),
    )
    session.add(coupon)
    session.flush()
    audit_log(actor, "coupon.created", code=code, kind=coupon.kind, value=str(value))
    return coupon


def _parse_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        raise ValidationError(f"not an ISO date: {value!r}") from None


def get_coupon(session: Session, code: str) -> "Coupon":
    coupon = session.scalar(select(Coupon).where(Coupon.code == normalise_code(code)))  # noqa: F405
    if coupon is None:
        raise NotFoundError(f"coupon {code!r} not found", field="code")
    return coupon


def validate_coupon(session: Session, code: str, subtotal: Decimal, customer_id: int | None = None) -> "Coupon":
    coupon = get_coupon(session, code)
    now = utcnow()
    if not coupon.is_active:
        raise CouponRejected("this coupon is no longer active", field="code")
    if coupon.valid_from and as_utc(coupon.valid_from) > now:
        raise CouponRejected("this coupon is not valid yet", field="code")
    if coupon.valid_until and as_utc(coupon.valid_until) < now:
        raise CouponRejected("this coupon has expired", field="code")
    if coupon.exhausted:
        raise CouponRejected("this coupon has been used up", field="code")
    if subtotal < coupon.min_order_total:
        raise CouponRejected(f"spend at least {format_price(coupon.min_order_total)} to use this coupon",
                             field="code")
    if customer_id is not None and coupon.once_per_customer and _already_used(session, coupon, customer_id):
        raise CouponRejected("you have already used this coupon", field="code")
    return coupon


def _already_used(session: Session, coupon: "Coupon", customer_id: int) -> bool:
    stmt = select(func.count()).select_from(CouponRedemption).where(  # noqa: F405
        CouponRedemption.coupon_id == coupon.id, CouponRedemption.customer_id == customer_id  # noqa: F405
    )
    return session.scalar(stmt) > 0


def apply_coupon(session: Session, code: str, subtotal: Decimal, customer_id: int | None = None) -> Discount:
    """The discount ``code`` gives on ``subtotal`` (does not redeem it)."""
    coupon = validate_coupon(session, code, subtotal, customer_id)
    amount = DISCOUNT_RULES[coupon.kind](coupon, subtotal)
    return Discount(
        code=coupon.code,
        amount=amount,
        free_shipping=coupon.kind == "free_shipping",
        description=describe(coupon),
    )


def redeem_coupon(session: Session, code: str, *, customer_id: int, order_id: int, amount: Decimal) -> None:
    coupon = get_coupon(session, code)
    coupon.times_redeemed += 1
    session.add(CouponRedemption(coupon_id=coupon.id, customer_id=customer_id,  # noqa: F405
                                 order_id=order_id, amount=amount))
    session.flush()


def deactivate_coupon(session: Session, code: str, *, actor: str = "admin") -> "Coupon":
    coupon = get_coupon(session, code)
    coupon.is_active = False
    audit_log(actor, "coupon.deactivated", code=coupon.code)
    return coupon


def describe(coupon: "Coupon") -> str:
    if coupon.kind == "percent":
        return f"{format_percent(coupon.value)} off"
    if coupon.kind == "fixed":
        return f"{format_price(coupon.value)} off"
    return "free shipping"


def coupon_to_dict(coupon: "Coupon") -> dict[str, Any]:
    return {
        "code": coupon.code,
        "kind": coupon.kind,
        "value": str(coupon.value),
        "description": describe(coupon),
        "min_order_total": str(coupon.min_order_total),
        "times_redeemed": coupon.times_redeemed,
        "max_redemptions": coupon.max_redemptions,
        "is_active": coupon.is_active,
        "valid_until": isoformat(coupon.valid_until),
    }
