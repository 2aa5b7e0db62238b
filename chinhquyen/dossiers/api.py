"""The citizen's online service as JSON (issue #3 §8): drafts filled step by step, files attached,
submission; the citizen's own dossiers with their history, withdrawal; and the public tracking of
a dossier by its code. Every object is loaded through `queries.access_*`, so another person's
draft or dossier is a 404, never a 403 that would reveal that it exists.

Thin by design: parse, load, call one action from `drafts`/`actions`, shape the answer."""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from datetime import datetime
from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Path, Query, Router
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from ninja.responses import Status as Reply

from chinhquyen.core.apiauth import ErrorOut, citizen_session
from chinhquyen.core.errors import DomainError
from chinhquyen.core.middleware import client_address
from chinhquyen.dossiers import actions, drafts, obligations, queries
from chinhquyen.dossiers.api_schemas import (
    MAX_ID,
    ApplicantIn,
    AttachmentOut,
    DossierListOut,
    DossierOut,
    DraftIn,
    DraftListOut,
    DraftOut,
    GroupIn,
    InvalidOut,
    ObligationPaymentIn,
    PageQuery,
    PaymentIn,
    PaymentStartOut,
    ReceptionIn,
    SubmitIn,
    SubmittedOut,
    TrackingOut,
    WithdrawIn,
)
from chinhquyen.dossiers.lookup_throttle import do_record_lookup_failure
from chinhquyen.dossiers.models import Dossier, DossierDocument, Draft, Shipment, Status
from chinhquyen.dossiers.routing import receiving_choices
from chinhquyen.org.models import User
from chinhquyen.payments.actions import do_start_payment
from chinhquyen.procedures.eform import validate_answers
from chinhquyen.procedures.fees import quote_fees
from chinhquyen.procedures.models import DeliveryOption, ProcedureVersion
from chinhquyen.procedures.search import catalogue_version

drafts_router = Router(tags=["drafts"], auth=citizen_session)
dossiers_router = Router(tags=["dossiers"], auth=citizen_session)
tracking_router = Router(tags=["tracking"], auth=None)

MAX_CODE_LENGTH = queries.MAX_CODE_LENGTH
# A group of answers is a page of a form: a few kilobytes. Anything far larger is not a form.
MAX_ANSWER_BYTES = 256 * 1024
MAX_ANSWER_DEPTH = 6
# Multipart framing around the file (boundaries, headers, the other field).
_MULTIPART_ENVELOPE = 64 * 1024


class PayloadTooLarge(DomainError):
    status = 413


# --- Input hygiene --------------------------------------------------------------------------------
# NUL characters and non-finite numbers are refused for every router (`core.apiparser`); what is
# left here is what a form never is.


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    return 0


def check_form_shaped(value: Any, *, field: str) -> None:
    """A group of answers is a few levels deep (group, instances, a multiple choice)."""
    if _depth(value) > MAX_ANSWER_DEPTH:
        raise DomainError(
            "Nội dung tờ khai lồng nhiều cấp bất thường, không hợp lệ.",
            code="invalid_value",
            field=field,
        )


# --- Shaping answers ------------------------------------------------------------------------------


def _procedure_ref(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "national_code": version.procedure.national_code,
        "version": version.version,
        "name": version.name,
    }


def _summary(draft: Draft) -> dict[str, Any]:
    return {
        "id": draft.pk,
        "state": draft.state,
        "procedure": _procedure_ref(draft.procedure_version),
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }


def _reception(draft: Draft) -> dict[str, Any]:
    version = draft.procedure_version
    labels = dict(DeliveryOption.choices)
    return {
        "receiving_agency": draft.receiving_agency,
        "delivery_option": draft.delivery_option,
        "delivery_address": draft.delivery_address,
        "agency_choices": [
            {"id": agency.pk, "label": drafts.receiving_agency_label(agency)}
            for agency in receiving_choices(version)
        ],
        "delivery_choices": [
            {"key": key, "label": str(labels.get(key, key))}
            for key in version.delivery_options or []
        ],
    }


def _attachment(attachment: Any) -> dict[str, Any]:
    stored = attachment.file
    return {
        "id": attachment.pk,
        "required_document_id": attachment.required_document_id,
        "name": stored.display_name,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
        "page_count": stored.page_count,
        "reused": attachment.reused_from_id is not None,
        "added_at": attachment.added_at,
    }


