"""The one-stop back office's pages for officers (`/can-bo/ho-so/`): worklists, search, one
dossier with its full history and only the actions the officer's role may take now, the action
forms, bulk assignment. Thin: load through `staff_queries.access_*`, one action from `handling`,
render. Every failure is a Vietnamese message and nothing recorded (the action's transaction)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.display import moment
from chinhquyen.core.errors import DomainError
from chinhquyen.core.files import read_file
from chinhquyen.core.middleware import client_address
from chinhquyen.dossiers import eresult, staff_queries
from chinhquyen.dossiers.forms import FormKind, edition_for
from chinhquyen.dossiers.forms import label as form_label
from chinhquyen.dossiers.handling import (
    available_actions,
    do_transition_dossier,
    last_seq,
    waiting_tasks,
)
from chinhquyen.dossiers.models import Dossier, DossierTransition, Status
from chinhquyen.dossiers.obligations import obligation_payments
from chinhquyen.dossiers.postal import do_reorder_shipment
from chinhquyen.dossiers.process import ACTIONS, process_for
from chinhquyen.dossiers.staff_forms import SignRequest, read_action_data, read_sign_request
from chinhquyen.dossiers.staff_forms_views import SLUG_OF
from chinhquyen.org.decorators import staff_view
from chinhquyen.payments.money import vnd
from chinhquyen.portal.tracking_views import attachment_header

PAGE_SIZE = 25
MAX_BULK = 200


@staff_view("read")
def worklist(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    key = request.GET.get("ds", "don-vi")
    if query:
        dossiers = staff_queries.search_dossiers(request.user, query)
        current = None
    else:
        current = staff_queries.WORKLIST_KEYS.get(key) or staff_queries.WORKLIST_KEYS["don-vi"]
        dossiers = staff_queries.worklist(request.user, current.key)
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "worklists": staff_queries.WORKLISTS,
        "current": current,
        "q": query,
        "page": page,
        "rows": [_row(dossier) for dossier in page.object_list],
        "assignable": _assignable(request, page.object_list),
    }
    return render(request, "dossiers/staff/worklist.html", context)


def _row(dossier: Dossier) -> dict[str, Any]:
    return {
        "dossier": dossier,
        "due": moment(dossier.due_at),
        "step_due": moment(dossier.step_due_at),
    }


def _assignable(request: HttpRequest, dossiers: Any) -> list[Any]:
    """The people a leader may assign the listed dossiers to: staff of the unit holding them
    (only when every listed dossier is held by the same unit)."""
    holders = {dossier.current_agency_id for dossier in dossiers}
    if len(holders) != 1 or None in holders:
        return []
    holder = next(iter(dossiers)).current_agency
    return list(staff_queries.assignable_staff(holder))


@staff_view("read")
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = staff_queries.access_dossier_for_staff(request.user, code)
    transitions = list(
        dossier.transitions.select_related("actor", "agency").order_by("seq")
    )  # the full history, Mẫu 05's rows
    names = available_actions(dossier, request.user)
    waiting = waiting_tasks(dossier, request.user)  # opinions, liên thông parts for my units
    holder = dossier.current_agency or dossier.handling_agency
    context = {
        "dossier": dossier,
        "process": process_for(dossier.procedure_version),
        "history": [_step(transition) for transition in transitions],
        "documents": staff_queries.staff_documents(request.user, dossier),
        "tasks": dossier.tasks.select_related("agency").order_by("order", "pk"),
        "actions": [(name, ACTIONS[name].label, []) for name in names]
        + [(name, ACTIONS[name].label, tasks) for name, tasks in waiting.items()],
        "expected_seq": transitions[-1].seq if transitions else 0,
        "assignable": staff_queries.assignable_staff(holder) if "assign" in names else [],
        "agencies": staff_queries.other_agencies(holder) if _needs_agency(names) else [],
        "printable": _printable(dossier, transitions),
        **_sign_choices(request, dossier, names),
        "shipments": dossier.shipments.prefetch_related("events").order_by("created_at", "pk"),
        # Status 6 paid online: the receipt is the gateway order number; one paid too late is
        # for the staff to refund at the gateway (ADR 0010).
        "online_payments": [
            {"p": payment, "paid_at": moment(payment.paid_at), "amount": vnd(payment.amount)}
            for payment in obligation_payments(dossier)
        ],
        "due": moment(dossier.due_at),
        "received": moment(dossier.received_at),
        "submitted": moment(dossier.submitted_at),
    }
    response = render(request, "dossiers/staff/dossier.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _sign_choices(request: HttpRequest, dossier: Dossier, names: list[str]) -> dict[str, Any]:
    """The certificates the sign forms offer: the leader's own personal ones on the approval, the
    competent agency's organisation ones on the result (Decree 30/2020 Art. 32–33)."""
    return {
        "personal_certificates": list(eresult.personal_certificates(request.user))
        if "approve" in names and eresult.is_final_approval(dossier)
        else [],
        "organisation_certificates": list(
            eresult.organisation_certificates(dossier.handling_agency)
        )
        if "record_result" in names
        else [],
    }


