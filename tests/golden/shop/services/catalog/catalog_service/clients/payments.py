"""Typed client of the payments service.

Its models mirror the payments API; the base URL comes from ``CATALOG_PAYMENTS_URL``.
"""

from pydantic import BaseModel

from catalog_service.clients._http import ServiceClient


class GetPaymentRequest(BaseModel):
    """Arguments of `shop.payments.services.get_payment(payment_id: str) -> dict[str, str]`."""

    payment_id: str


class GetPaymentResponse(BaseModel):
    """What `shop.payments.services.get_payment` returns."""

    result: dict[str, str]


class PaymentsClient(ServiceClient):
    service = "payments"

    async def get_payment(self, body: GetPaymentRequest) -> GetPaymentResponse:
        """``POST /api/payments/get-payment``: ``shop.payments.services.get_payment`` in the monolith.

        Called here by shop.catalog.views.checkout_page (1 call site).
        Idempotent: retried on failure.
        """
        return await self._call("/api/payments/get-payment", body, GetPaymentResponse, idempotent=True)