def fee_quote(draft: Draft) -> dict[str, Any]:
    """The fees for the answers as they stand: final once the form is valid (the same figure
    `do_submit_draft` records), an estimate before."""
    version = draft.procedure_version
    checked = validate_answers(version.eform_schema, draft.answers)
    quote = quote_fees(version, checked.cleaned if checked.ok else draft.answers)
    return {
        "total": int(quote.total),
        "estimated": quote.estimated or not checked.ok,
        "lines": [
            {
                "kind": line.kind,
                "name": line.name,
                "unit_amount": int(line.unit_amount),
                "quantity": line.quantity,
                "amount": int(line.amount),
                "estimated": line.estimated,
            }
            for line in quote.lines
        ],
    }


def draft_data(draft: Draft) -> dict[str, Any]:
    attachments = list(draft.attachments.select_related("file"))
    needs = draft.procedure_version.documents.order_by("order")
    counts = Counter(attachment.required_document_id for attachment in attachments)
    open_draft = draft.state == Draft.State.OPEN
    return {
        **_summary(draft),
        "applicant": draft.applicant,
        "answers": draft.answers,
        "reception": _reception(draft),
        "documents": [
            {
                "id": doc.pk,
                "name": doc.name,
                "required": doc.required,
                "attached": counts.get(doc.pk, 0),
            }
            for doc in needs
        ],
        "attachments": [_attachment(attachment) for attachment in attachments],
        "problems": [
            {"where": where, "message": message}
            for where, message in (actions.check_draft_complete(draft) if open_draft else [])
        ],
        "fees": fee_quote(draft),
        "declared_at": draft.declared_at,
        "dossier_code": draft.dossier.code if draft.dossier is not None else None,
    }


def _dossier_summary(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "procedure": _procedure_ref(dossier.procedure_version),
        "status": dossier.status,
        "status_label": str(Status(dossier.status).label),
        "handling_agency": dossier.handling_agency.name,
        "submitted_at": dossier.submitted_at,
        "due_at": dossier.due_at,
    }


def _document(document: DossierDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "role": document.role,
        "name": document.name,
        "file_name": document.file.display_name,
        "content_type": document.file.content_type,
        "size": document.file.size,
        "sha256": document.file.sha256,
        "added_at": document.added_at,
    }


def _history(dossier: Dossier) -> list[dict[str, Any]]:
    # `note` is the officers' own record; the citizen sees `public_note` (their notice).
    return [
        {
            "seq": step.seq,
            "at": step.at,
            "action": step.action,
            "label": queries.PUBLIC_ACTIONS.get(step.action, str(Status(step.to_status).label)),
            "status": step.to_status,
            "status_label": str(Status(step.to_status).label),
            "agency": step.agency.name,
            "note": step.public_note,
        }
        for step in dossier.transitions.select_related("agency").order_by("seq")
    ]


def dossier_data(dossier: Dossier) -> dict[str, Any]:
    documents = queries.citizen_documents(dossier)
    return {
        **_dossier_summary(dossier),
        "channel": dossier.channel,
        "receiving_agency": dossier.receiving_agency.name,
        "applicant_name": dossier.applicant_name,
        "applicant_id_number": dossier.applicant_id_number,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "applicant_address": dossier.applicant_address,
        "answers": dossier.answers,
        "delivery_option": dossier.delivery_option,
        "delivery_address": dossier.delivery_address,
        "fee_total": int(dossier.fee_total),
        "paid_amount": int(dossier.paid_amount),
        "received_at": dossier.received_at,
        "finished_at": dossier.finished_at,
        "returned_at": dossier.returned_at,
        "can_withdraw": dossier.status in actions.WITHDRAWABLE,
        "obligation": _obligation(dossier),
        "documents": [_document(document) for document in documents],
        "history": _history(dossier),
        "shipments": [_shipment(shipment) for shipment in dossier.shipments.order_by("pk")],
    }


def _obligation(dossier: Dossier) -> dict[str, Any] | None:
    obligation = obligations.open_obligation(dossier)
    if obligation is None:
        return None
    return {
        "amount": int(obligation.amount),
        "content": obligation.content,
        "requested_at": obligation.requested_at,
    }