def _printable(dossier: Dossier, transitions: list[DossierTransition]) -> list[dict[str, str]]:
    """The forms this dossier has, each with its number in the edition of its reception day
    (TT 01/2018 Mẫu 01–05 or TT 03/2025 Mẫu 01–06, forms.editions): the receipt once received,
    the supplement request, refusal, apology and stop notice once that step was recorded, the
    control sheet always."""
    done = {transition.action for transition in transitions}
    has = {
        FormKind.RECEIPT: dossier.received_at is not None,
        FormKind.SUPPLEMENT_REQUEST: "request_supplement" in done,
        FormKind.REFUSAL: "refuse" in done,
        FormKind.APOLOGY: "extend_due" in done,
        # Decree 118/2025 Art. 21: the notice once the dossier is stopped.
        FormKind.STOP_NOTICE: dossier.status == Status.STOPPED and "stop" in done,
        FormKind.CONTROL_SHEET: True,
    }
    printable = []
    for kind, shown in has.items():
        try:
            edition = edition_for(kind, dossier) if shown else None
        except LookupError:  # received before 06/01/2019 (imported history): no form in force
            edition = None
        if edition is not None:
            printable.append({"slug": SLUG_OF[kind], "label": form_label(edition)})
    return printable


def _needs_agency(names: list[str]) -> bool:
    return bool({"forward", "request_opinion", "coordinate"} & set(names))


def _step(transition: DossierTransition) -> dict[str, Any]:
    rule = ACTIONS.get(transition.action)
    data = transition.data or {}
    return {
        "t": transition,
        "label": rule.label if rule else transition.action,
        "at": moment(transition.at),
        "step_due": moment(transition.step_due_at),
        "verdict": data.get("verdict", ""),
    }


@staff_view("write")
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    dossier = staff_queries.access_dossier_for_staff(request.user, code)  # 404 out of scope
    if not staff_queries.may_change(request.user):
        raise PermissionDenied("Vai trò của bạn chỉ được xem hồ sơ.")  # inspectors read only
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    detail = reverse("dossiers:staff_dossier", args=[dossier.code])
    if action not in ACTIONS:
        messages.error(request, "Thao tác không có trong quy trình.")
        return redirect(detail)
    try:
        expected = int(request.POST.get("expected_seq", ""))
    except ValueError:
        expected = -1  # a form without it is a stale form: refused as "already handled"
    try:
        agencies = staff_queries.visible_agency_ids(request.user)
        data = read_action_data(action, dossier, request.POST, request.FILES, agencies)
        sign = read_sign_request(request.POST) if action in eresult.SIGNED_ACTIONS else None
        if sign is not None:
            _take_signed(request, dossier, action, expected, sign, data)
        else:
            do_transition_dossier(
                dossier,
                action,
                acting_user=request.user,
                expected_seq=expected,
                note=request.POST.get("ghi_chu", ""),
                **data,
            )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(detail)
    messages.success(request, f"Đã thực hiện: {ACTIONS[action].label}.")
    try:  # the move may take the dossier out of this officer's scope (a result goes back to
        staff_queries.access_dossier_for_staff(request.user, dossier.code)  # the reception)
    except Http404:
        return redirect("dossiers:staff_worklist")
    return redirect(detail)


