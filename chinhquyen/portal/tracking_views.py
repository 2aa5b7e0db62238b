"""Tracking a dossier.

The public lookup (`tra-cuu-ho-so/`) takes the dossier code and four check digits and shows the
state only, never personal data (TT 01/2018/TT-VPCP Art. 17: without sign-in, the code and its
state). It is a GET form (no session, no CSRF cookie, works from a QR code and from any phone);
the answer is never stored by a cache (`no-store`) nor indexed, and the check digits do not reach
other sites (Referrer-Policy same-origin) nor the request log (path only). Failed lookups are
counted per client address (`lookup_throttle`); a successful one writes nothing.

The citizen's own pages under `tai-khoan/` (their dossiers, one dossier with its history,
documents, payment and the acts open to them, the file downloads, the personal data store) load
every object through the `access_*` helpers, which answer 404 for anybody else's.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from html import escape
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chinhquyen.audit.actions import record_audit
from chinhquyen.core.errors import Conflict, DomainError
from chinhquyen.core.files import read_file
from chinhquyen.core.middleware import client_address
from chinhquyen.core.uploads import safe_display_name
from chinhquyen.dossiers import queries
from chinhquyen.dossiers.actions import (
    RATEABLE,
    WITHDRAWABLE,
    do_rate_dossier,
    do_submit_supplement,
    do_withdraw_dossier,
)
from chinhquyen.dossiers.lookup_throttle import do_record_lookup_failure, lookup_retry_after
from chinhquyen.dossiers.models import (
    DocumentRole,
    Dossier,
    DossierRating,
    DossierTransition,
    Status,
)
from chinhquyen.dossiers.obligations import do_start_obligation_payment, open_obligation
from chinhquyen.dossiers.queries import PublicStep
from chinhquyen.portal import formatting
from chinhquyen.portal.decorators import citizen_view
from chinhquyen.portal.tracking_forms import LookupForm, RatingForm, SupplementForm, WithdrawForm

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponse]

LOOKUP_FAILED = (
    "Không tìm thấy hồ sơ khớp với mã số và 4 số kiểm tra đã nhập. Vui lòng kiểm tra lại mã số "
    "trên giấy tiếp nhận và 4 số cuối của số điện thoại hoặc số định danh đã khai khi nộp."
)
# What each national status code (onestop.md §6.1) means for the person who filed the dossier.
STATUS_EXPLAINED = {
    Status.SUBMITTED: "Hồ sơ đã được nộp trực tuyến, đang chờ Bộ phận Một cửa kiểm tra, tiếp nhận.",
    Status.ACCEPTED: "Hồ sơ đã được tiếp nhận và chuyển đến cơ quan có thẩm quyền giải quyết.",
    Status.REFUSED: "Hồ sơ không được tiếp nhận; lý do đã được thông báo cho người nộp.",
    Status.PROCESSING: "Cơ quan có thẩm quyền đang giải quyết hồ sơ.",
    Status.SUPPLEMENT_REQUESTED: (
        "Cơ quan giải quyết yêu cầu bổ sung giấy tờ. Người nộp đăng nhập tài khoản để xem "
        "nội dung cần bổ sung và nộp bổ sung trực tuyến."
    ),
    Status.PAYMENT_REQUESTED: (
        "Người nộp cần thực hiện nghĩa vụ tài chính (phí, lệ phí, thuế) để hồ sơ được giải "
        "quyết tiếp."
    ),
    Status.WITHDRAWN: "Người nộp đã rút hồ sơ; hồ sơ không được giải quyết tiếp.",
    Status.STOPPED: "Hồ sơ đã dừng xử lý.",
    Status.DONE: "Hồ sơ đã giải quyết xong; kết quả sẵn sàng để trả cho người nộp.",
    Status.RETURNED: "Kết quả giải quyết đã được trả cho người nộp.",
}
# Status 9 or 10 after a refusal after appraisal (Decree 61/2018 Art. 19(8)): the national code
# says "resolved"; the person must read that the answer is no, and where the reasons are.
REFUSED_EXPLAINED = {
    Status.DONE: (
        "Cơ quan có thẩm quyền đã từ chối giải quyết hồ sơ vì không đủ điều kiện; Phiếu từ chối "
        "giải quyết hồ sơ nêu rõ lý do và được trả cho người nộp qua Bộ phận Một cửa."
    ),
    Status.RETURNED: (
        "Cơ quan có thẩm quyền đã từ chối giải quyết hồ sơ vì không đủ điều kiện; Phiếu từ chối "
        "giải quyết hồ sơ đã được trả cho người nộp."
    ),
}
PAGE_SIZE = 20


def explain(status: int, *, refused: bool = False) -> str:
    """What the national status means for the person who filed the dossier."""
    if refused and status in REFUSED_EXPLAINED:
        return REFUSED_EXPLAINED[Status(status)]
    return STATUS_EXPLAINED.get(Status(status), "")


def _private(view: View) -> View:
    """Pages with a dossier's state or a citizen's data: never stored by a browser or a proxy
    (shared computers at a commune office), never indexed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


