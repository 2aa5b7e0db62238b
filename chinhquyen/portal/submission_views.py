"""The online submission form runner (issue #3 §4): start a draft from a procedure, fill it one page
at a time (applicant, one e-form group per page, files, where to file), check, pay, declare, submit,
and the confirmation. Every page is a citizen page; drafts and dossiers are loaded only through
`dossiers.queries.access_*` (404 for anybody else's); every change is one `dossiers` action.
Drafts live in the database, so a citizen resumes on any device."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.middleware import client_address
from chinhquyen.core.qr import qr_data_uri
from chinhquyen.dossiers import actions, drafts, queries
from chinhquyen.dossiers.models import Draft, Status
from chinhquyen.dossiers.routing import receiving_choices
from chinhquyen.org.models import User
from chinhquyen.payments.actions import do_start_payment
from chinhquyen.payments.queries import paid_payment_for_reference
from chinhquyen.portal import eform_render, formatting
from chinhquyen.portal import submission_forms as pages
from chinhquyen.portal.decorators import citizen_view
from chinhquyen.procedures.eform import validate_answers
from chinhquyen.procedures.fees import FeeQuote, quote_fees
from chinhquyen.procedures.models import DeliveryOption, OnlineLevel
from chinhquyen.procedures.search import catalogue_version

TEMPLATES = "portal/submission/"
SAVED = "Đã lưu. Bạn có thể tiếp tục bất cứ lúc nào, trên bất kỳ thiết bị nào."


def _page(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200) -> Any:
    return render(request, f"{TEMPLATES}{name}.html", context, status=status)


# --- Starting and listing drafts -----------------------------------------------------------------


@citizen_view
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, national_code: str) -> HttpResponse:
    """POST starts a draft of the version in force; with open drafts of the procedure the page
    offers to resume one instead, and "Tạo hồ sơ mới" (moi=1) starts another anyway."""
    version = catalogue_version(national_code, timezone.localdate())
    if version is None:
        raise Http404("Không có thủ tục này trong danh mục đang có hiệu lực.")
    open_drafts = queries.open_drafts(request.user).filter(
        procedure_version__procedure_id=version.procedure_id
    )
    context: dict[str, Any] = {"version": version, "open_drafts": list(open_drafts)}
    if request.method == "POST" and (request.POST.get("moi") == "1" or not context["open_drafts"]):
        try:
            draft = drafts.do_create_draft(owner=request.user, version=version)
        except DomainError as error:
            return _page(request, "start", {**context, "error": error.message}, error.status)
        return redirect("submission:applicant", draft.pk)
    context["online"] = version.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)
    return _page(request, "start", context)


@citizen_view
@require_safe
def draft_list(request: HttpRequest) -> HttpResponse:
    return _page(request, "drafts", {"drafts": list(queries.open_drafts(request.user))})


DraftView = Callable[..., HttpResponse]


def draft_page(view: DraftView) -> DraftView:
    """A page of one open draft: loaded with `access_draft_by_id` (404 for anybody else's). A
    submitted draft leads to its dossier's confirmation; a discarded one says so."""

    @wraps(view)
    def wrapper(request: HttpRequest, draft_id: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        draft = queries.access_draft_by_id(request.user, draft_id)
        if draft.state == Draft.State.OPEN:
            try:
                return view(request, draft, *args, **kwargs)
            except Conflict as conflict:  # submitted or discarded meanwhile, on another device
                if conflict.code not in ("draft_closed", "already_submitted"):
                    raise
                draft = queries.access_draft_by_id(request.user, draft_id)
        if draft.state == Draft.State.SUBMITTED and draft.dossier is not None:
            return redirect("submission:confirmation", draft.dossier.code)
        return _page(request, "closed", {"draft": draft}, status=410)

    return citizen_view(wrapper)


@draft_page
@require_http_methods(["GET", "POST"])
def discard(request: HttpRequest, draft: Draft) -> HttpResponse:
    if request.method == "POST":
        drafts.do_discard_draft(draft, acting_user=request.user)
        messages.success(request, f"Đã hủy hồ sơ nháp “{draft.procedure_version.name}”.")
        return redirect("submission:drafts")
    return _page(request, "discard", {"draft": draft})


@draft_page
@require_safe
def overview(request: HttpRequest, draft: Draft) -> HttpResponse:
    steps = pages.draft_steps(draft, actions.check_draft_complete(draft))
    resume = next((s for s in steps if s.state != "done"), steps[-1])
    return _page(request, "overview", {"draft": draft, "steps": steps, "resume": resume})


# --- The applicant and the e-form, one group per page --------------------------------------------


def _step_context(draft: Draft, key: str) -> dict[str, Any]:
    steps = pages.draft_steps(draft)
    return {
        "draft": draft,
        "steps": steps,
        "step": pages.step_for(steps, key),
        "next_url": pages.next_url(steps, key),
    }


def _form_context(draft: Draft, key: str, view: eform_render.GroupView) -> dict[str, Any]:
    return {**_step_context(draft, key), "group": view, "summary": eform_render.summary(view)}


@draft_page
@require_http_methods(["GET", "POST"])
def applicant(request: HttpRequest, draft: Draft) -> HttpResponse:
    """Prefilled from the profile when the draft was made; nothing is saved while it has errors."""
    group = drafts.APPLICANT_SCHEMA["groups"][0]
    key = drafts.APPLICANT_GROUP
    if request.method == "GET":
        view = eform_render.group_view(group, draft.applicant)
        return _page(request, "group", _form_context(draft, key, view))
    values = eform_render.parse_group(group, request.POST)
    errors = drafts.do_save_applicant(draft, values, acting_user=request.user)
    if errors:
        paths = [(f"{key}.{field}" if field else key, message) for field, message in errors]
        view = eform_render.group_view(group, values, paths)
        return _page(request, "group", _form_context(draft, key, view))
    return _after_save(request, draft, key)


def _after_save(request: HttpRequest, draft: Draft, key: str) -> HttpResponse:
    if request.POST.get("thao_tac") == "luu_nhap":
        messages.success(request, SAVED)
        return redirect(request.path)
    return redirect(pages.next_url(pages.draft_steps(draft), key))


def _group_at(draft: Draft, step: int) -> dict[str, Any]:
    groups = (draft.procedure_version.eform_schema or {}).get("groups", [])
    if not 1 <= step <= len(groups):
        raise Http404("Tờ khai không có trang này.")
    return groups[step - 1]


@draft_page
@require_http_methods(["GET", "POST"])
def group_page(request: HttpRequest, draft: Draft, step: int) -> HttpResponse:
    """One e-form group. The raw values are always saved (nothing typed is lost); "Lưu và tiếp
    tục" also checks the group and stays on the page while it has errors."""
    group = _group_at(draft, step)
    key, answers = group["key"], draft.answers or {}
    if request.method == "GET":
        view = eform_render.group_view(group, answers.get(key), answers=answers)
        return _page(request, "group", _form_context(draft, key, view))
    command = request.POST.get("thao_tac", "")
    raw = eform_render.parse_group(group, request.POST)
    if command.startswith(("them:", "xoa:")):  # add or remove an instance, then the same page
        changed = eform_render.change_instances(group, raw, command)
        drafts.do_save_group(
            draft, key, raw if changed is None else changed, acting_user=request.user
        )
        count = len(changed if changed is not None else raw)
        anchor = f"muc-{key}-{count - 1}" if command.startswith("them:") else f"nhom-{key}"
        return redirect(f"{request.path}#{anchor}")
    drafts.do_save_group(draft, key, raw, acting_user=request.user)
    if command == "luu_nhap":
        return _after_save(request, draft, key)
    errors = _group_errors(draft, step)
    if errors:
        view = eform_render.group_view(group, draft.answers.get(key), errors, answers=draft.answers)
        return _page(request, "group", _form_context(draft, key, view))
    return _after_save(request, draft, key)


def _group_errors(draft: Draft, step: int) -> list[tuple[str, str]]:
    """The errors of the step's group, checked with the groups before it (whose answers its
    `show_if` rules may read); later groups are not this page's business."""
    schema = draft.procedure_version.eform_schema or {}
    head = {"groups": schema.get("groups", [])[:step]}
    key = head["groups"][-1]["key"]
    result = validate_answers(head, draft.answers)
    return [(p, m) for p, m in result.errors if not p or p.split(".")[0].split("[")[0] == key]


# --- Files ---------------------------------------------------------------------------------------


@citizen_view
@csrf_exempt  # checked by `_documents` once the upload handler is in place (Django's recipe)
def documents(request: HttpRequest, draft_id: Any) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers = [pages.CappedUploadHandler(drafts.max_upload_bytes(), request)]
    return _documents(request, draft_id)


@csrf_protect
@draft_page
@require_http_methods(["GET", "POST"])
def _documents(request: HttpRequest, draft: Draft) -> HttpResponse:
    if request.method == "GET":
        return _documents_page(request, draft)
    command = request.POST.get("thao_tac", "")
    document_id = _int(request.POST.get("giay_to"))
    try:
        _change_files(request, draft, command, document_id)
    except DomainError as error:
        return _documents_page(request, draft, {document_id or 0: error.message})
    return redirect(f"{request.path}#giay-to-{document_id}")


def _change_files(
    request: HttpRequest, draft: Draft, command: str, document_id: int | None
) -> None:
    user = request.user
    if command == "tai_len":
        upload = request.FILES.get(pages.UPLOAD_FIELD)
        if upload is None:
            raise DomainError("Vui lòng chọn tệp cần tải lên.", field="tep")
        drafts.do_attach_upload(
            draft, document_id or 0, upload, filename=upload.name or "", acting_user=user
        )
        messages.success(request, f"Đã tải lên “{upload.name}”.")
    elif command == "xoa":
        attachment_id = _int(request.POST.get("tep_dinh_kem")) or 0
        drafts.do_remove_attachment(draft, attachment_id, acting_user=user)
        messages.success(request, "Đã gỡ tệp.")
    elif command == "dung_lai":
        source_id = _int(request.POST.get("nguon")) or 0
        source = queries.personal_store(user).filter(pk=source_id).first()
        if source is None:
            raise DomainError("Không tìm thấy giấy tờ trong kho dữ liệu của bạn.")
        drafts.do_reuse_document(draft, document_id or 0, source, acting_user=user)
        messages.success(request, f"Đã dùng lại “{source.name}” từ kho dữ liệu.")


def _documents_page(
    request: HttpRequest, draft: Draft, errors: dict[int, str] | None = None
) -> HttpResponse:
    blocks = pages.document_blocks(draft, queries.personal_store(request.user), errors)
    summary = [
        eform_render.SummaryError(f"#{b.anchor}", f"{b.document.name}: {b.error}")
        for b in blocks
        if b.error
    ]
    if errors and not summary:
        summary = [eform_render.SummaryError("#giay-to", message) for message in errors.values()]
    context = {
        **_step_context(draft, pages.DOCUMENTS_STEP),
        "blocks": blocks,
        "summary": summary,
        "max_megabytes": drafts.max_upload_bytes() // (1024 * 1024) or 1,
    }
    return _page(request, "documents", context)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


# --- Where to file and how to receive the result -------------------------------------------------


@draft_page
@require_http_methods(["GET", "POST"])
def reception(request: HttpRequest, draft: Draft) -> HttpResponse:
    if request.method == "GET":
        return _reception_page(request, draft, {})
    post = request.POST
    try:
        drafts.do_choose_reception(
            draft,
            acting_user=request.user,
            receiving_agency_id=_int(post.get("noi_nop")),
            delivery_option=post.get("nhan_ket_qua", ""),
            delivery_address=post.get("dia_chi_nhan", ""),
        )
    except DomainError as error:
        return _reception_page(request, draft, {error.field or "": error.message}, post)
    return _after_save(request, draft, pages.RECEPTION_STEP)


# The action's `DomainError.field` → the control its message links to.
RECEPTION_FIELDS = {
    "receiving_agency": "f-noi_nop",
    "delivery_option": "f-nhan_ket_qua",
    "delivery_address": "f-dia_chi_nhan",
}


def _reception_page(
    request: HttpRequest, draft: Draft, errors: dict[str, str], post: Any = None
) -> HttpResponse:
    version = draft.procedure_version
    agency_id = _int(post.get("noi_nop")) if post else draft.receiving_agency_id
    option = post.get("nhan_ket_qua", "") if post else draft.delivery_option
    agencies = receiving_choices(version).select_related("administrative_unit__parent")
    groups = pages.reception_options(
        agencies, selected=agency_id, home_unit_codes=_home_units(draft)
    )
    labels = dict(DeliveryOption.choices)
    summary = [
        eform_render.SummaryError(f"#{RECEPTION_FIELDS.get(field, 'f-noi_nop')}", message)
        for field, message in errors.items()
    ]
    context = {
        **_step_context(draft, pages.RECEPTION_STEP),
        "agency_groups": groups,
        "agency_radios": pages.uses_radios(groups),
        "agency_options": [o for g in groups for o in g.options],
        "has_post": DeliveryOption.POST in (version.delivery_options or []),
        "delivery_options": [
            eform_render.Option(value, str(labels.get(value, value)), value == option)
            for value in version.delivery_options or []
        ],
        "address": post.get("dia_chi_nhan", "") if post else draft.delivery_address,
        "errors": errors,
        "summary": summary,
    }
    return _page(request, "reception", context)


def _home_units(draft: Draft) -> set[str]:
    """The communes the applicant named (profile commune, e-form answers): their agencies first."""
    codes = {str(draft.applicant.get("commune", ""))}
    for group in (draft.procedure_version.eform_schema or {}).get("groups", []):
        raw = (draft.answers or {}).get(group["key"])
        for item in raw if isinstance(raw, list) else [raw]:
            if isinstance(item, dict):
                codes.update(
                    str(item.get(spec["key"], ""))
                    for spec in group["fields"]
                    if spec["type"] == "admin_unit"
                )
    return codes - {""}


# --- Check, pay, declare, submit -----------------------------------------------------------------


@draft_page
@require_safe
def check(request: HttpRequest, draft: Draft) -> HttpResponse:
    return _check_page(request, draft)


def _answers(draft: Draft) -> tuple[dict[str, Any], bool]:
    """The cleaned answers when the e-form is complete, else the raw ones (and False: a fee
    quoted on them is an estimate, it may depend on an answer still missing)."""
    result = validate_answers(draft.procedure_version.eform_schema, draft.answers)
    return (result.cleaned, True) if result.ok else (dict(draft.answers or {}), False)


def _check_page(
    request: HttpRequest, draft: Draft, error: DomainError | None = None
) -> HttpResponse:
    problems = actions.check_draft_complete(draft)
    steps = pages.draft_steps(draft, problems)
    overview_url = reverse("submission:overview", args=[draft.pk])
    answers, complete = _answers(draft)
    quote = quote_fees(draft.procedure_version, answers)
    payment = _payment_state(draft, quote)
    context = {
        "draft": draft,
        "steps": steps,
        "step": pages.step_for(steps, pages.CHECK_STEP),
        "problems": [
            eform_render.SummaryError(pages.problem_url(steps, where, overview_url), message)
            for where, message in problems
        ],
        "sections": _review_sections(draft, steps, answers),
        "documents": pages.document_blocks(draft, []),
        "reception": _reception_review(draft),
        "fees": pages.fee_rows(quote),
        "fee_total_text": formatting.money(quote.total),
        "fee_estimated": quote.estimated or not complete,
        "payment": payment,
        "can_submit": not problems
        and not payment["mismatch"]
        and not (payment["required"] and not payment["paid"]),
        "error": error,
        "declaration": DECLARATION,
    }
    return _page(request, "check", context, status=error.status if error else 200)


DECLARATION = (
    "Tôi xin cam đoan những thông tin khai trên là đúng sự thật và chịu trách nhiệm trước pháp "
    "luật về lời khai của mình."
)


def _review_sections(
    draft: Draft, steps: list[pages.Step], answers: dict[str, Any]
) -> list[dict[str, Any]]:
    groups = (draft.procedure_version.eform_schema or {}).get("groups", [])
    applicant_group = drafts.APPLICANT_SCHEMA["groups"][0]
    sections = [
        {
            "step": pages.step_for(steps, pages.APPLICANT_STEP),
            "blocks": eform_render.review_blocks(applicant_group, draft.applicant, {}),
        }
    ]
    sections += [
        {
            "step": pages.step_for(steps, group["key"]),
            "blocks": eform_render.review_blocks(group, answers.get(group["key"]), answers),
            "repeat": bool(group.get("repeat")),
        }
        for group in groups
    ]
    return sections


def _reception_review(draft: Draft) -> dict[str, str]:
    agency = draft.receiving_agency
    option = draft.delivery_option
    return {
        "agency": drafts.receiving_agency_label(agency) if agency else "",
        "delivery": str(dict(DeliveryOption.choices).get(option, option)) if option else "",
        "address": draft.delivery_address,
    }


def _payment_state(draft: Draft, quote: FeeQuote) -> dict[str, Any]:
    """Toàn trình with fees: paid online before submission (Decree 224/2026 Art. 15(đ)); một
    phần: paid online if the citizen wishes, or at reception."""
    due = quote.total > 0
    paid = paid_payment_for_reference(actions.draft_payment_reference(draft))
    return {
        "due": due or paid is not None,
        "required": due and draft.procedure_version.online_level == OnlineLevel.FULL,
        "paid": paid,
        "paid_text": formatting.money(paid.amount) if paid else "",
        # Answers changed after paying (the fee with them): submission refuses, staff settle it.
        "mismatch": paid is not None and paid.amount != quote.total,
    }


@draft_page
@require_POST
def pay(request: HttpRequest, draft: Draft) -> HttpResponse:
    """Send the citizen to the payment gateway for the fees on the completed e-form; the gateway
    brings them back to the check page."""
    answers, complete = _answers(draft)
    try:
        if not complete:
            raise DomainError(
                "Vui lòng hoàn thành tờ khai trước khi thanh toán: phí, lệ phí tính theo tờ khai.",
                code="incomplete",
            )
        _payment, gateway_url = do_start_payment(
            payer=cast(User, request.user),  # a signed-in citizen: `citizen_view`
            reference=actions.draft_payment_reference(draft),
            amount=quote_fees(draft.procedure_version, answers).total,
            description=f"Phí, lệ phí: {draft.procedure_version.name}",
            return_url=reverse("submission:check", args=[draft.pk]),
            client_ip=client_address(request),
        )
    except DomainError as error:
        return _check_page(request, draft, error)
    return redirect(gateway_url)


@draft_page
@require_POST
def submit(request: HttpRequest, draft: Draft) -> HttpResponse:
    """Declare and submit. A second POST (double click, back button) finds the draft submitted and
    is led to the same confirmation (`draft_page`; the action raises Conflict)."""
    try:
        accepted = request.POST.get("cam_doan") == "1"
        dossier = actions.do_submit_draft(draft, acting_user=request.user, declaration=accepted)
    except Conflict:
        raise  # already submitted or discarded: `draft_page` shows where it went
    except DomainError as error:
        return _check_page(request, draft, error)
    return redirect("submission:confirmation", dossier.code)


# --- After submission ----------------------------------------------------------------------------


@citizen_view
@require_safe
def confirmation(request: HttpRequest, code: str) -> HttpResponse:
    dossier = queries.access_dossier_by_code(request.user, code)
    url = actions.tracking_url(dossier.code)
    context = {
        "dossier": dossier,
        "status_label": Status(dossier.status).label,
        "tracking_url": url,
        "qr_data_uri": qr_data_uri(url),
    }
    return _page(request, "confirmation", context)
