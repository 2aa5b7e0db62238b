"""Electronic results: the leader's personal signature on the draft at the final approval, the
competent agency's organisation signature over it when the clerk issues the result, and its
delivery to the applicant's personal data store (Decree 61/2018 Art. 19–20; Decree 45/2020
Art. 14, 16; Decree 30/2020 Art. 32–33; onestop.md §5.3; ADR 0018 "Electronic results").

Signing happens through `signing.actions.do_sign_document` BEFORE the dossier's transaction, so
a wrong second-factor code is counted even though nothing is recorded; before anyone signs, the
officer's right to take the action now (`available_actions`) and the page's `expected_seq` are
checked, so nobody signs for nothing. The signed bytes then go into `do_transition_dossier`."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.files import read_file
from chinhquyen.dossiers.actions import append_transition, lock_dossier
from chinhquyen.dossiers.handling import (
    PaperDocument,
    SignedPdf,
    available_actions,
    check_signed_draft_current,
    do_transition_dossier,
    last_seq,
    signed_draft_of,
)
from chinhquyen.dossiers.models import (
    DocumentRole,
    Dossier,
    DossierDocument,
    DossierTransition,
    Status,
)
from chinhquyen.dossiers.process import ACTIONS, StepKind, process_for, verdict_of
from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import DeliveryOption
from chinhquyen.signing import pades
from chinhquyen.signing.actions import do_sign_document
from chinhquyen.signing.appearance import BlockPlacement
from chinhquyen.signing.models import SigningCertificate

# Decree 30/2020 App. I: the signature block of a result sits at the right of page 1 under the
# title line; result templates leave this block free (A4, PDF points).
RESULT_PLACEMENT = BlockPlacement(centre_x=420, title_baseline_y=300, name_baseline_y=190)

STALE = (
    "Hồ sơ đã được xử lý bởi người khác. Vui lòng tải lại hồ sơ để xem trạng thái mới nhất"
    " trước khi ký số."
)


def signing_level() -> pades.Level:
    """PAdES B-T when a time-stamping authority is configured, B-B otherwise."""
    return "B-T" if settings.SIGNING_TSA_URL else "B-B"


def personal_certificates(user: Any) -> QuerySet[SigningCertificate]:
    """The leader's own active personal certificates, for the approval's sign form."""
    now = timezone.now()
    return SigningCertificate.objects.filter(
        purpose=SigningCertificate.Purpose.PERSONAL,
        owner_user_id=getattr(user, "pk", None),
        is_active=True,
        not_before__lte=now,
        not_after__gt=now,
    ).order_by("label", "pk")


def organisation_certificates(agency: Agency) -> QuerySet[SigningCertificate]:
    """The competent agency's active organisation certificates, for the clerk's sign form."""
    now = timezone.now()
    return SigningCertificate.objects.filter(
        purpose=SigningCertificate.Purpose.ORGANISATION,
        owner_agency=agency,
        is_active=True,
        not_before__lte=now,
        not_after__gt=now,
    ).order_by("label", "pk")


def newest_draft(dossier: Dossier) -> DossierDocument | None:
    drafts = dossier.documents.filter(role=DocumentRole.RESULT_DRAFT).select_related("file")
    return drafts.order_by("-pk").first()


def _check_may(dossier: Dossier, action: str, user: Any, expected_seq: int) -> None:
    if action not in available_actions(dossier, user):
        raise DomainError(
            f"Bạn không thực hiện được “{ACTIONS[action].label}” trên hồ sơ này lúc này.",
            code="forbidden",
        )
    if expected_seq != last_seq(dossier):
        raise Conflict(STALE, code="already_handled")


def _pdf(content: bytes) -> bytes:
    if not content.startswith(b"%PDF-"):
        raise DomainError(
            "Dự thảo kết quả phải là tệp PDF để ký số.", code="not_pdf", field="result_draft"
        )
    return content


def _stored_pdf(document: DossierDocument) -> bytes:
    """The draft's bytes, refused when they no longer match the SHA-256 stored with them."""
    try:
        content = read_file(document.file)
    except OSError:
        content = b""
    if hashlib.sha256(content).hexdigest() != document.file.sha256:
        raise DomainError(
            "Tệp dự thảo kết quả không còn nguyên vẹn (không khớp mã băm khi lưu).",
            code="draft_changed",
        )
    return _pdf(content)


