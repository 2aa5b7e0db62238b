"""Every change of a dossier's state. Each `do_*` locks the dossier row, appends one
`DossierTransition`, writes the audit row and queues notifications in the same transaction
(ARCHITECTURE: history is rows; notifications through the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.files import do_store_file
from chinhquyen.core.sql import (
    all_where,
    first_where,
    get_with_related,
    insert_many,
    insert_returning_pk,
    update_statement,
)
from chinhquyen.core.uploads import check_upload
from chinhquyen.dossiers.codes import next_dossier_code
from chinhquyen.dossiers.drafts import (
    APPLICANT_GROUP,
    APPLICANT_SCHEMA,
    check_can_file_online,
    max_upload_bytes,
)
from chinhquyen.dossiers.models import (
    ApplicantKind,
    Channel,
    DocumentRole,
    Dossier,
    DossierDocument,
    DossierRating,
    DossierTransition,
    Draft,
    DraftAttachment,
    OnlinePayment,
    Status,
)
from chinhquyen.dossiers.routing import accepts_online, handling_agency_for
from chinhquyen.notifications.actions import do_enqueue_notification
from chinhquyen.notifications.models import MessageTemplate
from chinhquyen.notifications.queries import active_template
from chinhquyen.org.models import AdministrativeUnit, Agency
from chinhquyen.procedures.eform import CleanResult, validate_answers
from chinhquyen.procedures.fees import quote_fees
from chinhquyen.procedures.models import OnlineLevel, RequiredDocument

_KINDS = {
    "citizen": ApplicantKind.CITIZEN,
    "enterprise": ApplicantKind.ENTERPRISE,
    "household_business": ApplicantKind.HOUSEHOLD_BUSINESS,
}


def tracking_url(code: str) -> str:
    """The public tracking page with the code filled in (printed as a QR code)."""
    return f"{settings.SITE_URL.rstrip('/')}{_lookup_path()}?ma={code}"


def my_dossier_url(code: str) -> str:
    """The citizen's own page of the dossier (signed in), where status 6 is paid online."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('tracking:my_dossier', args=[code])}"


@cache
def _lookup_path() -> str:
    return reverse("tracking:lookup")  # the URLconf is fixed for the process


def append_transition(
    dossier: Dossier,
    *,
    action: str,
    to_status: int,
    actor: Any,
    agency: Agency,
    at: datetime,
    note: str = "",
    public_note: str = "",
    step_due_at: datetime | None = None,
    data: dict[str, Any] | None = None,
    first: bool = False,
    last_seq: int | None = None,
    then: tuple[str, Sequence[Any]] | None = None,
) -> DossierTransition:
    """Append one history row and move the status. The caller holds the dossier's row lock;
    `first` says the dossier was created in this transaction (no history to read), `last_seq`
    that the caller already read the last row's seq under that lock; `then`, an UPDATE sent in
    the same round trip (`core.sql.insert_returning_pk`)."""
    if first:
        last = 0
    elif last_seq is not None:
        last = last_seq
    else:
        last = dossier.transitions.aggregate(last=Max("seq"))["last"] or 0
    transition = DossierTransition(
        dossier=dossier,
        seq=last + 1,
        action=action,
        from_status=dossier.status if last else None,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        agency=agency,
        at=at,
        note=note,
        public_note=public_note,
        step_due_at=step_due_at,
        data=data or {},
    )
    insert_returning_pk(transition, then=then)  # compiled once, not per move (core.sql)
    dossier.status = to_status
    return transition


def lock_dossier(dossier: Dossier) -> Dossier:
    """The dossier's row, locked until the transaction ends (only that row: `of`), with its
    procedure version and agencies read in the same statement."""
    # One prepared statement (core.sql): compiling this SELECT through the ORM on every move cost
    # more than a third of the move.
    return get_with_related(Dossier, dossier.pk, related=_LOCKED_WITH, lock=True)


_LOCKED_WITH = ("procedure_version", "receiving_agency", "handling_agency", "current_agency")


# --- Submission ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    applicant: dict[str, Any]
    answers: dict[str, Any]
    receiving: Agency
    fee_total: Decimal


def _validate(draft: Draft) -> tuple[CleanResult, CleanResult]:
    applicant = validate_answers(APPLICANT_SCHEMA, {APPLICANT_GROUP: draft.applicant})
    return applicant, validate_answers(draft.procedure_version.eform_schema, draft.answers)


