"""Read helpers. `access_payment_by_id` is the only way a view or the API loads a payment."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from chinhquyen.core.sql import first_where
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
    # Prepared (core.sql): every submission asks. The model's ordering, as `.first()` uses it.
    return first_where(
        Payment,
        "t0.reference = %s AND t0.status = %s",
        [reference, Payment.Status.PAID.value],
        order_by="t0.created_at DESC",
    )