def is_final_approval(dossier: Dossier) -> bool:
    """The dossier waits for the last approval (the one whose leader signs the draft)."""
    process = process_for(dossier.procedure_version)
    if process.current(dossier.step).kind != StepKind.APPROVAL:
        return False
    following = process.after(dossier.step)
    return following is None or following.kind != StepKind.APPROVAL


def _check_final_approval(dossier: Dossier) -> None:
    if not is_final_approval(dossier):
        raise DomainError(
            "Chỉ lãnh đạo phê duyệt cuối cùng mới ký số dự thảo kết quả.", code="not_final"
        )


def do_approve_and_sign(
    dossier: Dossier,
    *,
    acting_user: Any,
    expected_seq: int,
    certificate: SigningCertificate,
    second_factor_code: str,
    note: str = "",
    result_draft: PaperDocument | None = None,
    source_address: str = "",
    pin: str | None = None,
    now: datetime | None = None,
) -> DossierTransition:
    """The final approval with the leader's personal signature on the draft (the one brought
    now, `result_draft`, or the newest stored). The row records the signed copy's document id,
    SHA-256 and the certificate's fingerprint."""
    _check_may(dossier, "approve", acting_user, expected_seq)
    _check_final_approval(dossier)
    if certificate.purpose != SigningCertificate.Purpose.PERSONAL:
        raise DomainError(
            "Lãnh đạo ký dự thảo bằng chứng thư số cá nhân.",
            code="not_personal",
            field="certificate",
        )
    if result_draft is not None:
        pdf, source = _pdf(result_draft.content), None
    else:
        draft = newest_draft(dossier)
        if draft is None:
            raise DomainError(
                "Hồ sơ chưa có dự thảo kết quả để ký số.", code="no_draft", field="result_draft"
            )
        pdf, source = _stored_pdf(draft), draft.pk
    signed = do_sign_document(
        pdf,
        certificate=certificate,
        acting_user=acting_user,
        second_factor_code=second_factor_code,
        placement=RESULT_PLACEMENT,
        level=signing_level(),
        source_address=source_address,
        pin=pin,
        document_name=f"Dự thảo kết quả hồ sơ {dossier.code}",
    )
    copy = PaperDocument(
        "Dự thảo kết quả (lãnh đạo đã ký số)", signed, f"du-thao-{dossier.code}.pdf"
    )
    return do_transition_dossier(
        dossier,
        "approve",
        acting_user=acting_user,
        expected_seq=expected_seq,
        note=note,
        now=now,
        result_draft=result_draft,
        signed_draft=SignedPdf(copy, source, certificate.fingerprint_sha256),
    )


def _signed_draft(dossier: Dossier) -> tuple[DossierDocument, dict[str, Any]]:
    signed = signed_draft_of(dossier) or {}
    document_id = signed.get("document")
    document = (
        dossier.documents.select_related("file")
        .filter(pk=document_id, role=DocumentRole.RESULT_DRAFT)
        .first()
        if isinstance(document_id, int)
        else None
    )
    if document is None:
        raise DomainError(
            "Dự thảo kết quả chưa có chữ ký số của lãnh đạo phê duyệt: chưa phát hành được kết"
            " quả điện tử.",
            code="person_signature_missing",
        )
    return document, signed


def _check_organisation(dossier: Dossier, certificate: SigningCertificate) -> None:
    """Decree 30/2020 Art. 33: the result bears the signature of the competent agency itself."""
    agency = dossier.handling_agency
    if (
        certificate.purpose != SigningCertificate.Purpose.ORGANISATION
        or certificate.owner_agency_id != agency.pk
    ):
        raise DomainError(
            f"Kết quả phải mang chữ ký số của cơ quan giải quyết ({agency.name}).",
            code="wrong_agency",
            field="certificate",
        )


