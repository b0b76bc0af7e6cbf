"""Input validation and the error types the HTTP layer turns into responses."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

from shop.common.money import MoneyError, to_decimal

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
SKU_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
POSTAL_CODE_PATTERNS = {
    "DE": r"^\d{5}$",
    "AT": r"^\d{4}$",
    "FR": r"^\d{5}$",
    "NL": r"^\d{4}\s?[A-Z]{2}$",
    "GB": r"^[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}$",
    "US": r"^\d{5}(-\d{4})?$",
}


class ShopError(Exception):
    status_code = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class ValidationError(ShopError):
    status_code = 400
    code = "validation_error"


class NotFoundError(ShopError):
    status_code = 404
    code = "not_found"


class ConflictError(ShopError):
    status_code = 409
    code = "conflict"


class PermissionDenied(ShopError):
    status_code = 403
    code = "forbidden"


class AuthenticationError(ShopError):
    status_code = 401
    code = "unauthorized"


def require_fields(data: Mapping[str, Any] | None, *fields: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ValidationError("expected a JSON object")
    missing = [f for f in fields if data.get(f) in (None, "")]
    if missing:
        raise ValidationError(f"missing field(s): {', '.join(missing)}", field=missing[0])
    return dict(data)


def validate_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError(f"invalid e-mail address: {email!r}", field="email")
    return email


def validate_password(password: str, *, min_length: int = 8) -> str:
    if len(password or "") < min_length:
        raise ValidationError(f"password must be at least {min_length} characters", field="password")
    if password.isdigit() or password.isalpha():
        raise ValidationError("password must mix letters and digits", field="password")
    return password


def validate_quantity(value: Any, *, maximum: int = 99, field: str = "quantity") -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{field} must be an integer", field=field) from None
    if quantity < 1 or quantity > maximum:
        raise ValidationError(f"{field} must be between 1 and {maximum}", field=field)
    return quantity


def validate_amount(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    try:
        amount = to_decimal(value)
    except MoneyError:
        raise ValidationError(f"{field} must be a decimal amount", field=field) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(f"{field} must be positive", field=field)
    return amount


def validate_sku(sku: str) -> str:
    sku = (sku or "").strip().upper()
    if not SKU_RE.match(sku):
        raise ValidationError(f"invalid SKU: {sku!r}", field="sku")
    return sku


def validate_postal_code(country: str, postal_code: str) -> str:
    code = (postal_code or "").strip().upper()
    pattern = POSTAL_CODE_PATTERNS.get(country.upper())
    if pattern and not re.match(pattern, code):
        raise ValidationError(f"invalid postal code for {country}: {postal_code!r}", field="postal_code")
    return code


def luhn_check(number: str) -> bool:
    digits = [int(ch) for ch in number if ch.isdigit()]
    if len(digits) < 12:
        return False
    checksum = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        checksum += digit
    return checksum % 10 == 0


def validate_card(card: Mapping[str, Any] | None) -> dict[str, str]:
    card = require_fields(card, "number", "expiry")
    number = re.sub(r"\D", "", str(card["number"]))
    if not luhn_check(number):
        raise ValidationError("card number is not valid", field="card.number")
    match = re.match(r"^(\d{2})/(\d{2})$", str(card["expiry"]))
    if not match or not 1 <= int(match.group(1)) <= 12:
        raise ValidationError("card expiry must be MM/YY", field="card.expiry")
    return {"number": number, "expiry": str(card["expiry"]), "holder": str(card.get("holder", ""))}


def positive_int(value: Any, *, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{field} must be an integer", field=field) from None
    if number <= 0:
        raise ValidationError(f"{field} must be positive", field=field)
    return number
