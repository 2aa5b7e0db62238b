"""The one-stop back office as JSON for officers (issue #5 §7): worklists, search, one dossier with
its history, documents, tasks and the actions the officer may take now, and one operation that
takes an action. Mounted at `/api/v1/back-office/` (English, as every other API prefix; the
pages are at `/can-bo/ho-so/`).

The same rules as the pages (`staff_views`): a signed-in staff session (both factors) holding a
role, CSRF on POST; every dossier loaded through `staff_queries.access_dossier_for_staff`, so a
dossier outside the officer's agencies is a 404; inspectors read only (403 on actions); the
action is `handling.do_transition_dossier` with the `expected_seq` the client last saw, in one
transaction (a stale view or a state that does not allow it: 409, nothing recorded)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.apiauth import ErrorOut, staff_session
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.files import read_file
from chinhquyen.core.middleware import client_address
from chinhquyen.dossiers import eresult, staff_queries
from chinhquyen.dossiers.api import DossierCode
from chinhquyen.dossiers.api_schemas import MAX_ID, InvalidOut, PageQuery
from chinhquyen.dossiers.handling import (
    PaperDocument,
    available_actions,
    do_transition_dossier,
    waiting_tasks,
)
from chinhquyen.dossiers.models import (
    Dossier,
    DossierTask,
    DossierTransition,
    Shipment,
    ShipmentEvent,
    Status,
)
from chinhquyen.dossiers.process import ACTIONS
from chinhquyen.dossiers.staff_api_schemas import (
    ActionIn,
    PdfIn,
    ShipmentOut,
    StaffDossierListOut,
    StaffDossierOut,
    WorklistOut,
)
from chinhquyen.dossiers.staff_forms import VIETNAM
from chinhquyen.org.models import Agency, User
from chinhquyen.portal.tracking_views import attachment_header
from chinhquyen.signing.models import SigningCertificate
from chinhquyen.workdays.calendar import DurationUnit

router = Router(tags=["back-office"], auth=staff_session)


def _not_stored(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Applicants' personal data: no cache keeps it (as the dossier page)."""

    @wraps(run)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = run(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return answer


router.add_decorator(_not_stored, mode="view")

READ_ONLY = "Vai trò của bạn chỉ được xem hồ sơ."
# The engine names the data it reads; the body names ids. A refusal points at the body's field.
_BODY_FIELD = {"unit": "agency_id", "agency": "agency_id", "assignee": "assignee_id",
               "task": "task_id", "certificate": "certificate_id"}  # fmt: skip
EARLIEST_DUE, LATEST_DUE = 2000, 2100  # a new due date outside these years is a typing error


class Forbidden(DomainError):
    """The role may not take this action here (the engine's `forbidden`), as a 403."""

    status = 403


# --- Shaping answers ------------------------------------------------------------------------------


def _ref(obj: Agency | User | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": obj.name if isinstance(obj, Agency) else str(obj)}


def _procedure(dossier: Dossier) -> dict[str, Any]:
    version = dossier.procedure_version
    return {
        "national_code": version.procedure.national_code,
        "version": version.version,
        "name": version.name,
    }


def _summary(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "procedure": _procedure(dossier),
        "status": dossier.status,
        "status_label": str(Status(dossier.status).label),
        "step": dossier.step,
        "applicant_name": dossier.applicant_name,
        "current_agency": _ref(dossier.current_agency),
        "assignee": _ref(dossier.assignee),
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "step_due_at": dossier.step_due_at,
    }


def _page(dossiers: QuerySet[Dossier], page: PageQuery) -> dict[str, Any]:
    rows = dossiers.select_related("procedure_version__procedure")
    items = rows[page.offset : page.offset + page.limit]
    return {
        "total": dossiers.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_summary(dossier) for dossier in items],
    }


def _history_row(row: DossierTransition) -> dict[str, Any]:
    rule = ACTIONS.get(row.action)
    data = row.data or {}
    return {
        "seq": row.seq,
        "at": row.at,
        "action": row.action,
        "label": rule.label if rule else row.action,
        "from_status": row.from_status,
        "status": row.to_status,
        "status_label": str(Status(row.to_status).label),
        "actor": _ref(row.actor),
        "agency": _ref(row.agency),
        "step": str(data.get("step") or ""),
        "step_due_at": row.step_due_at,
        "verdict": str(data.get("verdict") or ""),
        "note": row.note,
        "public_note": row.public_note,
    }


def _task(task: DossierTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "kind": task.kind,
        "agency": _ref(task.agency),
        "order": task.order,
        "content": task.content,
        "requested_at": task.requested_at,
        "started_at": task.started_at,
        "due_at": task.due_at,
        "done_at": task.done_at,
        "answer": task.answer,
    }


def dossier_data(dossier: Dossier, user: Any) -> dict[str, Any]:
    history = list(dossier.transitions.select_related("actor", "agency").order_by("seq"))
    tasks = list(dossier.tasks.select_related("agency").order_by("order", "pk"))
    documents = staff_queries.staff_documents(user, dossier)
    names = available_actions(dossier, user) + list(waiting_tasks(dossier, user))
    holder = dossier.current_agency or dossier.handling_agency
    assignable = staff_queries.assignable_staff(holder) if "assign" in names else []
    return {
        **_summary(dossier),
        "channel": dossier.channel,
        "receiving_agency": _ref(dossier.receiving_agency),
        "handling_agency": _ref(dossier.handling_agency),
        "applicant_id_number": dossier.applicant_id_number,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "applicant_address": dossier.applicant_address,
        "organisation_name": dossier.organisation_name,
        "answers": dossier.answers,
        "delivery_option": dossier.delivery_option,
        "delivery_address": dossier.delivery_address,
        "fee_total": int(dossier.fee_total),
        "paid_amount": int(dossier.paid_amount),
        "finished_at": dossier.finished_at,
        "returned_at": dossier.returned_at,
        "history": [_history_row(row) for row in history],
        "documents": [_document(document) for document in documents],
        "tasks": [_task(task) for task in tasks],
        "available_actions": [{"name": n, "label": ACTIONS[n].label} for n in names],
        "assignable": [_ref(user) for user in assignable],
        "expected_seq": history[-1].seq if history else 0,
    }


def _document(document: Any) -> dict[str, Any]:
    return {
        "id": document.pk,
        "role": document.role,
        "name": document.name,
        "file_name": document.file.display_name,
        "content_type": document.file.content_type,
        "size": document.file.size,
        "sha256": document.file.sha256,
        "added_at": document.added_at,
        "accepted": document.accepted,
    }


# --- Reading an action's body -------------------------------------------------------------------


def _agency(pk: int | None, field: str = "agency_id") -> Agency:
    agency = Agency.objects.filter(pk=pk, is_active=True).first() if pk else None
    if agency is None:
        raise DomainError(
            "Chọn một cơ quan, đơn vị đang hoạt động.", code="unknown_agency", field=field
        )
    return agency


def _budget(amount: Any) -> dict[str, Any]:
    if amount is None:
        raise DomainError("Nhập thời hạn bằng số ngày làm việc.", field="amount")
    return {"amount": amount, "unit": DurationUnit.WORKING_DAYS}


def _new_due_at(value: datetime | None) -> datetime | None:
    """Read without a zone as Vietnam time, as the page's date-time field."""
    if value is None:
        return None
    if not EARLIEST_DUE <= value.year <= LATEST_DUE:
        raise DomainError("Ngày hẹn trả mới không hợp lệ.", field="new_due_at")
    return value if value.tzinfo is not None else value.replace(tzinfo=VIETNAM)


def _coordination(body: ActionIn) -> dict[str, Any]:
    if not body.tasks:
        single = {"agency": _agency(body.agency_id), "content": body.content, "order": 1}
        return {"tasks": [{**single, **_budget(body.amount)}]}
    return {
        "tasks": [
            {
                "agency": _agency(task.agency_id, f"tasks[{index}].agency_id"),
                "content": task.content,
                "order": task.order,
                **_budget(task.amount),
            }
            for index, task in enumerate(body.tasks)
        ]
    }


def _active_user(pk: int | None) -> User | None:
    """None for an unknown id: the engine then refuses it as not a member of the unit."""
    return User.objects.filter(pk=pk or 0, is_active=True).first()


def _waiting_task(dossier: Dossier, body: ActionIn, user: Any) -> dict[str, Any]:
    """A task of one of the officer's units (the engine says whether it is still open)."""
    agencies = staff_queries.visible_agency_ids(user)
    wanted = dossier.tasks.filter(pk=body.task_id or 0, agency_id__in=agencies)
    task = wanted.first()
    if task is None:
        raise DomainError("Phần việc này không chờ đơn vị của bạn.", field="task_id")
    return {"task": task, "answer": body.answer}


def _pdf(upload: PdfIn | None) -> PaperDocument | None:
    if upload is None:
        return None
    try:
        content = base64.b64decode(upload.content_base64, validate=True)
    except ValueError:
        raise DomainError("Nội dung tệp không phải base64.", field="result_draft") from None
    if not content.startswith(b"%PDF-"):
        raise DomainError("Dự thảo kết quả phải là tệp PDF.", field="result_draft")
    return PaperDocument("Dự thảo kết quả", content, upload.name or "du-thao.pdf")


def _certificate(pk: int) -> SigningCertificate:
    certificate = SigningCertificate.objects.filter(pk=pk).first()
    if certificate is None:
        raise DomainError("Chứng thư số đã chọn không tồn tại.", field="certificate_id")
    return certificate


def _take_signed(request: HttpRequest, dossier: Dossier, action: str, body: ActionIn,
                 data: dict[str, Any]) -> None:  # fmt: skip
    """Ký số through `eresult`: the leader's signature at the final approval, or the competent
    agency's over it when the result is issued; the code is confirmed before anything moves."""
    if not body.second_factor_code.strip():
        raise DomainError("Nhập mã xác thực (OTP) để ký số.", field="second_factor_code")
    eresult.do_signed_action(
        dossier, action, result_draft=data.get("result_draft"), acting_user=request.user,
        expected_seq=body.expected_seq, certificate=_certificate(body.certificate_id or 0),
        second_factor_code=body.second_factor_code, note=body.note,
        source_address=client_address(request),
    )  # fmt: skip


def read_action_body(action: str, dossier: Dossier, body: ActionIn, user: Any) -> dict[str, Any]:
    """The `data` of `do_transition_dossier` for one action (what `staff_forms` does for pages)."""
    readers: dict[str, Callable[[], dict[str, Any]]] = {
        "refuse": lambda: {"reasons": body.reasons},
        "request_supplement": lambda: {"items": body.items},
        "refuse_after_appraisal": lambda: {"reasons": body.reasons},
        "request_payment": lambda: {"money": body.money, "content": body.content},
        "record_payment": lambda: {"money": body.money, "receipt": body.receipt},
        # Without `agency_id`, to the competent agency itself.
        "forward": lambda: {"unit": _agency(body.agency_id)} if body.agency_id else {},
        "assign": lambda: {"assignee": _active_user(body.assignee_id)},
        "request_opinion": lambda: {
            "agency": _agency(body.agency_id),
            "content": body.content,
            **_budget(body.amount),
        },
        "coordinate": lambda: _coordination(body),
        "answer_opinion": lambda: _waiting_task(dossier, body, user),
        "complete_task": lambda: _waiting_task(dossier, body, user),
        "propose": lambda: {"result_draft": _pdf(body.result_draft)},
        "approve": lambda: {"result_draft": _pdf(body.result_draft)},
        "record_result": lambda: {"result": None},  # electronic: certificate_id (eresult)
        "return_result": lambda: {
            "method": body.method,
            "collected_by": body.collected_by,
            "cod_amount": body.cod_amount,
        },
        "extend_due": lambda: {"reason": body.reason, "new_due_at": _new_due_at(body.new_due_at)},
        "stop": lambda: {"reason": body.reason},
        "withdraw": lambda: {"reason": body.reason},
    }
    reader = readers.get(action)
    return reader() if reader else {}


# --- Operations -----------------------------------------------------------------------------------

SEARCH_TEXT = "Mã hồ sơ (cả mã hoặc phần cuối), số định danh, tên người nộp (không cần dấu)"
Action = Path(
    ...,
    pattern="^(" + "|".join(ACTIONS) + ")$",  # the names listed in the OpenAPI document
    description="Thao tác (accept, forward, assign, propose, approve, return_result…)",
)


@router.get("/worklists", response=list[WorklistOut], summary="Các danh sách hồ sơ của cán bộ")
def worklists(request: HttpRequest) -> list[dict[str, str]]:
    return [
        {"key": w.key, "title": w.title, "explanation": w.explanation}
        for w in staff_queries.WORKLISTS
    ]


@router.get(
    "/dossiers",
    response={200: StaffDossierListOut, 400: ErrorOut},
    summary="Một danh sách hồ sơ (hồ sơ của tôi, của đơn vị, quá hạn…)",
)
def list_dossiers(
    request: HttpRequest,
    page: Query[PageQuery],
    ds: str = Query("don-vi", max_length=40, description="Khóa danh sách (GET /worklists)"),
) -> dict[str, Any]:
    """Most urgent first; only dossiers of the officer's agencies."""
    if ds not in staff_queries.WORKLIST_KEYS:
        raise DomainError("Không có danh sách hồ sơ này.", code="unknown_worklist", field="ds")
    return _page(staff_queries.worklist(request.user, ds), page)


@router.get("/search", response=StaffDossierListOut, summary="Tìm hồ sơ")
def search(
    request: HttpRequest,
    page: Query[PageQuery],
    q: str = Query("", max_length=100, description=SEARCH_TEXT),
) -> dict[str, Any]:
    """Newest first; only dossiers of the officer's agencies. An empty `q` finds nothing."""
    return _page(staff_queries.search_dossiers(request.user, q), page)


@router.get(
    "/dossiers/{code}",
    response={200: StaffDossierOut, 404: ErrorOut},
    summary="Một hồ sơ: quá trình xử lý, giấy tờ, thao tác được làm",
)
def get_dossier(request: HttpRequest, code: str = DossierCode) -> dict[str, Any]:
    dossier = staff_queries.access_dossier_for_staff(request.user, code)
    return dossier_data(dossier, request.user)


def shipment_data(shipment: Shipment) -> dict[str, Any]:
    return {
        "reference": shipment.reference,
        "waybill": shipment.waybill,
        "status": shipment.status,
        "status_label": str(Shipment.Status(shipment.status).label),
        "receiver_name": shipment.receiver_name,
        "receiver_address": shipment.receiver_address,
        "cod_amount": int(shipment.cod_amount),
        "created_at": shipment.created_at,
        "booked_at": shipment.booked_at,
        "delivered_at": shipment.delivered_at,
        "last_error": shipment.last_error,
        "events": [
            {"kind": e.kind, "label": str(ShipmentEvent.Kind(e.kind).label), "at": e.at,
             "note": e.note}
            for e in shipment.events.all()
        ],
    }  # fmt: skip


@router.get(
    "/dossiers/{code}/shipments",
    response={200: list[ShipmentOut], 404: ErrorOut},
    summary="Bưu gửi trả kết quả của một hồ sơ: mã vận đơn, tình trạng, các sự kiện",
)
def list_shipments(request: HttpRequest, code: str = DossierCode) -> list[dict[str, Any]]:
    dossier = staff_queries.access_dossier_for_staff(request.user, code)
    shipments = dossier.shipments.prefetch_related("events").order_by("created_at", "pk")
    return [shipment_data(shipment) for shipment in shipments]


@router.post(
    "/dossiers/{code}/actions/{action}",
    response={
        200: StaffDossierOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: InvalidOut,
    },
    summary="Thực hiện một thao tác trên hồ sơ",
)
def take_action(
    request: HttpRequest, payload: ActionIn, code: str = DossierCode, action: str = Action
) -> dict[str, Any]:
    """Fields by action: refuse and refuse_after_appraisal `reasons`; request_supplement
    `items`; forward `agency_id` (a unit of the competent agency, or omitted for the agency
    itself); assign `assignee_id`;
    request_opinion `agency_id`, `content`, `amount` (working days); coordinate the same, or
    `tasks`; answer_opinion and complete_task `task_id`, `answer`; return_result `method`
    (counter with `collected_by`, or post with `cod_amount`: the waybill comes from the postal
    operator, GET …/shipments); extend_due `reason`, `new_due_at`; stop and withdraw `reason`;
    send_back `note`; request_payment `money`, `content`; record_payment `money` (what was
    paid), `receipt`. propose `result_draft` (PDF, base64); approve may replace it
    (`result_draft`) and, at the final approval, sign it: `certificate_id` (the leader's personal
    certificate) and a fresh `second_factor_code`; record_result with `certificate_id` (the
    competent agency's organisation certificate) and `second_factor_code` issues the electronic
    result signed over the leader's signature, without them records the result without a file.
    A wrong code is counted and refused (400 `second_factor_required`) with nothing recorded.
    Answers the dossier as it is now.
    Refusals: 404 out of your agencies, 403 a role that may not (inspectors
    read only), 409 `already_handled` (the dossier moved since `expected_seq`) or `bad_state`,
    400 with `field` for the body; nothing is recorded when refused."""
    dossier = staff_queries.access_dossier_for_staff(request.user, code)  # 404 out of scope
    if not staff_queries.may_change(request.user):
        raise PermissionDenied(READ_ONLY)
    try:
        data = read_action_body(action, dossier, payload, request.user)
        if payload.certificate_id and action not in eresult.SIGNED_ACTIONS:
            raise DomainError(
                "Chỉ ký số khi phê duyệt (approve) hoặc phát hành kết quả (record_result).",
                field="certificate_id",
            )
        if payload.certificate_id:
            _take_signed(request, dossier, action, payload, data)
        else:
            do_transition_dossier(
                dossier, action, acting_user=request.user, expected_seq=payload.expected_seq,
                note=payload.note, **data,
            )  # fmt: skip
    except DomainError as refused:
        raise _for_body(refused) from None
    # Read again without the scope: an action may hand the dossier out of the officer's units
    # (a recorded result goes back to the one-stop office), and they still see what they did.
    dossier.refresh_from_db()
    return dossier_data(dossier, request.user)


@router.get(
    "/dossiers/{code}/documents/{document_id}",
    response={404: ErrorOut, 409: ErrorOut},
    summary="Tải một giấy tờ của hồ sơ (dự thảo kết quả: chỉ cơ quan giải quyết)",
)
def get_document(
    request: HttpRequest,
    code: str = DossierCode,
    document_id: int = Path(..., ge=1, le=MAX_ID),
) -> HttpResponse:
    """The file's bytes, refused (409) when they no longer match the SHA-256 stored with them."""
    document = staff_queries.access_staff_document(request.user, code, document_id)
    stored = document.file
    try:
        content = read_file(stored)
    except OSError:
        content = b""
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        record_audit(
            "files.integrity_failure", actor=request.user, obj=stored,
            after={"dossier": document.dossier.code}, source_address=client_address(request),
        )  # fmt: skip
        raise Conflict(
            "Tệp không còn nguyên vẹn (không khớp mã băm khi lưu).", code="integrity_failure"
        )
    response = HttpResponse(content, content_type=stored.content_type)
    response["Content-Disposition"] = attachment_header(stored.display_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _for_body(refused: DomainError) -> DomainError:
    """The engine's refusal with the body's field name, and its `forbidden` as a 403."""
    field = _BODY_FIELD.get(refused.field or "", refused.field)
    if refused.code == "forbidden":
        return Forbidden(refused.message, code="forbidden", field=field)
    refused.field = field
    return refused