def do_issue_electronic_result(
    dossier: Dossier,
    *,
    acting_user: Any,
    expected_seq: int,
    certificate: SigningCertificate,
    second_factor_code: str,
    note: str = "",
    source_address: str = "",
    pin: str | None = None,
    now: datetime | None = None,
) -> DossierTransition:
    """The clerk applies the competent agency's organisation signature over the leader-signed
    draft; the PDF (person + organisation) is the result, accepted, in the applicant's store."""
    _check_may(dossier, "record_result", acting_user, expected_seq)
    _check_organisation(dossier, certificate)
    draft, signed = _signed_draft(dossier)
    check_signed_draft_current(dossier, draft.pk)
    pdf = _stored_pdf(draft)
    if hashlib.sha256(pdf).hexdigest() != signed.get("sha256"):
        raise DomainError(
            "Dự thảo kết quả đã thay đổi sau khi lãnh đạo ký số: cần lãnh đạo phê duyệt, ký lại.",
            code="draft_changed",
        )
    sealed = do_sign_document(
        pdf,
        certificate=certificate,
        acting_user=acting_user,
        second_factor_code=second_factor_code,
        placement=RESULT_PLACEMENT,
        level=signing_level(),
        source_address=source_address,
        pin=pin,
        document_name=f"Kết quả giải quyết hồ sơ {dossier.code}",
    )
    result = SignedPdf(
        PaperDocument("Kết quả giải quyết (bản điện tử)", sealed, f"ket-qua-{dossier.code}.pdf"),
        draft.pk,
        certificate.fingerprint_sha256,
        person_fingerprint=str(signed.get("certificate_fingerprint") or ""),
    )
    now = now or timezone.now()
    with transaction.atomic():
        transition = do_transition_dossier(
            dossier, "record_result", acting_user=acting_user, expected_seq=expected_seq,
            note=note, now=now, electronic=result,
        )  # fmt: skip
        if delivered_online(dossier):
            deliver_to_data_store(dossier, now)
    return transition


SIGNED_ACTIONS = ("approve", "record_result")


def do_signed_action(
    dossier: Dossier, action: str, *, result_draft: PaperDocument | None = None, **common: Any
) -> DossierTransition:
    """ "Ký số" from the page or the API: the leader's signature at the final approval, or the
    competent agency's over it when the result is issued (`common`: the keyword arguments both
    take)."""
    if action == "approve":
        return do_approve_and_sign(dossier, result_draft=result_draft, **common)
    if action == "record_result":
        return do_issue_electronic_result(dossier, **common)
    raise DomainError("Thao tác này không có bước ký số.", code="not_signed")


def delivered_online(dossier: Dossier) -> bool:
    """The applicant chose online delivery and has an account, so a personal data store (Decree
    45/2020 Art. 16) to receive it; without one the one-stop office returns it as usual."""
    return dossier.delivery_option == DeliveryOption.ONLINE and dossier.applicant_id is not None


def deliver_to_data_store(dossier: Dossier, now: datetime) -> DossierTransition:
    """ADR 0018 "Electronic results": the applicant chose to receive the result online and the
    result is the signed electronic document, now in their personal data store (Decree 45/2020
    Art. 14, 16; Decree 61/2018 Art. 20: results are returned at the counter "or online"). That
    is the return: status 10, recorded as the system's own `return_result` row."""
    locked = lock_dossier(dossier)
    step = process_for(locked.procedure_version).return_step
    row: dict[str, Any] = {"step": step.code, "closes_step": True, "delivered": "data_store"}
    if locked.step_due_at is not None:
        row["verdict"] = verdict_of(now, locked.step_due_at)
    transition = append_transition(
        locked,
        action="return_result",
        to_status=Status.RETURNED,
        actor=None,
        agency=locked.receiving_agency,
        at=now,
        public_note="Kết quả điện tử đã được gửi vào kho dữ liệu điện tử của người nộp.",
        step_due_at=locked.step_due_at,
        data=row,
    )
    locked.step, locked.step_due_at, locked.returned_at = "", None, now
    locked.save(update_fields=["status", "step", "step_due_at", "returned_at"])
    record_audit(
        "dossiers.return_result",
        actor=None,
        obj=locked,
        after={"seq": transition.seq, "status": locked.status, "delivered": "data_store"},
    )
    return transition
