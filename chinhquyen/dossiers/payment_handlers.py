"""What a confirmed online payment does to a draft or to a status-6 obligation. (A fee asked
after submission is paid as an obligation, through the engine's `record_payment`; the earlier
"dossier:<code>" reference, which set `paid_amount` directly and was started by nothing, is gone.)
Registered with the payments app (which must not import dossiers) and called inside the
transaction that marks the payment paid, so the dossier's DuocThanhToanTrucTuyen flag and the
payment commit together (onestop.md §6.4)."""

from __future__ import annotations

import uuid

from chinhquyen.core.errors import Conflict
from chinhquyen.dossiers import obligations
from chinhquyen.dossiers.actions import do_mark_paid
from chinhquyen.dossiers.handling import do_record_online_payment
from chinhquyen.dossiers.models import Dossier, Draft
from chinhquyen.payments.actions import NothingOwed
from chinhquyen.payments.models import Payment


def on_draft_paid(payment: Payment) -> None:
    """Paid before submission: submission reads the payment. If the draft was submitted in the
    meantime (a late notification), the dossier is marked paid now. The draft's row lock orders
    this against a concurrent `do_submit_draft`."""
    reference = str(payment.reference)
    draft = Draft.objects.select_for_update().filter(pk=uuid.UUID(reference.partition(":")[2]))
    found = draft.first()
    if found is None:
        raise LookupError(f"payment for an unknown draft: {reference}")
    if found.dossier_id is not None:
        do_mark_paid(found.dossier, payment.amount)  # type: ignore[arg-type]


def on_obligation_paid(payment: Payment) -> None:
    """Status 6 paid online: `record_payment` through the engine (history, audit, statistics,
    the applicant's notice), once. A dossier no longer waiting for that obligation (the office
    recorded a counter payment meanwhile, a newer request, withdrawn, stopped) gets no second
    transition: the money is to be refunded (`NothingOwed`, ADR 0010)."""
    reference = str(payment.reference)
    try:
        pk, seq = obligations.parse_reference(reference)
    except ValueError:
        raise LookupError(f"malformed obligation reference: {reference}") from None
    dossier = Dossier.objects.filter(pk=pk).first()
    if dossier is None:
        raise LookupError(f"payment for an unknown dossier: {reference}")
    try:
        do_record_online_payment(
            dossier,
            obligation_seq=seq,
            amount=payment.amount,
            receipt=payment.txn_ref,
            gateway_transaction_no=payment.gateway_transaction_no,
        )
    except Conflict as refused:  # raised before anything was written
        raise NothingOwed(refused.message) from refused


def register() -> None:
    from chinhquyen.payments.actions import register_payment_handler

    register_payment_handler("draft", on_draft_paid)
    register_payment_handler(obligations.PREFIX, on_obligation_paid)