# --- Public lookup ------------------------------------------------------------------------------


@_private
@require_safe
def lookup(request: HttpRequest) -> HttpResponse:
    if "kiem_tra" not in request.GET:  # the empty form, or the code filled in from the QR code
        form = LookupForm(initial={"ma": request.GET.get("ma", "").strip()[:80]})
        return render(request, "portal/tracking/lookup.html", {"form": form})
    address = client_address(request)
    values = LookupForm.valid_values(request.GET)
    if values is None:  # nothing looked up: the form explains; a refused address is told so
        retry_after = lookup_retry_after(address)
        if retry_after is not None:
            return _throttled(request, retry_after)
        form = LookupForm(request.GET)
        form.is_valid()
        return render(request, "portal/tracking/lookup.html", {"form": form})
    answer = queries.track_public(address, *values)
    if answer.retry_after is not None:
        return _throttled(request, answer.retry_after)
    found = answer.found
    if found is None:
        do_record_lookup_failure(address)
        form = LookupForm(request.GET)
        form.is_valid()
        form.add_error(None, LOOKUP_FAILED)
        return render(request, "portal/tracking/lookup.html", {"form": form})
    # The busiest public page: its times are written here, and the form to look up another
    # dossier is plain HTML (no errors to show), which halves the template's cost.
    context = {
        "result": found,
        "shown": {
            "submitted": formatting.moment(found.submitted_at),
            "received": formatting.moment(found.received_at),
            "due": formatting.moment(found.due_at),
            "finished": formatting.moment(found.finished_at),
        },
        "timeline": _timeline(found.steps),
        "explanation": explain(found.status, refused=found.resolution_refused),
        "form_fields": LookupForm.base_fields,
    }
    return render(request, "portal/tracking/lookup.html", context)


def _timeline(steps: tuple[PublicStep, ...]) -> SafeString:
    """The steps done, oldest first, as the timeline's items: built here rather than by a loop
    in the template, which was a fifth of the page's rendering (issue #3 performance). Every
    value is escaped as the template escapes it (`html.escape`, quotes included); Django's
    `format_html` costs as much as the loop it replaces."""
    return mark_safe(  # noqa: S308 (every value below is escaped)
        "\n".join(
            f'<li><time datetime="{step.at.isoformat()}">{escape(formatting.moment(step.at))}'
            f"</time> — <strong>{escape(step.label)}</strong><br>"
            f'<span class="muted">{escape(step.agency)}</span></li>'
            for step in steps
        )
    )


