"""Read helpers. `access_payment_by_id` is the only way a view or the API loads a payment."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from chinhquyen.payments.models import Payment


def access_payment_by_id(user: Any, payment_id: uuid.UUID | str) -> Payment:
    """The payer's own payment; 404 for anybody else (staff included), so the existence of
    another person's payment is not revealed."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("Không tìm thấy giao dịch thanh toán.")
    payment = Payment.objects.filter(pk=payment_id, payer=user).first()
    if payment is None:
        raise Http404("Không tìm thấy giao dịch thanh toán.")
    return payment


def paid_payment_for_reference(reference: str) -> Payment | None:
    """The payment that paid `reference` ("draft:<uuid>", "obligation:<pk>:<seq>"), if any."""
    return Payment.objects.filter(reference=reference, status=Payment.Status.PAID).first()
