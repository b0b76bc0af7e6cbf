"""Decimal money helpers.

Amounts are ``Decimal`` with two places everywhere in the shop; ``Money`` pairs an amount
with a currency for the few places where currencies can differ (gateways, reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF "}


class MoneyError(ValueError):
    pass


def to_decimal(value: object) -> Decimal:
    """Parse an int, str, float or Decimal into a Decimal rounded to cents."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        try:
            result = Decimal(str(value).strip())
        except (InvalidOperation, ValueError) as exc:
            raise MoneyError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    return quantize(result)


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def add(*amounts: Decimal) -> Decimal:
    return quantize(sum(amounts, ZERO))


def total(amounts: Iterable[Decimal]) -> Decimal:
    return quantize(sum(amounts, ZERO))


def multiply(amount: Decimal, quantity: int | Decimal) -> Decimal:
    return quantize(amount * Decimal(quantity))


def percent_of(amount: Decimal, percent: Decimal | int) -> Decimal:
    """``percent`` per cent of ``amount``: percent_of(37.60, 10) == 3.76."""
    return quantize(amount * Decimal(percent) / HUNDRED)


def vat_included(gross: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in a gross (VAT-inclusive) amount."""
    return quantize(gross - gross / (Decimal(1) + rate))


def clamp(amount: Decimal, low: Decimal = ZERO, high: Decimal | None = None) -> Decimal:
    if amount < low:
        return low
    if high is not None and amount > high:
        return high
    return amount


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``amount`` proportionally to ``weights``; the cents left over go to the first shares."""
    if not weights:
        return []
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        return [ZERO for _ in weights]
    shares = [(amount * w / weight_sum).quantize(CENT, rounding=ROUND_DOWN) for w in weights]
    remainder = quantize(amount - sum(shares, ZERO))
    i = 0
    while remainder > ZERO:
        shares[i % len(shares)] += CENT
        remainder -= CENT
        i += 1
    return shares


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str = "EUR"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def from_cents(cls, cents: int, currency: str = "EUR") -> "Money":
        return cls(Decimal(cents) / HUNDRED, currency)

    @classmethod
    def zero(cls, currency: str = "EUR") -> "Money":
        return cls(ZERO, currency)

    @property
    def cents(self) -> int:
        return int(self.amount * HUNDRED)

    def _check(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> "Money":
        return Money(multiply(self.amount, factor), self.currency)

    def is_zero(self) -> bool:
        return self.amount == ZERO

    def format(self) -> str:
        symbol = CURRENCY_SYMBOLS.get(self.currency, self.currency + " ")
        return f"{symbol}{self.amount:,.2f}"

    def __str__(self) -> str:
        return self.format()
