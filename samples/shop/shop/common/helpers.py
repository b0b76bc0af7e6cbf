"""Assorted helpers.

This module started as three functions and grew with the shop; every part of the code base
imports something from here. New code should prefer a focused module in ``shop.common``.
"""

from __future__ import annotations

import functools
import hmac
import importlib
import json
import logging
import math
import re
import time
import unicodedata
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from flask import jsonify, request

from shop.common.money import Money, to_decimal
from shop.common.validation import PermissionDenied, ValidationError
from shop.config import get_setting

T = TypeVar("T")
R = TypeVar("R")

audit_logger = logging.getLogger("shop.audit")
log = logging.getLogger(__name__)

COUNTRY_ALIASES = {
    "GERMANY": "DE",
    "DEUTSCHLAND": "DE",
    "AUSTRIA": "AT",
    "ÖSTERREICH": "AT",
    "FRANCE": "FR",
    "NETHERLANDS": "NL",
    "HOLLAND": "NL",
    "UNITED KINGDOM": "GB",
    "UK": "GB",
    "USA": "US",
    "UNITED STATES": "US",
}
STREET_ABBREVIATIONS = {
    r"\bstr\.?$": "straße",
    r"\bst\.?$": "street",
    r"\bave\.?$": "avenue",
    r"\brd\.?$": "road",
}
PHONE_PREFIXES = {"DE": "+49", "AT": "+43", "FR": "+33", "NL": "+31", "GB": "+44", "US": "+1"}


# --- time ---------------------------------------------------------------------------------

def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; treat them as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def isoformat(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value.isoformat()


def days_between(start: datetime, end: datetime) -> int:
    return (as_utc(end).date() - as_utc(start).date()).days


# --- text ---------------------------------------------------------------------------------

def slugify(text: str, *, max_length: int = 80) -> str:
    text = text.replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:max_length].rstrip("-")


def truncate(text: str, length: int = 120, suffix: str = "…") -> str:
    if len(text) <= length:
        return text
    return text[: length - len(suffix)].rstrip() + suffix


def format_price(amount: Decimal | int | str, currency: str | None = None) -> str:
    return Money(to_decimal(amount), currency or get_setting("CURRENCY", "EUR")).format()


def format_percent(value: Decimal | int) -> str:
    return f"{Decimal(value).normalize():f}%"


def format_weight(grams: int) -> str:
    if grams < 1000:
        return f"{grams} g"
    return f"{grams / 1000:.2f} kg".replace(".00 ", " ")


def format_email_address(name: str | None, email: str) -> str:
    if not name:
        return email
    if re.search(r'[,;:"<>@]', name):
        name = '"' + name.replace('"', "'") + '"'
    return f"{name} <{email}>"


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    if len(local) <= 2:
        return f"{local[:1]}*@{domain}"
    return f"{local[0]}{'*' * (len(local) - 2)}{local[-1]}@{domain}"


def mask_card_number(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return f"**** **** **** {digits[-4:]}" if len(digits) >= 4 else "****"


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "y"}


# --- addresses and phones --------------------------------------------------------------------

def normalise_country(country: str | None) -> str:
    value = (country or get_setting("DEFAULT_COUNTRY", "DE")).strip().upper()
    return COUNTRY_ALIASES.get(value, value)[:2]


def normalise_address(data: Mapping[str, Any]) -> dict[str, str]:
    """Trim, case and expand an address as typed by a customer."""
    line1 = " ".join(str(data.get("line1", "")).split())
    for pattern, replacement in STREET_ABBREVIATIONS.items():
        line1 = re.sub(pattern, replacement, line1, flags=re.IGNORECASE)
    country = normalise_country(data.get("country"))
    return {
        "recipient": " ".join(str(data.get("recipient", "")).split()).title(),
        "line1": line1,
        "line2": " ".join(str(data.get("line2", "") or "").split()),
        "city": " ".join(str(data.get("city", "")).split()).title(),
        "postal_code": str(data.get("postal_code", "")).strip().upper(),
        "country": country,
    }