def _shipment(shipment: Shipment) -> dict[str, Any]:
    return {
        "waybill": shipment.waybill,
        "status": shipment.status,
        "status_label": str(Shipment.Status(shipment.status).label),
        "receiver_address": shipment.receiver_address,
        "handed_over_at": shipment.created_at,
        "delivered_at": shipment.delivered_at,
    }


def _draft(request: HttpRequest, draft_id: uuid.UUID) -> Draft:
    return queries.access_draft_by_id(request.user, draft_id)


def _dossier(request: HttpRequest, code: str) -> Dossier:
    return queries.access_dossier_by_code(request.user, code)


DraftId = Path(..., description="Mã hồ sơ nháp")
DossierCode = Path(..., max_length=MAX_CODE_LENGTH, description="Mã số hồ sơ")


# --- Drafts -------------------------------------------------------------------------------------


@drafts_router.post(
    "", response={201: DraftOut, 400: ErrorOut}, summary="Lập hồ sơ nháp cho một thủ tục"
)
def create_draft(request: HttpRequest, payload: DraftIn) -> Reply[dict[str, Any]]:
    code = payload.national_code.strip()
    version = catalogue_version(code)
    if version is None:
        raise DomainError(
            "Không có thủ tục này trong danh mục đang có hiệu lực.",
            code="unknown_procedure",
            field="national_code",
        )
    draft = drafts.do_create_draft(owner=request.user, version=version)
    return Reply(201, draft_data(draft))