def check_draft_complete(
    draft: Draft,
    validated: tuple[CleanResult, CleanResult] | None = None,
    attachments: Sequence[DraftAttachment] | None = None,
) -> list[tuple[str, str]]:
    """Everything still missing before submission, as (where, message) for the check page;
    `attachments`, the draft's as the caller already read them."""
    problems: list[tuple[str, str]] = []
    applicant, answers = validated or _validate(draft)
    problems += [("nguoi_nop", message) for _, message in applicant.errors[:1]]
    schema = draft.procedure_version.eform_schema
    problems += [
        (path.split(".")[0].split("[")[0], f"{describe_path(schema, path)}: {message}")
        for path, message in answers.errors
    ]
    if draft.receiving_agency_id is None or not draft.delivery_option:
        problems.append(("noi_nop", "Chưa chọn nơi nộp hồ sơ và hình thức nhận kết quả."))
    if attachments is None:
        attachments = list(draft.attachments.all())
    attached = {a.required_document_id for a in attachments}
    for document in _required_documents(draft.procedure_version_id):
        if document.required and document.pk not in attached:
            problems.append(("giay_to", f"Chưa đính kèm: {document.name}"))
    return problems


def _required_documents(version_id: int) -> list[RequiredDocument]:
    # Prepared (core.sql): read on every draft page and every submission.
    return all_where(
        RequiredDocument, "t0.version_id = %s", [version_id], order_by='t0."order", t0.id'
    )


def describe_path(schema: dict[str, Any], path: str) -> str:
    """`tre[0].ngay_sinh` → "Trẻ được khai sinh (1) — Ngày, tháng, năm sinh" for messages."""
    group_part, _, field_key = path.partition(".")
    group_key, _, index = group_part.partition("[")
    for group in schema.get("groups", []):
        if group["key"] != group_key:
            continue
        title = group.get("title", group_key)
        if index:
            title = f"{title} ({int(index.rstrip(']')) + 1})"
        labels = {spec["key"]: spec.get("label", spec["key"]) for spec in group["fields"]}
        return f"{title} — {labels[field_key]}" if field_key in labels else title
    return path or "Tờ khai"


def _check_submission(draft: Draft, attachments: Sequence[DraftAttachment]) -> _Checked:
    version = draft.procedure_version
    check_can_file_online(version)
    if draft.declared_at is None:
        raise DomainError("Vui lòng xác nhận lời cam đoan trước khi nộp.", field="declaration")
    validated = _validate(draft)
    problems = check_draft_complete(draft, validated, attachments)
    if problems:
        raise DomainError(problems[0][1], code="incomplete", field=problems[0][0])
    # The agency was read with the locked draft, in this transaction.
    receiving = draft.receiving_agency
    if receiving is None or not accepts_online(version, receiving):
        raise DomainError("Nơi nộp hồ sơ không còn tiếp nhận thủ tục này.", field="noi_nop")
    applicant, answers = (result.cleaned for result in validated)
    fee_total = quote_fees(version, answers).total
    return _Checked(applicant[APPLICANT_GROUP], answers, receiving, fee_total)


def draft_payment_reference(draft: Draft) -> str:
    return f"draft:{draft.pk}"


def _paid_online(draft: Draft, fee_total: Decimal) -> Decimal:
    """The amount paid online for this draft (0 when nothing is due or nothing was paid).
    Decree 224/2026 Art. 15(đ): a toàn trình service with fees is paid online before submission."""
    from chinhquyen.payments.queries import paid_payment_for_reference

    payment = paid_payment_for_reference(draft_payment_reference(draft))
    paid = payment.amount if payment is not None else Decimal(0)
    # Paid, then answers changed so the fee changed (even to nothing): the money is not silently
    # dropped or mis-recorded; the one-stop office settles it.
    if paid > 0 and paid != fee_total:
        raise DomainError(
            f"Phí, lệ phí đã thay đổi sau khi thanh toán (đã thanh toán {paid:,.0f} đồng, phải"
            f" nộp {fee_total:,.0f} đồng). Vui lòng sửa lại tờ khai như lúc thanh toán hoặc liên"
            " hệ Bộ phận Một cửa để được hoàn tiền.".replace(",", "."),
            code="payment_mismatch",
        )
    online_full = draft.procedure_version.online_level == OnlineLevel.FULL
    if fee_total > 0 and online_full and paid == 0:
        raise DomainError(
            "Thủ tục này cần thanh toán phí, lệ phí trực tuyến trước khi nộp hồ sơ.",
            code="payment_required",
            field="payment",
        )
    return paid


