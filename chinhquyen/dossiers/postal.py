"""Returning a result by post (Decision 45/2016/QĐ-TTg; Decree 61/2018 Art. 20; ADR 0020).

- `create_return_shipment`: inside the `return_result` transition's transaction, the shipment
  and its first event ("bàn giao cho bưu chính") are written with the dossier's move to status
  10; the order is dispatched to the operator only after that commit.
- `do_book_shipment`: what the Celery task does: claim the shipment, send the order (outside any
  transaction; our reference is the operator's idempotency key, so a retried order never makes a
  second waybill), record the waybill or the failure. The applicant is told the waybill.
- `do_sweep_shipments`: re-dispatch orders whose retry time has passed (a lost task, a broker
  down after commit, retries of the task used up); `do_reorder_shipment`: the one-stop office
  orders a failed shipment again.
- `do_record_postal_event`: a signed callback of the operator (picked up, delivered, returned to
  sender), recorded once per operator event id."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.dossiers.actions import notify_applicant
from chinhquyen.dossiers.models import Dossier, Shipment, ShipmentEvent
from chinhquyen.integrations.postal.client import (
    CallbackEvent,
    Party,
    PostalClient,
    PostalPermanentError,
    PostalTemporaryError,
    ShipmentOrder,
)
from chinhquyen.integrations.postal.protocol import EventStatus
from chinhquyen.org.models import Role
from chinhquyen.payments.money import parse_dong
from chinhquyen.procedures.models import DeliveryOption

Kind = ShipmentEvent.Kind
# A claim older than this belongs to a worker that stopped mid-order; the order may go again
# (the operator answers the same waybill for the same reference).
STUCK_AFTER = timedelta(minutes=10)
BACKOFF_BASE, BACKOFF_CAP = timedelta(minutes=1), timedelta(hours=1)
SWEEP_LIMIT = 200
NOT_POSTAL = (
    "Người nộp không đăng ký nhận kết quả qua dịch vụ bưu chính công ích: trả kết quả tại Bộ phận"
    " Một cửa."
)
NO_ADDRESS = "Hồ sơ chưa có địa chỉ nhận kết quả qua bưu chính: trả kết quả tại Bộ phận Một cửa."
UNAVAILABLE = "Chưa kết nối với đơn vị bưu chính: chưa trả kết quả qua bưu chính được."


class NotFound(DomainError):
    status = 404


def postal_client() -> PostalClient:
    if not (settings.POSTAL_API_URL and settings.POSTAL_API_KEY):
        raise DomainError(UNAVAILABLE, code="postal_unavailable")
    return PostalClient(base_url=settings.POSTAL_API_URL, api_key=settings.POSTAL_API_KEY)


def callback_url() -> str:
    return settings.POSTAL_PUBLIC_BASE_URL.rstrip("/") + reverse("api:postal_callback")


def reference_for(dossier: Dossier) -> str:
    """Our order number: one return shipment per dossier (status 9 → 10 happens once)."""
    return f"KQ-{dossier.code}"


# --- Handing over (inside the return_result transition) ----------------------------------------


def check_postal_return(dossier: Dossier) -> None:
    """Decision 45/2016/QĐ-TTg (onestop.md §6.5): the result goes by post only when the applicant
    chose it (receive the result by post, alone or with sending the dossier by post) and gave
    the address to deliver to."""
    if dossier.delivery_option != DeliveryOption.POST:
        raise DomainError(NOT_POSTAL, code="not_postal_delivery", field="method")
    if not dossier.delivery_address.strip():
        raise DomainError(NO_ADDRESS, code="no_delivery_address", field="method")
    if not settings.POSTAL_API_URL:
        raise DomainError(UNAVAILABLE, code="postal_unavailable", field="method")


def check_cod_amount(dossier: Dossier, value: Any) -> Decimal:
    """The fee still owed may be paid to the postal operator, which passes it on (Decree 61/2018
    Art. 22; onestop.md §1.9, §6.5); never more than that."""
    if value in (None, ""):
        return Decimal(0)
    # Whole đồng, as typed ("50000", "50.000") or as a number from the API.
    parsed = parse_dong(value)
    amount = Decimal(-1) if parsed is None else parsed
    owed = max(dossier.fee_total - dossier.paid_amount, Decimal(0))
    if amount < 0:
        raise DomainError("Số tiền thu hộ là số đồng nguyên, không âm.", field="cod_amount")
    if amount > owed:
        owed_text = f"{owed:,.0f}".replace(",", ".")
        raise DomainError(
            f"Số tiền thu hộ không được lớn hơn phí, lệ phí còn phải nộp ({owed_text} đồng).",
            field="cod_amount",
        )
    return amount


def create_return_shipment(
    dossier: Dossier, *, acting_user: Any, now: datetime, cod_amount: Any = None
) -> Shipment:
    """The caller holds the dossier's lock in the transaction that returns it."""
    check_postal_return(dossier)
    cod = check_cod_amount(dossier, cod_amount)
    shipment = Shipment.objects.create(
        dossier=dossier,
        reference=reference_for(dossier),
        sender_agency=dossier.receiving_agency,
        receiver_name=dossier.applicant_name,
        receiver_phone=dossier.applicant_phone,
        receiver_address=dossier.delivery_address.strip(),
        contents=f"Kết quả giải quyết TTHC, hồ sơ {dossier.code}"[:300],
        cod_amount=cod,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
        created_at=now,
        next_attempt_at=now,
    )
    _event(shipment, Kind.HANDED_OVER, now, data={"cod_amount": int(cod)})
    transaction.on_commit(partial(dispatch, shipment.pk), robust=True)
    return shipment