@drafts_router.get("", response=DraftListOut, summary="Các hồ sơ nháp đang soạn của tôi")
def list_drafts(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    mine = queries.open_drafts(request.user).select_related("procedure_version__procedure")
    items = mine[page.offset : page.offset + page.limit]
    return {"total": mine.count(), "items": [_summary(draft) for draft in items]}


@drafts_router.get("/{draft_id}", response={200: DraftOut, 404: ErrorOut}, summary="Một hồ sơ nháp")
def get_draft(request: HttpRequest, draft_id: uuid.UUID = DraftId) -> dict[str, Any]:
    return draft_data(_draft(request, draft_id))


def _invalid(errors: list[tuple[str, str]]) -> Reply[dict[str, Any]]:
    field, message = errors[0]
    return Reply(
        400,
        {
            "code": "invalid",
            "message": message,
            "field": field,
            "errors": [{"field": where, "message": text} for where, text in errors],
        },
    )


@drafts_router.put(
    "/{draft_id}/applicant",
    response={200: DraftOut, 400: InvalidOut, 404: ErrorOut, 409: ErrorOut},
    summary="Lưu thông tin người nộp",
)
def save_applicant(
    request: HttpRequest, payload: ApplicantIn, draft_id: uuid.UUID = DraftId
) -> Any:
    draft = _draft(request, draft_id)
    drafts.check_open(draft)
    values = payload.dict(exclude_none=True)
    errors = drafts.do_save_applicant(draft, values, acting_user=request.user)
    if errors:
        return _invalid(errors)
    return Reply(200, draft_data(draft))


def _group_errors(draft: Draft, group_key: str, value: Any) -> list[tuple[str, str]]:
    """The errors of one group, judged with the groups before it (a field may be shown or hidden
    by an answer on an earlier page); later pages are not this request's business."""
    groups = (draft.procedure_version.eform_schema or {}).get("groups", [])
    keys = [group.get("key") for group in groups]
    prefix = {"groups": groups[: keys.index(group_key) + 1]}
    answers = {**draft.answers, group_key: value}
    result = validate_answers(prefix, answers)
    return [
        (path, message)
        for path, message in result.errors
        if path == group_key or path.startswith((f"{group_key}.", f"{group_key}["))
    ]


@drafts_router.put(
    "/{draft_id}/answers/{group_key}",
    response={200: DraftOut, 400: InvalidOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut},
    summary="Lưu một nhóm của tờ khai",
)
def save_group(
    request: HttpRequest,
    payload: GroupIn,
    draft_id: uuid.UUID = DraftId,
    group_key: str = Path(..., max_length=60, description="Mã nhóm trong biểu mẫu"),
) -> Any:
    """The group is checked on its own (with the earlier groups it may depend on) and saved only
    when it has no error; the whole form is checked again at submission."""
    draft = _draft(request, draft_id)
    drafts.check_open(draft)
    keys = [g.get("key") for g in (draft.procedure_version.eform_schema or {}).get("groups", [])]
    if group_key not in keys:
        raise DomainError(
            "Nhóm thông tin không có trong tờ khai.", code="unknown_group", field="group_key"
        )
    if len(request.body) > MAX_ANSWER_BYTES:
        raise PayloadTooLarge(
            "Nội dung nhóm thông tin quá lớn.", code="answers_too_large", field=group_key
        )
    check_form_shaped(payload.value, field=group_key)
    errors = _group_errors(draft, group_key, payload.value)
    if errors:
        return _invalid(errors)
    drafts.do_save_group(draft, group_key, payload.value, acting_user=request.user)
    return Reply(200, draft_data(draft))


@drafts_router.put(
    "/{draft_id}/reception",
    response={200: DraftOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Chọn nơi nộp và hình thức nhận kết quả",
)
def save_reception(
    request: HttpRequest, payload: ReceptionIn, draft_id: uuid.UUID = DraftId
) -> Any:
    draft = _draft(request, draft_id)
    drafts.check_open(draft)
    drafts.do_choose_reception(
        draft,
        acting_user=request.user,
        receiving_agency_id=payload.receiving_agency_id,
        delivery_option=payload.delivery_option,
        delivery_address=payload.delivery_address,
    )
    return Reply(200, draft_data(draft))


def _too_large() -> PayloadTooLarge:
    limit = drafts.max_upload_bytes() / (1024 * 1024)
    return PayloadTooLarge(
        f"Tệp vượt quá dung lượng cho phép ({limit:g} MB).",
        code="upload_too_large",
        field="file",
    )


def _body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > drafts.max_upload_bytes() + _MULTIPART_ENVELOPE


@drafts_router.post(
    "/{draft_id}/attachments",
    response={201: AttachmentOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut},
    summary="Đính kèm một tệp cho một thành phần hồ sơ",
)
def attach(
    request: HttpRequest,
    draft_id: uuid.UUID = DraftId,
    required_document_id: int = Form(..., ge=1, le=MAX_ID, description="Thành phần hồ sơ"),
    file: UploadedFile = File(..., description="PDF, ảnh JPEG/PNG, DOCX hoặc XLSX"),  # noqa: B008
) -> Reply[dict[str, Any]]:
    """The type is judged from the content, not the name; a refused file leaves nothing behind.
    Refusals: 413 `upload_too_large`, 400 `upload_type_not_allowed`, `upload_mismatch`,
    `upload_pdf_active_content`, `upload_pdf_encrypted`, `upload_macro`, `upload_bomb`,
    `upload_corrupt`, `upload_empty`, `unknown_document`, `too_many_files`."""
    draft = _draft(request, draft_id)
    drafts.check_open(draft)
    if _body_too_large(request) or (file.size or 0) > drafts.max_upload_bytes():
        raise _too_large()
    try:
        attachment = drafts.do_attach_upload(
            draft,
            required_document_id,
            file,
            filename=file.name or "",
            acting_user=request.user,
        )
    except DomainError as refused:
        if refused.code == "upload_too_large":
            raise PayloadTooLarge(refused.message, code=refused.code, field="file") from None
        refused.field = refused.field or "file"
        raise
    return Reply(201, _attachment(attachment))


@drafts_router.delete(
    "/{draft_id}/attachments/{attachment_id}",
    response={204: None, 404: ErrorOut, 409: ErrorOut},
    summary="Gỡ một tệp đính kèm",
)
def remove_attachment(
    request: HttpRequest,
    draft_id: uuid.UUID = DraftId,
    attachment_id: int = Path(..., ge=1, le=MAX_ID, description="Mã tệp đính kèm"),
) -> Reply[None]:
    draft = _draft(request, draft_id)
    if not draft.attachments.filter(pk=attachment_id).exists():
        raise Http404("Không tìm thấy tệp đính kèm.")
    drafts.do_remove_attachment(draft, attachment_id, acting_user=request.user)
    return Reply(204, None)


@drafts_router.post(
    "/{draft_id}/submit",
    response={201: SubmittedOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Cam đoan và nộp hồ sơ",
)
def submit(
    request: HttpRequest, payload: SubmitIn, draft_id: uuid.UUID = DraftId
) -> Reply[dict[str, Any]]:
    """Records the declaration and creates the dossier (status 1, online channel) in one
    transaction, and answers with its code and tracking address; the whole dossier is at
    `GET /dossiers/{code}`. A draft is submitted once: again is 409 `already_submitted`."""
    draft = _draft(request, draft_id)
    dossier = actions.do_submit_draft(
        draft, acting_user=request.user, declaration=payload.declaration
    )
    # Answered from the objects the submission built: reading the dossier back cost as much as
    # a third of the submission (docs/benchmarks.md, "Citizens at scale").
    answer = _dossier_summary(dossier) | {
        "fee_total": int(dossier.fee_total),
        "paid_amount": int(dossier.paid_amount),
        "tracking_url": actions.tracking_url(dossier.code),
    }
    return Reply(201, answer)


@drafts_router.post(
    "/{draft_id}/payment",
    response={201: PaymentStartOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Thanh toán trực tuyến phí, lệ phí trước khi nộp",
)
def start_payment(
    request: HttpRequest, payload: PaymentIn, draft_id: uuid.UUID = DraftId
) -> Reply[dict[str, Any]]:
    """The fees follow the answers, so the form must be complete first. 400 `nothing_due` when
    nothing is owed, `payments_unavailable` when no gateway is configured; 409 `already_paid`.
    Decree 224/2026 Art. 15(đ): a toàn trình service with fees is paid before submission."""
    draft = _draft(request, draft_id)
    drafts.check_open(draft)
    version = draft.procedure_version
    checked = validate_answers(version.eform_schema, draft.answers)
    if not checked.ok:
        raise DomainError(
            "Vui lòng hoàn thành tờ khai trước khi thanh toán: phí, lệ phí tính theo tờ khai.",
            code="incomplete",
        )
    total = quote_fees(version, checked.cleaned).total
    if total <= 0:
        raise DomainError("Hồ sơ này không phải nộp phí, lệ phí.", code="nothing_due")
    payment, redirect_url = do_start_payment(
        payer=cast(User, request.user),  # citizen_session: a signed-in citizen
        reference=actions.draft_payment_reference(draft),
        amount=total,
        description=f"Phí, lệ phí: {version.name}",
        return_url=payload.return_url or reverse("submission:check", args=[draft.pk]),
        client_ip=client_address(request),
    )
    return Reply(
        201, {"payment_id": payment.pk, "amount": int(payment.amount), "redirect_url": redirect_url}
    )


# --- The citizen's dossiers ---------------------------------------------------------------------


@dossiers_router.get("", response=DossierListOut, summary="Các hồ sơ tôi đã nộp")
def list_dossiers(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    mine = queries.citizen_dossiers(request.user).select_related("procedure_version__procedure")
    items = mine[page.offset : page.offset + page.limit]
    return {
        "total": mine.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_dossier_summary(dossier) for dossier in items],
    }


@dossiers_router.get(
    "/{code}", response={200: DossierOut, 404: ErrorOut}, summary="Một hồ sơ của tôi"
)
def get_dossier(request: HttpRequest, code: str = DossierCode) -> dict[str, Any]:
    return dossier_data(_dossier(request, code))


@dossiers_router.post(
    "/{code}/withdraw",
    response={200: DossierOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Rút hồ sơ",
)
def withdraw(request: HttpRequest, payload: WithdrawIn, code: str = DossierCode) -> Any:
    """Possible while no result has been issued (Decree 118/2025 Art. 21); 409 afterwards."""
    dossier = _dossier(request, code)
    actions.do_withdraw_dossier(dossier, acting_user=request.user, reason=payload.reason)
    return Reply(200, dossier_data(_dossier(request, code)))


@dossiers_router.post(
    "/{code}/obligation-payment",
    response={201: PaymentStartOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Thanh toán trực tuyến nghĩa vụ tài chính (trạng thái 6)",
)
def start_obligation_payment(
    request: HttpRequest, payload: ObligationPaymentIn, code: str = DossierCode
) -> Reply[dict[str, Any]]:
    """The amount the office asked in status 6 (`obligation` of the dossier), paid at the
    gateway (Decree 61/2018 Art. 22, Decree 118/2025 Art. 24): send the browser to
    `redirect_url`; once paid, processing resumes. 409 `nothing_to_pay` when nothing is asked
    (or it was settled), `already_paid`; 400 `payments_unavailable` when no gateway is
    configured; 404 for anybody else's dossier."""
    dossier = _dossier(request, code)
    payment, redirect_url = obligations.do_start_obligation_payment(
        dossier,
        acting_user=request.user,
        return_url=payload.return_url or reverse("tracking:my_dossier", args=[dossier.code]),
        client_ip=client_address(request),
    )
    return Reply(
        201, {"payment_id": payment.pk, "amount": int(payment.amount), "redirect_url": redirect_url}
    )


# --- Public tracking ----------------------------------------------------------------------------


TRACKING_NOT_FOUND = "Không tìm thấy hồ sơ với mã số và 4 chữ số kiểm tra này."


def tracking_json(found: queries.PublicStatus) -> dict[str, Any]:
    """The TrackingOut document (times ISO 8601, UTC) from the lookup's result. Written out:
    `dataclasses.asdict` deep-copies every value and cost a quarter of the view; the times are
    text already, so the JSON encoder never calls back into Python for them."""
    return {
        "code": found.code,
        "procedure": found.procedure,
        "status": found.status,
        "status_label": found.status_label,
        "handling_agency": found.handling_agency,
        "submitted_at": json_time(found.submitted_at),
        "received_at": json_time(found.received_at),
        "due_at": json_time(found.due_at),
        "finished_at": json_time(found.finished_at),
        "steps": [
            {"at": json_time(step.at), "label": step.label, "agency": step.agency}
            for step in found.steps
        ],
    }


def json_time(value: datetime | None) -> str | None:
    """An aware time as Django's JSON encoder writes it (ECMA-262: milliseconds, "Z" for UTC)."""
    if value is None:
        return None
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


CHECK_MAX_LENGTH = 20
_CHECK_DESCRIPTION = "4 chữ số cuối số điện thoại hoặc số định danh"
# `check` is documented here and read in the view: declared as a `Query` parameter, django-ninja
# builds and validates a second pydantic model on every lookup, ~3 % of its CPU (valgrind's
# instruction count; issue #3 measures this endpoint against the bare JSON one). The document
# is the one ninja wrote for `Query("", max_length=20)`; a longer value is refused with the
# same 422 (tests/dossiers/test_api_tracking.py compares both).
_CHECK_PARAMETER = {
    "in": "query",
    "name": "check",
    "required": False,
    "description": _CHECK_DESCRIPTION,
    "schema": {
        "default": "",
        "description": _CHECK_DESCRIPTION,
        "maxLength": CHECK_MAX_LENGTH,
        "title": "Check",
        "type": "string",
    },
}


@tracking_router.get(
    "/{code}",
    response={200: TrackingOut, 404: ErrorOut, 429: ErrorOut},
    summary="Tra cứu tình trạng hồ sơ (không cần đăng nhập)",
    openapi_extra={"parameters": [_CHECK_PARAMETER]},
)
def track(
    request: HttpRequest, response: HttpResponse, code: str = Path(..., description="Mã số hồ sơ")
) -> Any:
    """Shows the state and the steps, never personal data (TT 01/2018 Art. 17). A wrong code and
    a wrong check give the same 404; failures count against the caller's address exactly as on
    the tracking page (`lookup_throttle`), and past the limit the answer is 429."""
    check = request.GET.get("check", "")
    if len(check) > CHECK_MAX_LENGTH:
        raise ValidationError(
            [
                {
                    "loc": ("query", "check"),
                    "msg": f"Nhiều nhất {CHECK_MAX_LENGTH} ký tự.",
                    "type": "string_too_long",
                }
            ]
        )
    address = client_address(request)
    answer = queries.track_public(address, code, check)
    if answer.retry_after is not None:
        response["Cache-Control"] = "no-store"
        response["Retry-After"] = str(answer.retry_after)
        minutes = max(1, math.ceil(answer.retry_after / 60))
        return Reply(
            429,
            {
                "code": "too_many_lookups",
                "message": f"Tra cứu sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
                "field": None,
            },
        )
    found = answer.found
    if found is None:
        do_record_lookup_failure(address)
        raise Http404(TRACKING_NOT_FOUND)
    # Built directly in the documented TrackingOut shape (tests check it against the schema):
    # validating an answer this view has just built was a large share of a lookup's CPU. Every
    # value is text, a number or None, so the standard encoder writes it as Django's would.
    return HttpResponse(
        json.dumps(tracking_json(found), ensure_ascii=False).encode(),
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
