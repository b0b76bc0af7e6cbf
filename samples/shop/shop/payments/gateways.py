"""Payment gateways.

``Gateway`` holds the shared flow (amount checks, fees, references); subclasses implement
``_authorize`` / ``_capture`` / ``_refund``. No network calls in this sample: the card
gateway runs in sandbox mode with the usual magic card numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from shop.common.helpers import load_object, mask_card_number
from shop.common.ids import new_reference
from shop.common.money import ZERO, percent_of, quantize
from shop.common.validation import validate_card
from shop.config import get_setting

log = logging.getLogger(__name__)

MAX_AMOUNT = Decimal("10000.00")
DECLINED_CARDS = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}


class GatewayError(Exception):
    pass


class GatewayTimeout(GatewayError):
    pass


@dataclass(frozen=True)
class GatewayResult:
    ok: bool
    reference: str
    status: str
    message: str = ""
    fee: Decimal = ZERO
    details: dict[str, Any] = field(default_factory=dict)


class Gateway:
    name = "base"

    def __init__(self, name: str | None = None, *, currency: str = "EUR", fee_percent: Decimal = ZERO) -> None:
        self.name = name or self.name
        self.currency = currency
        self.fee_percent = fee_percent

    @classmethod
    def from_settings(cls, setting: str = "PAYMENT_GATEWAY") -> "Gateway":
        """The gateway class named by a dotted path in the settings."""
        gateway_class = load_object(get_setting(setting))
        if not (isinstance(gateway_class, type) and issubclass(gateway_class, Gateway)):
            raise GatewayError(f"{setting} does not name a Gateway subclass")
        return gateway_class.from_config()

    @classmethod
    def from_config(cls) -> "Gateway":
        return cls(currency=get_setting("CURRENCY", "EUR"))

    def authorize(self, amount: Decimal, *, source: Mapping[str, Any], reference: str) -> GatewayResult:
        self._check_amount(amount)
        result = self._authorize(quantize(amount), source, reference)
        log.info("%s authorize %s %s -> %s", self.name, amount, reference, result.status)
        return result

    def capture(self, authorization_ref: str, amount: Decimal) -> GatewayResult:
        self._check_amount(amount)
        return self._capture(authorization_ref, quantize(amount))

    def refund(self, capture_ref: str, amount: Decimal) -> GatewayResult:
        self._check_amount(amount)
        return self._refund(capture_ref, quantize(amount))

    def fee_for(self, amount: Decimal) -> Decimal:
        return percent_of(amount, self.fee_percent)

    def _check_amount(self, amount: Decimal) -> None:
        if amount <= ZERO:
            raise GatewayError("amount must be positive")
        if amount > MAX_AMOUNT:
            raise GatewayError(f"amount above the {MAX_AMOUNT} limit")

    def _authorize(self, amount: Decimal, source: Mapping[str, Any], reference: str) -> GatewayResult:
        raise NotImplementedError

    def _capture(self, authorization_ref: str, amount: Decimal) -> GatewayResult:
        raise NotImplementedError

    def _refund(self, capture_ref: str, amount: Decimal) -> GatewayResult:
        raise NotImplementedError


class FakeGateway(Gateway):
    """Approves everything, except amounts ending in .13 (to exercise declines)."""

    name = "fake"

    def __init__(self, *, currency: str = "EUR") -> None:
        super().__init__("fake", currency=currency)
        self.calls: list[tuple[str, Decimal]] = []

    def _authorize(self, amount: Decimal, source: Mapping[str, Any], reference: str) -> GatewayResult:
        self.calls.append(("authorize", amount))
        if amount % 1 == Decimal("0.13"):
            return GatewayResult(False, "", "declined", "fake decline (amount ends in .13)")
        return GatewayResult(True, new_reference("auth"), "authorized", fee=self.fee_for(amount))

    def _capture(self, authorization_ref: str, amount: Decimal) -> GatewayResult:
        self.calls.append(("capture", amount))
        if not authorization_ref:
            return GatewayResult(False, "", "failed", "missing authorization")
        return GatewayResult(True, new_reference("cap"), "captured")

    def _refund(self, capture_ref: str, amount: Decimal) -> GatewayResult:
        self.calls.append(("refund", amount))
        return GatewayResult(True, new_reference("re"), "succeeded")


class ByCardGateway(Gateway):
    """The ByCard card processor, sandbox mode."""

    name = "bycard"

    def __init__(self, api_key: str, *, currency: str = "EUR", fee_percent: Decimal = Decimal("1.4")) -> None:
        super().__init__("bycard", currency=currency, fee_percent=fee_percent)
        if not api_key:
            raise GatewayError("ByCard API key missing")
        self.api_key = api_key
        self.sandbox = api_key.startswith("sk_test_")

    @classmethod
    def from_config(cls) -> "ByCardGateway":
        return cls(get_setting("CARD_GATEWAY_API_KEY", ""), currency=get_setting("CURRENCY", "EUR"))

    def authorize(self, amount: Decimal, *, source: Mapping[str, Any], reference: str) -> GatewayResult:
        card = validate_card(source)
        result = super().authorize(amount, source=card, reference=reference)
        details = {**result.details, "card": mask_card_number(card["number"]), "last4": card["number"][-4:]}
        return GatewayResult(result.ok, result.reference, result.status, result.message, result.fee, details)

    def _authorize(self, amount: Decimal, source: Mapping[str, Any], reference: str) -> GatewayResult:
        if not self.sandbox:
            raise GatewayError("live mode is not available in this build")
        decline = DECLINED_CARDS.get(source["number"])
        if decline:
            return GatewayResult(False, "", "declined", decline)
        return GatewayResult(True, self._reference("ch"), "authorized", fee=self.fee_for(amount))

    def _capture(self, authorization_ref: str, amount: Decimal) -> GatewayResult:
        return GatewayResult(True, self._reference("cp"), "captured")

    def _refund(self, capture_ref: str, amount: Decimal) -> GatewayResult:
        return GatewayResult(True, self._reference("rf"), "succeeded")

    def _reference(self, kind: str) -> str:
        return new_reference(f"bc_{kind}")
