"""Human-facing identifiers: order numbers, payment references, tracking numbers."""

from __future__ import annotations

import secrets
import string
import uuid
from datetime import datetime, timezone

_ALPHABET = string.ascii_uppercase + string.digits
_UNAMBIGUOUS = "".join(ch for ch in _ALPHABET if ch not in "0O1IL")


def random_code(length: int = 8, alphabet: str = _UNAMBIGUOUS) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_order_number(now: datetime | None = None) -> str:
    """``SO-20240517-7KQ3MX``: date for support staff, random tail against guessing."""
    now = now or datetime.now(timezone.utc)
    return f"SO-{now:%Y%m%d}-{random_code(6)}"


def new_reference(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def new_tracking_number(carrier: str) -> str:
    carrier_code = "".join(ch for ch in carrier.upper() if ch.isalpha())[:3].ljust(3, "X")
    body = "".join(secrets.choice(string.digits) for _ in range(11))
    return f"{carrier_code}{body}{check_digit(body)}"


def check_digit(digits: str) -> int:
    weights = (3, 1)
    total = sum(int(d) * weights[i % 2] for i, d in enumerate(digits))
    return (10 - total % 10) % 10


def is_order_number(value: str) -> bool:
    parts = value.split("-")
    return (
        len(parts) == 3
        and parts[0] == "SO"
        and len(parts[1]) == 8
        and parts[1].isdigit()
        and len(parts[2]) == 6
    )


def short_id() -> str:
    return uuid.uuid4().hex[:10]