def do_submit_draft(
    draft: Draft,
    *,
    acting_user: Any,
    declaration: bool | None = None,
    now: datetime | None = None,
) -> Dossier:
    """Create the dossier from the draft: status 1 "Mới đăng ký", channel 2 (online), code from
    the receiving agency's daily counter (Decree 61/2018 Art. 26), documents from the
    attachments, the first transition, the audit row and the confirmation messages — all in one
    transaction, so a crash leaves either the whole dossier or nothing. `declaration` (the
    applicant's "cam đoan" sent with the submission) is recorded in that same transaction;
    None submits a draft declared earlier (`drafts.do_declare`)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked, attachments = _lock_draft(draft)
        if locked.state == Draft.State.SUBMITTED:
            raise Conflict("Hồ sơ này đã được nộp.", code="already_submitted")
        if locked.state != Draft.State.OPEN:
            raise Conflict("Hồ sơ nháp này đã bị hủy.", code="draft_closed")
        if declaration is False:
            raise DomainError(
                "Vui lòng xác nhận lời cam đoan trước khi nộp hồ sơ.", field="declaration"
            )
        if declaration:
            locked.declared_at = now
        checked = _check_submission(locked, attachments)
        paid = _paid_online(locked, checked.fee_total)
        templates = _templates_in_force("dossier.submitted", checked.applicant, now)
        # From here the receiving agency's counter row is locked until commit (ADR 0009): only
        # the writes follow, and the audit row (the system-wide chain head lock) comes last.
        dossier = _create_dossier(locked, checked, paid, now)
        _copy_attachments(locked, attachments, dossier, now)
        locked.state = Draft.State.SUBMITTED
        locked.dossier = dossier
        append_transition(
            dossier,
            action="submit",
            to_status=Status.SUBMITTED,
            actor=acting_user,
            agency=checked.receiving,
            at=now,
            public_note="Hồ sơ đã được nộp trực tuyến, đang chờ tiếp nhận.",
            first=True,
            # The draft's new state rides with the first transition (one round trip).
            then=update_statement(locked, ["state", "dossier", "declared_at", "updated_at"]),
        )
        notify_applicant(
            dossier, "dossier.submitted", extra={"ngay_nop": now}, seq=1, templates=templates
        )
        record_audit(
            "dossiers.submit", actor=acting_user, obj=dossier, after={"code": dossier.code}
        )
    return dossier


def _create_dossier(draft: Draft, checked: _Checked, paid: Decimal, now: datetime) -> Dossier:
    applicant = checked.applicant
    kind = _KINDS.get(applicant.get("kind", "citizen"), ApplicantKind.CITIZEN)
    id_number = applicant.get("enterprise_code") or applicant.get("personal_id") or ""
    commune = applicant.get("commune")
    unit = None
    if commune:  # often not given: then there is nothing to look up
        unit = first_where(
            AdministrativeUnit,
            "t0.code = %s AND t0.valid_to IS NULL",
            [commune],
            order_by="t0.level, t0.name",  # the model's ordering, as `.first()` uses it
        )
    version = draft.procedure_version
    handling = handling_agency_for(version, checked.receiving)  # before the counter's lock
    dossier = Dossier(
        # The agency was loaded (active, receiving this procedure) in this transaction.
        code=next_dossier_code(checked.receiving, at=now, agency_checked=True),
        procedure_version=version,
        receiving_agency=checked.receiving,
        handling_agency=handling,
        channel=Channel.ONLINE,
        status=Status.SUBMITTED,
        applicant_id=draft.owner_id,
        applicant_kind=kind,
        applicant_name=applicant["full_name"],
        applicant_id_number=id_number,
        organisation_name=applicant.get("organisation_name", ""),
        applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""),
        applicant_address=applicant.get("address", ""),
        applicant_unit=unit,
        answers=checked.answers,
        delivery_option=draft.delivery_option,
        delivery_address=draft.delivery_address,
        fee_total=checked.fee_total,
        paid_online=OnlinePayment.LOCAL_GATEWAY if paid > 0 else None,
        paid_amount=paid,
        submitted_at=now,
    )
    dossier.fill_search_name()  # what Dossier.save() does before writing
    insert_returning_pk(dossier)  # prepared (core.sql): Dossier.objects.create compiled per call
    return dossier


_DRAFT_WITH = ("procedure_version", "procedure_version__procedure", "receiving_agency")


def _lock_draft(draft: Draft) -> tuple[Draft, list[DraftAttachment]]:
    """The draft, row-locked (only its own row), with what submission reads of it in the same
    statement (the version and its procedure, the chosen agency), then its attachments with
    their required documents. Prepared statements (core.sql): through the ORM these two reads
    were a fifth of a submission's CPU."""
    locked = get_with_related(Draft, draft.pk, related=_DRAFT_WITH, lock=True)
    attachments = all_where(
        DraftAttachment,
        "t0.draft_id = %s",
        [Draft._meta.pk.get_db_prep_value(locked.pk, connection)],
        related=("required_document",),
        order_by="t0.added_at, t0.id",  # the model's ordering within one draft
    )
    return locked, attachments