def normalise_phone(phone: str | None, country: str = "DE") -> str | None:
    if not phone:
        return None
    digits = re.sub(r"[^\d+]", "", phone)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        digits = PHONE_PREFIXES.get(country.upper(), "+49") + digits.lstrip("0")
    return digits


def format_address_lines(address: Mapping[str, Any]) -> list[str]:
    lines = [address.get("recipient") or "", address.get("line1") or "", address.get("line2") or ""]
    lines.append(f"{address.get('postal_code', '')} {address.get('city', '')}".strip())
    lines.append(address.get("country") or "")
    return [line for line in lines if line]


# --- collections ---------------------------------------------------------------------------

def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def first(items: Iterable[T], predicate: Callable[[T], bool] | None = None) -> T | None:
    for item in items:
        if predicate is None or predicate(item):
            return item
    return None


def index_by(items: Iterable[T], key: Callable[[T], Any]) -> dict[Any, T]:
    return {key(item): item for item in items}


def paginate(items: Sequence[T], page: int = 1, per_page: int | None = None,
             transform: Callable[[T], R] | None = None) -> dict[str, Any]:
    per_page = per_page or get_setting("PAGE_SIZE", 20)
    per_page = max(1, min(per_page, get_setting("MAX_PAGE_SIZE", 100)))
    pages = max(1, math.ceil(len(items) / per_page))
    page = max(1, min(page, pages))
    window = items[(page - 1) * per_page : page * per_page]
    return {
        "items": [transform(item) if transform else item for item in window],
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "total": len(items),
    }


# --- HTTP ----------------------------------------------------------------------------------

def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationError("expected a JSON object")
    return data


def page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", get_setting("PAGE_SIZE", 20)))
    except ValueError:
        raise ValidationError("page and per_page must be integers") from None
    return page, per_page


def api_response(payload: Any, status: int = 200, **headers: str):
    response = jsonify(payload)
    response.status_code = status
    for name, value in headers.items():
        response.headers[name.replace("_", "-")] = value
    return response


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Protects back-office endpoints with the shared admin key (``X-Admin-Key``)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        supplied = request.headers.get("X-Admin-Key", "")
        expected = get_setting("ADMIN_API_KEY", "")
        if not expected or not hmac.compare_digest(supplied, expected):
            raise PermissionDenied("admin key required")
        return view(*args, **kwargs)

    return wrapper


# --- audit ---------------------------------------------------------------------------------

def audit_log(actor: str, action: str, **details: Any) -> None:
    record = {"at": utcnow().isoformat(), "actor": actor, "action": action, **details}
    audit_logger.info(json.dumps(record, default=str, sort_keys=True))


def request_actor() -> str:
    try:
        if request.headers.get("X-Admin-Key"):
            return "admin"
        return request.headers.get("X-Forwarded-For", request.remote_addr or "anonymous")
    except RuntimeError:
        return "system"


# --- misc ----------------------------------------------------------------------------------

def load_object(dotted_path: str) -> Any:
    """``"shop.payments.gateways.FakeGateway"`` -> the class."""
    module_name, _, attribute = dotted_path.rpartition(".")
    if not module_name:
        raise ImportError(f"not a dotted path: {dotted_path!r}")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ImportError(f"{module_name} has no attribute {attribute!r}") from None


def retry(fn: Callable[[], T], *, attempts: int = 3, delay: float = 0.0,
          on_error: Callable[[Exception, int], None] | None = None,
          retry_on: tuple[type[Exception], ...] = (Exception,)) -> T:
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except retry_on as exc:  # noqa: PERF203
            last = exc
            if on_error is not None:
                on_error(exc, attempt)
            if delay and attempt < attempts:
                time.sleep(delay * attempt)
    assert last is not None
    raise last


def percentage(part: int | Decimal, whole: int | Decimal) -> float:
    if not whole:
        return 0.0
    return round(float(part) * 100.0 / float(whole), 1)