def _take_signed(
    request: HttpRequest,
    dossier: Dossier,
    action: str,
    expected: int,
    sign: SignRequest,
    data: dict[str, Any],
) -> None:
    """Ký số: the leader's signature on the draft, or the agency's over it (`eresult`)."""
    if data.get("result") is not None:
        raise DomainError(
            "Chọn một: kết quả điện tử ký số hoặc tải lên tệp kết quả giấy.", field="ket_qua"
        )
    eresult.do_signed_action(
        dossier,
        action,
        result_draft=data.get("result_draft"),
        acting_user=request.user,
        expected_seq=expected,
        certificate=sign.certificate,
        second_factor_code=sign.code,
        note=request.POST.get("ghi_chu", ""),
        source_address=client_address(request),
    )


@staff_view("read")
def dossier_document(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    """A file of the dossier for the officer (the draft result only for the competent agency);
    bytes that no longer match their stored SHA-256 are not handed out."""
    document = staff_queries.access_staff_document(request.user, code, document_id)
    stored = document.file
    try:
        content: bytes | None = read_file(stored)
    except OSError:
        content = None
    if content is None or hashlib.sha256(content).hexdigest() != stored.sha256:
        record_audit(
            "files.integrity_failure", actor=request.user, obj=stored,
            after={"dossier": document.dossier.code}, source_address=client_address(request),
        )  # fmt: skip
        return HttpResponse(
            "Tệp không còn nguyên vẹn (không khớp mã băm khi lưu).", status=409,
            content_type="text/plain; charset=utf-8",
        )  # fmt: skip
    response = HttpResponse(content, content_type=stored.content_type)
    response["Content-Disposition"] = attachment_header(stored.display_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@staff_view("write")
def reorder_shipment(request: HttpRequest, code: str) -> HttpResponse:
    """ "Gửi lại đơn cho bưu chính": a result handed over whose order the operator refused."""
    dossier = staff_queries.access_dossier_for_staff(request.user, code)  # 404 out of scope
    if not staff_queries.may_change(request.user):
        raise PermissionDenied("Vai trò của bạn chỉ được xem hồ sơ.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    shipment = dossier.shipments.select_related("sender_agency").order_by("-pk").first()
    try:
        if shipment is None:
            raise DomainError("Hồ sơ không có bưu gửi kết quả.")
        do_reorder_shipment(shipment, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Đã gửi lại đơn cho bưu chính.")
    return redirect("dossiers:staff_dossier", dossier.code)


@staff_view("write")
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """A leader assigns several dossiers of the unit to one specialist; each dossier is its own
    action (one may fail, e.g. handled meanwhile, without undoing the others)."""
    if not staff_queries.may_change(request.user):
        raise PermissionDenied("Vai trò của bạn chỉ được xem hồ sơ.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    codes = request.POST.getlist("ma")[:MAX_BULK]
    back = reverse("dossiers:staff_worklist") + "?" + request.POST.get("quay_lai", "")[:300]
    if not codes:
        messages.error(request, "Chọn ít nhất một hồ sơ để phân công.")
        return redirect(back)
    done, failed = 0, []
    for code in codes:
        try:
            dossier = staff_queries.access_dossier_for_staff(request.user, code)
            data = read_action_data("assign", dossier, request.POST, None, [])
            do_transition_dossier(
                dossier,
                "assign",
                acting_user=request.user,
                expected_seq=last_seq(dossier),
                **data,
            )
            done += 1
        except DomainError as error:
            failed.append(f"{code}: {error.message}")
        except Http404:  # one unknown code must not hide the others' outcome
            failed.append(f"{code[:80]}: {staff_queries.NOT_FOUND}")
    if done:
        messages.success(request, f"Đã phân công {done} hồ sơ.")
    for line in failed[:20]:
        messages.error(request, line)
    return redirect(back)