def dispatch(shipment_id: int) -> None:
    from chinhquyen.dossiers.tasks import book_return_shipment

    book_return_shipment.delay(shipment_id)


def _event(
    shipment: Shipment, kind: str, at: datetime, *, note: str = "", operator_id: str | None = None,
    data: dict[str, Any] | None = None, recorded_at: datetime | None = None,
) -> ShipmentEvent:  # fmt: skip
    return ShipmentEvent.objects.create(
        shipment=shipment, kind=kind, at=at, recorded_at=recorded_at or at, note=note[:500],
        operator_event_id=operator_id, data=data or {},
    )  # fmt: skip


# --- Ordering from the operator (Celery) ----------------------------------------------------------


@dataclass(frozen=True)
class BookingResult:
    outcome: str  # booked, retry, failed, skipped
    retry_in: float | None = None  # seconds, for the task's retry
    waybill: str = ""


def _claim(shipment_id: int, now: datetime) -> bool:
    """Of two workers holding the same order, one sends it; a claim left by a worker that
    stopped is taken over after STUCK_AFTER."""
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STUCK_AFTER)
    return bool(
        Shipment.objects.filter(free, pk=shipment_id, status=Shipment.Status.PENDING).update(
            claimed_at=now, attempts=F("attempts") + 1
        )
    )


def order_of(shipment: Shipment) -> ShipmentOrder:
    agency = shipment.sender_agency
    unit = agency.administrative_unit
    return ShipmentOrder(
        reference=shipment.reference,
        sender=Party(
            name=f"Bộ phận Một cửa — {agency.name}",
            code=agency.identifier_code,
            address=unit.name if unit else agency.name,
        ),
        receiver=Party(
            name=shipment.receiver_name,
            phone=shipment.receiver_phone,
            address=shipment.receiver_address,
        ),
        contents=shipment.contents,
        cod_amount=int(shipment.cod_amount),
        callback_url=callback_url(),
    )


def do_book_shipment(shipment_id: int, *, now: datetime | None = None) -> BookingResult:
    """Send the order once (safe to run twice: the claim, and the operator's idempotency)."""
    now = now or timezone.now()
    if not _claim(shipment_id, now):
        return BookingResult("skipped")
    shipment = Shipment.objects.select_related("sender_agency__administrative_unit").get(
        pk=shipment_id
    )
    try:
        booking = postal_client().create_shipment(order_of(shipment))
    except PostalTemporaryError as error:
        return _record_failure(shipment, str(error), now, permanent=False)
    except (PostalPermanentError, DomainError) as error:
        return _record_failure(shipment, str(error), now, permanent=True)
    try:
        with transaction.atomic():
            locked = Shipment.objects.select_for_update().get(pk=shipment_id)
            record_booking(locked, booking.waybill, now, replayed=booking.replayed)
    except IntegrityError:  # the operator gave a waybill another shipment already has
        message = f"Đơn vị bưu chính trả mã vận đơn {booking.waybill} đã dùng cho bưu gửi khác."
        return _record_failure(shipment, message, now, permanent=True)
    return BookingResult("booked", waybill=booking.waybill)


def record_booking(shipment: Shipment, waybill: str, now: datetime, *, replayed: bool) -> None:
    """The waybill on the shipment, its event, and the applicant's message (e-mail, SMS) with it.
    The caller holds the shipment's row lock; a second booking of the same order changes nothing."""
    if shipment.waybill:
        return
    Shipment.objects.filter(pk=shipment.pk).update(
        waybill=waybill, status=Shipment.Status.BOOKED, booked_at=now, claimed_at=None,
        next_attempt_at=None, last_error="",
    )  # fmt: skip
    shipment.refresh_from_db()
    _event(shipment, Kind.BOOKED, now, data={"waybill": waybill, "replayed": replayed})
    dossier = Dossier.objects.select_related("procedure_version", "receiving_agency").get(
        pk=shipment.dossier_id
    )
    try:  # the waybill is kept even when the message cannot be written (a template missing…)
        with transaction.atomic():
            notify_applicant(dossier, "dossier.sent_by_post", extra={"ma_van_don": waybill,
                             "dia_chi_nhan": shipment.receiver_address})  # fmt: skip
    except DomainError as error:
        record_audit("dossiers.shipment_notice_failed", obj=shipment,
                     after={"waybill": waybill, "error": error.message})  # fmt: skip
    record_audit("dossiers.shipment_booked", obj=shipment, after={"waybill": waybill})


