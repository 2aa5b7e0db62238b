"""Payments API for the citizen's own payments (e.g. a page polling whether the IPN came).
The IPN is not here: it is a plain Django view answering in the gateway's JSON shape."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from chinhquyen.core.apiauth import citizen_session
from chinhquyen.payments.queries import access_payment_by_id

router = Router(tags=["payments"], auth=citizen_session)


class PaymentOut(Schema):
    id: uuid.UUID
    reference: str
    amount: int
    description: str
    status: str
    status_label: str
    gateway: str
    txn_ref: str
    gateway_transaction_no: str
    bank_code: str
    paid_at: datetime | None
    created_at: datetime
    receipt_url: str


@router.get("/{payment_id}", response=PaymentOut)
def get_payment(request: HttpRequest, payment_id: uuid.UUID) -> dict[str, object]:
    payment = access_payment_by_id(request.user, payment_id)
    return {
        "id": payment.pk, "reference": payment.reference, "amount": int(payment.amount),
        "description": payment.description, "status": payment.status,
        "status_label": str(payment.get_status_display()), "gateway": payment.gateway,
        "txn_ref": payment.txn_ref, "gateway_transaction_no": payment.gateway_transaction_no,
        "bank_code": payment.bank_code, "paid_at": payment.paid_at,
        "created_at": payment.created_at,
        "receipt_url": reverse("payments:receipt", args=[payment.pk]),
    }  # fmt: skip