def _throttled(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(request, "portal/tracking/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# --- The citizen's dossiers ---------------------------------------------------------------------


@citizen_view
@_private
@require_safe
def my_dossiers(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.citizen_dossiers(request.user), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    drafts = queries.open_drafts(request.user).order_by("-updated_at")[:PAGE_SIZE]
    return render(request, "portal/tracking/my_dossiers.html", {"page": page, "drafts": drafts})


@citizen_view
@_private
@require_safe
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, queries.access_dossier_by_code(request.user, code))


def _detail(
    request: HttpRequest,
    dossier: Dossier,
    *,
    supplement_form: SupplementForm | None = None,
    rating_form: RatingForm | None = None,
) -> HttpResponse:
    history = list(dossier.transitions.select_related("agency").order_by("seq"))
    documents = list(queries.citizen_documents(dossier))
    rating = DossierRating.objects.filter(dossier=dossier).first()
    items = _requested_items(history)
    can_supplement = dossier.status == Status.SUPPLEMENT_REQUESTED
    can_rate = dossier.status in RATEABLE and rating is None
    context = {
        "dossier": dossier,
        "explanation": explain(
            dossier.status,
            refused=any(step.action == queries.REFUSAL_AFTER_APPRAISAL for step in history),
        ),
        "history": [(step, _step_label(step)) for step in history],
        "document_groups": [
            (label, [d for d in documents if d.role == role])
            for role, label in DocumentRole.choices
            if any(d.role == role for d in documents)
        ],
        "payment": _payment(dossier),
        "obligation": _obligation(dossier),
        "shipments": list(dossier.shipments.order_by("pk")),
        "requested_items": items,
        "supplement_form": (supplement_form or SupplementForm(items=items))
        if can_supplement
        else None,
        "can_withdraw": dossier.status in WITHDRAWABLE,
        "rating": rating,
        "rating_form": (rating_form or RatingForm()) if can_rate else None,
    }
    return render(request, "portal/tracking/dossier.html", context)


def _step_label(step: DossierTransition) -> str:
    return queries.PUBLIC_ACTIONS.get(step.action, str(Status(step.to_status).label))


def _requested_items(history: list[DossierTransition]) -> list[str]:
    """What the last supplement request asked for (Decree 61/2018 Art. 15: all of it at once)."""
    for step in reversed(history):
        if step.action == "request_supplement":
            items = step.data.get("items") if isinstance(step.data, dict) else None
            return [str(item) for item in items] if isinstance(items, list) else []
    return []


def _payment(dossier: Dossier) -> dict[str, Any]:
    due, paid = dossier.fee_total, dossier.paid_amount
    return {
        "free": due == 0,
        "total": formatting.money(due),
        "paid": formatting.money(paid) if paid else "0 đồng",
        "remaining": formatting.money(due - paid) if paid < due else "",
        "settled": due == 0 or paid >= due,
        "channel": dossier.get_paid_online_display() if dossier.paid_online else "",
    }


def _obligation(dossier: Dossier) -> dict[str, Any] | None:
    """Status 6: what the office asks the applicant to pay, and since when."""
    obligation = open_obligation(dossier)
    if obligation is None:
        return None
    return {
        "content": obligation.content,
        "amount": formatting.money(obligation.amount),
        "requested_at": obligation.requested_at,
    }


@citizen_view
@_private
@require_POST
def pay_obligation(request: HttpRequest, code: str) -> HttpResponse:
    """ "Thanh toán trực tuyến": to the gateway for the amount status 6 asks (Decree 61/2018
    Art. 22, Decree 118/2025 Art. 24); the gateway brings the citizen back to this dossier."""
    dossier = queries.access_dossier_by_code(request.user, code)
    try:
        _payment, gateway_url = do_start_obligation_payment(
            dossier,
            acting_user=request.user,
            return_url=reverse("tracking:my_dossier", args=[dossier.code]),
            client_ip=client_address(request),
        )
    except DomainError as exc:  # nothing asked any more, already paid, no gateway configured
        messages.error(request, exc.message)
        return redirect("tracking:my_dossier", code=dossier.code)
    return redirect(gateway_url)


@citizen_view
@_private
@require_POST
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    dossier = queries.access_dossier_by_code(request.user, code)
    if dossier.status != Status.SUPPLEMENT_REQUESTED:  # a stale page: say so on the dossier
        messages.error(request, "Hồ sơ không ở trạng thái chờ bổ sung.")
        return redirect("tracking:my_dossier", code=dossier.code)
    items = _requested_items(list(dossier.transitions.order_by("seq")))
    form = SupplementForm(request.POST, request.FILES, items=items)
    if form.is_valid():
        try:
            do_submit_supplement(
                dossier,
                form.supplement_files(),
                acting_user=request.user,
                note=form.cleaned_data["ghi_chu"],
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("tracking:my_dossier", code=dossier.code)
        except DomainError as exc:
            form.add_error(None, exc.message)  # a refused file: nothing was saved
        else:
            messages.success(request, "Đã nộp bổ sung hồ sơ. Cơ quan giải quyết sẽ xem xét tiếp.")
            return redirect("tracking:my_dossier", code=dossier.code)
    return _detail(request, dossier, supplement_form=form)


@citizen_view
@_private
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    dossier = queries.access_dossier_by_code(request.user, code)
    if dossier.status not in WITHDRAWABLE:
        messages.error(request, "Hồ sơ đã có kết quả hoặc đã kết thúc, không rút được nữa.")
        return redirect("tracking:my_dossier", code=dossier.code)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_withdraw_dossier(
                dossier, acting_user=request.user, reason=form.cleaned_data["ly_do"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Đã rút hồ sơ. Hồ sơ sẽ không được giải quyết tiếp.")
        return redirect("tracking:my_dossier", code=dossier.code)
    return render(request, "portal/tracking/withdraw.html", {"dossier": dossier, "form": form})


@citizen_view
@_private
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    dossier = queries.access_dossier_by_code(request.user, code)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            do_rate_dossier(
                dossier,
                acting_user=request.user,
                score=form.cleaned_data["diem"],
                comment=form.cleaned_data["y_kien"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Cảm ơn bạn đã đánh giá việc giải quyết hồ sơ.")
    elif dossier.status in RATEABLE:
        return _detail(request, dossier, rating_form=form)
    else:  # a stale page: the form is no longer shown, so say why on the dossier
        messages.error(request, "Chỉ đánh giá được khi hồ sơ đã có kết quả.")
    return redirect("tracking:my_dossier", code=dossier.code)


# --- Files --------------------------------------------------------------------------------------


@citizen_view
@_private
@require_safe
def download(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    document = queries.access_dossier_document_by_id(request.user, code, document_id)
    stored = document.file
    try:
        content: bytes | None = read_file(stored)
    except OSError:
        content = None
    if content is None or hashlib.sha256(content).hexdigest() != stored.sha256:
        return _integrity_failure(request, document.dossier, stored)
    response = HttpResponse(content, content_type=stored.content_type)
    response["Content-Disposition"] = attachment_header(stored.display_name)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _integrity_failure(request: HttpRequest, dossier: Dossier, stored: Any) -> HttpResponse:
    """The bytes are missing or no longer match the SHA-256 recorded when they were stored:
    they are not handed out, and the event is logged and audited for the operators."""
    logger.error("stored file failed its integrity check", extra={"file": str(stored.pk)})
    record_audit(
        "files.integrity_failure",
        actor=request.user,
        obj=stored,
        after={"dossier": dossier.code},
        source_address=client_address(request),
    )
    return render(
        request, "portal/tracking/file_unavailable.html", {"dossier": dossier}, status=409
    )


def attachment_header(name: str) -> str:
    """`Content-Disposition: attachment` with an ASCII fallback name and the exact name in UTF-8
    (RFC 6266, RFC 5987), so no client can be steered into a path or a header injection."""
    name = safe_display_name(name)
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", folded.encode("ascii", "ignore").decode())
    return f"attachment; filename=\"{ascii_name.strip() or 'tep'}\"; filename*=UTF-8''{quote(name)}"


@citizen_view
@_private
@require_safe
def personal_store(request: HttpRequest) -> HttpResponse:
    documents = queries.personal_store(request.user).select_related("dossier__procedure_version")
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "portal/tracking/personal_store.html", {"page": page})
