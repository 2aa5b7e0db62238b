"""The official forms of one dossier and an agency's register for officers, as PDF (and the
register as XLSX), made from what the back office recorded: the supplement request from its items,
the refusal from its reasons, the apology from its reason and dates, the stop notice from the
`stop` transition, the control sheet from every transition row (TT 01/2018/TT-VPCP Art. 8–10;
TT 03/2025/TT-VPCP Phụ lục I).

A form is addressed by what it is for (`…/bieu-mau/thong-bao-dung.pdf`), because its number depends
on the edition in force when the dossier was received (Mẫu 05 is the control sheet under TT 01/2018
and the stop notice under TT 03/2025). The older `…/mau-05.pdf` still works and reads the number in
the dossier's own edition."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers import forms, staff_queries
from chinhquyen.dossiers.forms.context import local
from chinhquyen.dossiers.models import Dossier, DossierTransition, Status
from chinhquyen.org.decorators import staff_view
from chinhquyen.org.queries import access_agency_by_id

NO_FORM = "Hồ sơ chưa có bước tương ứng để lập mẫu này."
NOT_STOPPED = "Hồ sơ chưa dừng giải quyết nên chưa có thông báo dừng giải quyết hồ sơ."
UNKNOWN_FORM = "Không có mẫu này."
DEFAULT_SUPPLEMENT_REASON = "Hồ sơ chưa đầy đủ, chưa hợp lệ theo quy định."

FK = forms.FormKind
# The slug of each dossier form in its URL (the register has its own, per agency and year).
KIND_SLUGS: dict[str, forms.FormKind] = {
    "giay-tiep-nhan": FK.RECEIPT,
    "yeu-cau-bo-sung": FK.SUPPLEMENT_REQUEST,
    "tu-choi-tiep-nhan": FK.REFUSAL,
    "xin-loi": FK.APOLOGY,
    "thong-bao-dung": FK.STOP_NOTICE,
    "phieu-kiem-soat": FK.CONTROL_SHEET,
}
SLUG_OF = {kind: slug for slug, kind in KIND_SLUGS.items()}


class NoForm(Exception):
    """The dossier has no such form yet: a 404 page that says why, in Vietnamese."""


def _latest(dossier: Dossier, action: str, message: str = NO_FORM) -> DossierTransition:
    found = (
        dossier.transitions.filter(action=action).select_related("actor").order_by("-seq").first()
    )
    if found is None:
        raise NoForm(message)
    return found


def _name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or user or "")


def _moment(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _receipt(dossier: Dossier) -> bytes:
    if dossier.received_at is None:
        raise NoForm(NO_FORM)
    return forms.receipt_pdf(dossier)


def _supplement_request(dossier: Dossier) -> bytes:
    asked = _latest(dossier, "request_supplement")
    return forms.supplement_request_pdf(
        dossier,
        missing_items=asked.data.get("items") or [],
        reason=asked.note or DEFAULT_SUPPLEMENT_REASON,
        officer_name=_name(asked.actor),
        at=asked.at,
    )


def _refusal(dossier: Dossier) -> bytes:
    refused = _latest(dossier, "refuse")
    reasons = refused.data.get("reasons") or []
    return forms.refusal_pdf(
        dossier, reasons=reasons, officer_name=_name(refused.actor), at=refused.at
    )


def _apology(dossier: Dossier) -> bytes:
    moved = _latest(dossier, "extend_due")
    new_due = _moment(moved.data.get("new_due_at")) or dossier.due_at
    if new_due is None:
        raise NoForm(NO_FORM)
    return forms.apology_pdf(
        dossier,
        reason=str(moved.data.get("reason", "")),
        new_due_at=new_due,
        head_name=_name(moved.actor),
        original_due_at=_moment(moved.data.get("old_due_at")),
        at=moved.at,
    )


def _stop_notice(dossier: Dossier) -> bytes:
    """Decree 118/2025 Art. 21: only once the dossier is stopped, from the stop's own row (who
    recorded it, when, the citizen's reason)."""
    if dossier.status != Status.STOPPED:
        raise NoForm(NOT_STOPPED)
    stopped = _latest(dossier, "stop", NOT_STOPPED)
    return forms.stop_notice_pdf(
        dossier,
        reason=str(stopped.data.get("reason", "")),  # never the internal note
        stopped_at=stopped.at,
        officer_name=_name(stopped.actor),
    )


def _control_sheet(dossier: Dossier) -> bytes:
    return forms.control_sheet_pdf(dossier)


BUILDERS: dict[forms.FormKind, Callable[[Dossier], bytes]] = {
    FK.RECEIPT: _receipt,
    FK.SUPPLEMENT_REQUEST: _supplement_request,
    FK.REFUSAL: _refusal,
    FK.APOLOGY: _apology,
    FK.STOP_NOTICE: _stop_notice,
    FK.CONTROL_SHEET: _control_sheet,
}


def _kind_by_number(dossier: Dossier, number: str) -> forms.FormKind:
    """The kind numbered `number` in the edition of the dossier's reception day."""
    day = local(dossier.received_at or dossier.submitted_at).date()
    try:
        kind = forms.edition_by_number(number, day).kind
    except LookupError:
        raise NoForm(UNKNOWN_FORM) from None
    if kind not in BUILDERS:  # the register: per agency and year, not per dossier
        raise NoForm(UNKNOWN_FORM)
    return kind


def _respond(request: HttpRequest, dossier: Dossier, kind: forms.FormKind) -> HttpResponse:
    try:
        pdf = BUILDERS[kind](dossier)
    except (NoForm, DomainError, LookupError) as missing:
        # A recorded step without what its form needs (an old row with no reason), or a dossier
        # received before any edition was in force (LookupError names the day): say so.
        message = missing.message if isinstance(missing, DomainError) else str(missing)
        page = {"dossier": dossier, "message": message}
        return render(request, "dossiers/staff/form_unavailable.html", page, status=404)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{forms.form_filename(kind, dossier)}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_view("read")
def dossier_form_by_kind(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    dossier = staff_queries.access_dossier_for_staff(request.user, code)
    if kind not in KIND_SLUGS:
        raise Http404(UNKNOWN_FORM)
    return _respond(request, dossier, KIND_SLUGS[kind])


@staff_view("read")
def dossier_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """The older address by number (“mau-05.pdf”), read in the dossier's own edition."""
    dossier = staff_queries.access_dossier_for_staff(request.user, code)
    try:
        kind = _kind_by_number(dossier, form)
    except NoForm as missing:
        page = {"dossier": dossier, "message": str(missing)}
        return render(request, "dossiers/staff/form_unavailable.html", page, status=404)
    return _respond(request, dossier, kind)


@staff_view("read")
def agency_register(request: HttpRequest, agency_id: int, year: int, fmt: str) -> HttpResponse:
    """The register of one agency's one-stop office for one year, PDF to print or XLSX to work on
    (Mẫu 06 of TT 01/2018, Mẫu 07 of TT 03/2025 from the year it was opened under it)."""
    agency = access_agency_by_id(request.user, agency_id)
    # The TT 01/2018 register is in force from 06/01/2019 (forms.editions): no earlier year.
    if not 2019 <= year <= timezone.localdate().year or fmt not in ("pdf", "xlsx"):
        raise Http404("Không có sổ theo dõi cho năm này.")
    if fmt == "pdf":
        response = HttpResponse(forms.register_pdf(agency, year), content_type="application/pdf")
    else:
        response = HttpResponse(
            forms.register_xlsx(agency, year),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    name = f"so-theo-doi-ho-so-{agency.identifier_code}-{year}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