def _copy_attachments(
    draft: Draft, attachments: Sequence[DraftAttachment], dossier: Dossier, now: datetime
) -> None:
    insert_many([  # one statement for all the documents, prepared (core.sql)
        DossierDocument(
            dossier=dossier,
            role=DocumentRole.SUBMITTED,
            required_document=attachment.required_document,
            name=attachment.required_document.name[:500],
            file_id=attachment.file_id,
            reused_from_id=attachment.reused_from_id,
            added_by_id=draft.owner_id,
            added_at=now,
        )
        for attachment in attachments
    ])  # fmt: skip


def _templates_in_force(
    code: str, applicant: dict[str, Any], now: datetime
) -> dict[str, MessageTemplate]:
    """The templates of the messages the applicant will get, read before the code counter's
    lock is taken (one round trip less under it, ADR 0009)."""
    on = timezone.localdate(now)
    addresses = (("email", applicant.get("email")), ("sms", applicant.get("phone")))
    return {channel: active_template(code, channel, on=on) for channel, to in addresses if to}


def notify_applicant(
    dossier: Dossier,
    code: str,
    *,
    extra: dict[str, Any] | None = None,
    seq: int | None = None,
    templates: dict[str, MessageTemplate] | None = None,
) -> None:
    """Queue the e-mail and SMS of one event to the applicant's addresses (outbox, same
    transaction; deduplicated per dossier, event and channel); `templates`, by channel, when
    the caller read them already."""
    context = {
        "ho_ten": dossier.applicant_name,
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": dossier.procedure_version.name,
        "co_quan": dossier.receiving_agency.name,
        "duong_dan_tra_cuu": tracking_url(dossier.code),
        **(extra or {}),
    }
    if seq is None:
        seq = dossier.transitions.aggregate(last=Max("seq"))["last"] or 0
    for channel, address in (("email", dossier.applicant_email), ("sms", dossier.applicant_phone)):
        if address:
            do_enqueue_notification(
                code,
                channel,
                address,
                context,
                dedupe_key=f"dossier:{dossier.code}:{seq}:{code}:{channel}",
                # TT 01/2018 Art. 17: the citizen follows the dossier by its code; the e-mail
                # carries the same QR code to the tracking page as the receipt.
                qr_link=context["duong_dan_tra_cuu"],
                template=(templates or {}).get(channel),
            )


# --- The citizen's later acts -------------------------------------------------------------------


def _check_owner(dossier: Dossier, acting_user: Any) -> None:
    if dossier.applicant_id != getattr(acting_user, "pk", None):
        raise DomainError("Chỉ người nộp hồ sơ mới thực hiện được thao tác này.", code="forbidden")


WITHDRAWABLE = frozenset(
    {Status.SUBMITTED, Status.ACCEPTED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED,
     Status.PAYMENT_REQUESTED}
)  # fmt: skip