def _delay_after(attempts: int) -> timedelta:
    delay = min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return delay * (1 + random.uniform(0, 0.25))  # noqa: S311 - jitter, not secrecy


def _record_failure(
    shipment: Shipment, error: str, now: datetime, *, permanent: bool
) -> BookingResult:
    exhausted = permanent or shipment.attempts >= settings.POSTAL_MAX_ATTEMPTS
    delay = None if exhausted else _delay_after(shipment.attempts)
    with transaction.atomic():
        Shipment.objects.filter(pk=shipment.pk, status=Shipment.Status.PENDING).update(
            status=Shipment.Status.FAILED if exhausted else Shipment.Status.PENDING,
            next_attempt_at=None if delay is None else now + delay,
            claimed_at=None,
            last_error=error[:500],
        )
        data = {"attempt": shipment.attempts, "permanent": permanent}
        _event(shipment, Kind.FAILED if exhausted else Kind.ATTEMPT_FAILED, now, note=error,
               data=data)  # fmt: skip
        if exhausted:
            record_audit("dossiers.shipment_failed", obj=shipment, after={"error": error[:500]})
    if exhausted:
        return BookingResult("failed")
    assert delay is not None
    return BookingResult("retry", retry_in=delay.total_seconds())


def do_sweep_shipments(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    """Dispatch every order still waiting whose retry time has passed."""
    now = now or timezone.now()
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STUCK_AFTER)
    due = Shipment.objects.filter(free, status=Shipment.Status.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for shipment_id in ids:
        with transaction.atomic():
            transaction.on_commit(partial(dispatch, shipment_id), robust=True)
    return ids


def do_reorder_shipment(
    shipment: Shipment, *, acting_user: Any, now: datetime | None = None
) -> Shipment:
    """The one-stop office that handed the result over orders a failed shipment again (once the
    operator's refusal is sorted out): the same reference, a fresh attempt budget."""
    from chinhquyen.dossiers.handling import roles_in  # handling imports this module

    now = now or timezone.now()
    if Role.ONE_STOP_OFFICER not in roles_in(acting_user, shipment.sender_agency):
        raise DomainError(
            f"Chỉ cán bộ một cửa của {shipment.sender_agency.name} gửi lại được đơn bưu chính.",
            code="forbidden",
        )
    with transaction.atomic():
        failed = Shipment.objects.filter(pk=shipment.pk, status=Shipment.Status.FAILED)
        if not failed.update(status=Shipment.Status.PENDING, attempts=0, next_attempt_at=now,
                             claimed_at=None, last_error=""):  # fmt: skip
            raise Conflict("Chỉ gửi lại được đơn chưa gửi được cho bưu chính.", code="not_failed")
        _event(shipment, Kind.REORDERED, now, data={"by": getattr(acting_user, "pk", None)})
        record_audit("dossiers.shipment_reordered", actor=acting_user, obj=shipment)
        transaction.on_commit(partial(dispatch, shipment.pk), robust=True)
    shipment.refresh_from_db()
    return shipment


# --- The operator's callbacks -------------------------------------------------------------------

_STATUS_OF = {
    EventStatus.PICKED_UP: Shipment.Status.PICKED_UP,
    EventStatus.DELIVERED: Shipment.Status.DELIVERED,
    EventStatus.RETURNED: Shipment.Status.RETURNED,
}
_FINAL = {Shipment.Status.DELIVERED, Shipment.Status.RETURNED}


def do_record_postal_event(
    event: CallbackEvent, *, now: datetime | None = None
) -> tuple[Shipment, bool]:
    """Record one signed callback; (the shipment, False) when this event id was recorded before.
    A late "picked up" after "delivered" is kept as an event but does not move the status back."""
    now = now or timezone.now()
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(reference=event.reference).first()
        if shipment is None:
            raise NotFound("Không có bưu gửi với mã đơn này.", code="unknown_shipment")
        if shipment.waybill and shipment.waybill != event.waybill:
            raise Conflict("Mã vận đơn không khớp với bưu gửi.", code="waybill_mismatch")
        if ShipmentEvent.objects.filter(operator_event_id=event.event_id).exists():
            return shipment, False
        if not shipment.waybill:  # the order's answer was lost; the operator's word is signed
            record_booking(shipment, event.waybill, now, replayed=True)
        _event(shipment, str(event.status), event.occurred_at, note=event.note,
               operator_id=event.event_id, data=event.as_data(), recorded_at=now)  # fmt: skip
        _move(shipment, _STATUS_OF[event.status], event.occurred_at)
        record_audit("dossiers.shipment_event", obj=shipment, after={"status": str(event.status)})
    shipment.refresh_from_db()
    return shipment, True


def _move(shipment: Shipment, status: str, at: datetime) -> None:
    shipment.refresh_from_db(fields=["status"])
    if shipment.status in _FINAL:
        return
    changes: dict[str, Any] = {"status": status}
    if status == Shipment.Status.DELIVERED:
        changes["delivered_at"] = at
    Shipment.objects.filter(pk=shipment.pk).update(**changes)
