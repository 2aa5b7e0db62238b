"""Financial obligations (status 6, "Yêu cầu thực hiện nghĩa vụ tài chính", onestop.md §6.1)
paid online by the applicant (Decree 61/2018 Art. 22, Decree 118/2025 Art. 24: through the
system's payment function). The office's request is a `request_payment` row; the payment's
reference names that row (`obligation:<dossier pk>:<seq>`), so a later request is a new
obligation and money paid for an old one is never taken for it. The handler
(`payment_handlers.on_obligation_paid`) records it through the engine
(`handling.do_record_online_payment`). Rules and reasons: docs/adr/0010-online-payment.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.dossiers.models import Dossier, Status
from chinhquyen.org.models import User
from chinhquyen.payments.actions import do_start_payment
from chinhquyen.payments.models import Payment

PREFIX = "obligation"
NOTHING_TO_PAY = "Hồ sơ không có khoản nghĩa vụ tài chính nào đang chờ thanh toán."


@dataclass(frozen=True)
class Obligation:
    """What the last `request_payment` row asks while the dossier is in status 6."""

    seq: int
    amount: Decimal
    content: str
    requested_at: datetime

    def reference(self, dossier: Dossier) -> str:
        return f"{PREFIX}:{dossier.pk}:{self.seq}"


def open_obligation(dossier: Dossier) -> Obligation | None:
    """The obligation the dossier waits for, or None when it waits for none."""
    if dossier.status != Status.PAYMENT_REQUESTED:
        return None
    asked = dossier.transitions.filter(action="request_payment").order_by("-seq").first()
    if asked is None:
        return None
    data = asked.data or {}
    return Obligation(
        asked.seq, Decimal(data.get("amount", "0")), data.get("content", ""), asked.at
    )


def parse_reference(reference: str) -> tuple[int, int]:
    """(dossier pk, request seq) of an `obligation:<pk>:<seq>` reference; ValueError otherwise."""
    prefix, pk, seq = reference.split(":")
    if prefix != PREFIX:
        raise ValueError(f"not an obligation reference: {reference}")
    return int(pk), int(seq)


def do_start_obligation_payment(
    dossier: Dossier, *, acting_user: Any, return_url: str, client_ip: str
) -> tuple[Payment, str]:
    """The applicant pays online the obligation the dossier waits for: a pending payment of the
    amount asked, and the signed gateway URL to send the browser to. Conflict when nothing is
    asked (or already paid, `do_start_payment`)."""
    if not isinstance(acting_user, User) or dossier.applicant_id != acting_user.pk:
        raise DomainError("Chỉ người nộp hồ sơ mới thực hiện được thao tác này.", code="forbidden")
    obligation = open_obligation(dossier)
    if obligation is None:
        raise Conflict(NOTHING_TO_PAY, code="nothing_to_pay")
    return do_start_payment(
        payer=acting_user,
        reference=obligation.reference(dossier),
        amount=obligation.amount,
        description=f"Hồ sơ {dossier.code}: {obligation.content}",
        return_url=return_url,
        client_ip=client_ip,
    )


def obligation_payments(dossier: Dossier) -> QuerySet[Payment]:
    """The online payments that paid (or paid too late, to be refunded) the dossier's
    obligations, for the officer's page."""
    return Payment.objects.filter(
        reference__startswith=f"{PREFIX}:{dossier.pk}:",
        status__in=[Payment.Status.PAID, Payment.Status.REFUND_NEEDED],
    ).order_by("created_at")