def do_withdraw_dossier(dossier: Dossier, *, acting_user: Any, reason: str) -> Dossier:
    """The citizen withdraws (status 7). Decree 118/2025 Art. 21: possible while no decision or
    result has been issued."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Vui lòng nêu lý do rút hồ sơ.", field="reason")
    with transaction.atomic():
        locked = lock_dossier(dossier)
        _check_owner(locked, acting_user)
        if locked.status not in WITHDRAWABLE:
            raise Conflict(
                "Hồ sơ đã có kết quả hoặc đã kết thúc, không rút được nữa.", code="not_withdrawable"
            )
        now = timezone.now()
        append_transition(
            locked,
            action="withdraw",
            to_status=Status.WITHDRAWN,
            actor=acting_user,
            agency=locked.handling_agency,
            at=now,
            note=reason[:1000],
            public_note="Người nộp đã rút hồ sơ.",
        )
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at"])
        record_audit("dossiers.withdraw", actor=acting_user, obj=locked, after={"reason": reason})
    return locked


@dataclass(frozen=True)
class SupplementFile:
    name: str
    content: bytes
    filename: str


def do_submit_supplement(
    dossier: Dossier, files: list[SupplementFile], *, acting_user: Any, note: str = ""
) -> Dossier:
    """The citizen answers a supplement request; the dossier returns to where it was (waiting for
    reception, or back with the handling agency, whose time limit restarts — Art. 19(4))."""
    if not files:
        raise DomainError("Vui lòng đính kèm giấy tờ bổ sung.", field="files")
    checked = [
        (item, check_upload(item.content, filename=item.filename, max_bytes=max_upload_bytes()))
        for item in files
    ]
    with transaction.atomic():
        locked = lock_dossier(dossier)
        _check_owner(locked, acting_user)
        if locked.status != Status.SUPPLEMENT_REQUESTED:
            raise Conflict("Hồ sơ không ở trạng thái chờ bổ sung.", code="bad_state")
        request = locked.transitions.filter(action="request_supplement").order_by("-seq").first()
        resume = request.from_status if request and request.from_status else Status.SUBMITTED
        now = timezone.now()
        for item, upload in checked:
            stored = do_store_file(item.content, upload, uploaded_by=acting_user)
            DossierDocument.objects.create(
                dossier=locked,
                role=DocumentRole.SUPPLEMENT,
                name=(item.name.strip() or upload.safe_name)[:500],
                file=stored,
                added_by=acting_user,
                added_at=now,
            )
        append_transition(
            locked,
            action="submit_supplement",
            to_status=resume,
            actor=acting_user,
            agency=locked.handling_agency,
            at=now,
            note=note.strip()[:1000],
            public_note="Người nộp đã bổ sung hồ sơ.",
            data=_restarted(locked, resume, now) | {"files": len(checked)},
        )
        locked.save(update_fields=["status", "due_at", "step_due_at"])
        record_audit("dossiers.submit_supplement", actor=acting_user, obj=locked)
    return locked


def _restarted(dossier: Dossier, resume: int, now: datetime) -> dict[str, Any]:
    """Decree 61/2018 Art. 19(4): with the complete supplement the time limit counts again from
    the start (not while the dossier still waits for reception)."""
    if resume == Status.SUBMITTED:
        return {}
    from chinhquyen.dossiers.handling import restart_time_limit  # handling builds on actions

    restart_time_limit(dossier, now)
    return {"due_at": dossier.due_at.isoformat() if dossier.due_at else None}


RATEABLE = frozenset({Status.DONE, Status.RETURNED, Status.REFUSED})


def do_rate_dossier(
    dossier: Dossier, *, acting_user: Any, score: int, comment: str = ""
) -> DossierRating:
    """Decree 61/2018 Art. 29: the citizen rates the service once the dossier has an outcome."""
    if score not in range(1, 6):
        raise DomainError("Vui lòng chọn mức đánh giá từ 1 đến 5.", field="score")
    with transaction.atomic():
        locked = lock_dossier(dossier)
        _check_owner(locked, acting_user)
        if locked.status not in RATEABLE:
            raise Conflict("Chỉ đánh giá được khi hồ sơ đã có kết quả.", code="bad_state")
        if DossierRating.objects.filter(dossier=locked).exists():
            raise Conflict("Hồ sơ này đã được đánh giá.", code="already_rated")
        rating = DossierRating.objects.create(
            dossier=locked, score=score, comment=comment.strip()[:1000], rated_at=timezone.now()
        )
        record_audit("dossiers.rate", actor=acting_user, obj=locked, after={"score": score})
    return rating


def do_mark_paid(dossier: Dossier, amount: Decimal) -> None:
    """A payment for a submitted dossier confirmed by the gateway (called by the payment handler
    inside the payment's transaction). DuocThanhToanTrucTuyen = 2 (onestop.md §6.4)."""
    locked = lock_dossier(dossier)
    locked.paid_amount = amount
    locked.paid_online = OnlinePayment.LOCAL_GATEWAY
    locked.save(update_fields=["paid_amount", "paid_online"])
