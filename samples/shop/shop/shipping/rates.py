"""Shipping rate calculation.

Rates are per zone and service level: a base price that includes the first kilogram,
plus a surcharge per started kilogram after that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from shop.common.helpers import load_object
from shop.common.money import ZERO, multiply, quantize
from shop.common.validation import ValidationError
from shop.config import get_setting

ZONES = {
    "DE": "domestic",
    "AT": "eu",
    "FR": "eu",
    "NL": "eu",
    "BE": "eu",
    "IT": "eu",
    "ES": "eu",
    "CH": "europe",
    "GB": "europe",
    "US": "world",
}


@dataclass(frozen=True)
class Rate:
    carrier: str
    base: Decimal
    per_extra_kg: Decimal
    eta_days: int


@dataclass(frozen=True)
class RateQuote:
    carrier: str
    service_level: str
    cost: Decimal
    eta_days: int
    zone: str


class RateCalculator:
    """Base calculator; subclasses decide the rate for a zone and service level."""

    service_levels = ("standard", "express")

    def __init__(self, free_shipping_threshold: Decimal | None = None) -> None:
        self.free_shipping_threshold = free_shipping_threshold

    def zone_for(self, country: str) -> str:
        return ZONES.get(country.upper(), "world")

    def quote(self, country: str, weight_grams: int, subtotal: Decimal,
              service_level: str = "standard") -> RateQuote:
        if service_level not in self.service_levels:
            raise ValidationError(f"unknown service level {service_level!r}", field="service_level")
        zone = self.zone_for(country)
        rate = self.rate_for(zone, service_level)
        cost = self.price(rate, weight_grams)
        if self.qualifies_for_free_shipping(zone, service_level, subtotal):
            cost = ZERO
        return RateQuote(rate.carrier, service_level, cost, rate.eta_days, zone)

    def price(self, rate: Rate, weight_grams: int) -> Decimal:
        extra_kg = max(0, math.ceil(weight_grams / 1000) - 1)
        return quantize(rate.base + multiply(rate.per_extra_kg, extra_kg))

    def qualifies_for_free_shipping(self, zone: str, service_level: str, subtotal: Decimal) -> bool:
        return (
            self.free_shipping_threshold is not None
            and zone == "domestic"
            and service_level == "standard"
            and subtotal >= self.free_shipping_threshold
        )

    def rate_for(self, zone: str, service_level: str) -> Rate:
        raise NotImplementedError


class TableRateCalculator(RateCalculator):
    RATES: dict[tuple[str, str], Rate] = {
        ("domestic", "standard"): Rate("DHL", Decimal("4.90"), Decimal("1.00"), 2),
        ("domestic", "express"): Rate("DHL Express", Decimal("9.90"), Decimal("1.50"), 1),
        ("eu", "standard"): Rate("DHL", Decimal("9.90"), Decimal("2.00"), 4),
        ("eu", "express"): Rate("UPS", Decimal("19.90"), Decimal("3.00"), 2),
        ("europe", "standard"): Rate("DHL", Decimal("14.90"), Decimal("3.00"), 6),
        ("europe", "express"): Rate("UPS", Decimal("29.90"), Decimal("4.00"), 3),
        ("world", "standard"): Rate("DHL", Decimal("24.90"), Decimal("6.00"), 10),
        ("world", "express"): Rate("FedEx", Decimal("49.90"), Decimal("8.00"), 4),
    }

    def __init__(self, free_shipping_threshold: Decimal | None = None) -> None:
        super().__init__(free_shipping_threshold or get_setting("FREE_SHIPPING_THRESHOLD"))

    def rate_for(self, zone: str, service_level: str) -> Rate:
        try:
            return self.RATES[(zone, service_level)]
        except KeyError:
            raise ValidationError(f"we do not ship {service_level} to zone {zone}") from None


class FlatRateCalculator(RateCalculator):
    """Used during sales: one price everywhere, no free shipping."""

    def __init__(self, flat: Decimal = Decimal("5.00")) -> None:
        super().__init__(None)
        self.flat = flat

    def rate_for(self, zone: str, service_level: str) -> Rate:
        surcharge = Decimal("10.00") if service_level == "express" else ZERO
        return Rate("DHL", self.flat + surcharge, ZERO, 3 if zone == "domestic" else 7)


def get_calculator() -> RateCalculator:
    calculator_class = load_object(get_setting("SHIPPING_RATE_CALCULATOR", "shop.shipping.rates.TableRateCalculator"))
    return calculator_class()
