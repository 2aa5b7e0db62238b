"""The official forms of one dossier (Mẫu 01–05) and an agency's register (Mẫu 06) for officers,
as PDF (and the register as XLSX), made from what the back office recorded: Mẫu 02 from the
supplement request's items, 03 from the refusal's reasons, 04 from the apology's reason and dates,
05 from every transition row (TT 01/2018/TT-VPCP Art. 8–10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from chinhquyen.dossiers import forms, staff_queries
from chinhquyen.dossiers.models import Dossier, DossierTransition
from chinhquyen.org.decorators import staff_view
from chinhquyen.org.queries import access_agency_by_id

NO_FORM = "Hồ sơ chưa có bước tương ứng để lập mẫu này."
DEFAULT_SUPPLEMENT_REASON = "Hồ sơ chưa đầy đủ, chưa hợp lệ theo quy định."


def _latest(dossier: Dossier, action: str) -> DossierTransition:
    found = (
        dossier.transitions.filter(action=action).select_related("actor").order_by("-seq").first()
    )
    if found is None:
        raise Http404(NO_FORM)
    return found


def _name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or user or "")


def _moment(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def _pdf(dossier: Dossier, form: str) -> tuple[bytes, forms.FormKind]:
    if form == "01":
        if dossier.received_at is None:
            raise Http404(NO_FORM)
        return forms.receipt_pdf(dossier), forms.FormKind.RECEIPT
    if form == "02":
        asked = _latest(dossier, "request_supplement")
        pdf = forms.supplement_request_pdf(
            dossier,
            missing_items=asked.data.get("items") or [],
            reason=asked.note or DEFAULT_SUPPLEMENT_REASON,
            officer_name=_name(asked.actor),
            at=asked.at,
        )
        return pdf, forms.FormKind.SUPPLEMENT_REQUEST
    if form == "03":
        refused = _latest(dossier, "refuse")
        reasons = refused.data.get("reasons") or []
        pdf = forms.refusal_pdf(
            dossier, reasons=reasons, officer_name=_name(refused.actor), at=refused.at
        )
        return pdf, forms.FormKind.REFUSAL
    if form == "04":
        moved = _latest(dossier, "extend_due")
        new_due = _moment(moved.data.get("new_due_at")) or dossier.due_at
        if new_due is None:
            raise Http404(NO_FORM)
        pdf = forms.apology_pdf(
            dossier,
            reason=str(moved.data.get("reason", "")),
            new_due_at=new_due,
            head_name=_name(moved.actor),
            original_due_at=_moment(moved.data.get("old_due_at")),
            at=moved.at,
        )
        return pdf, forms.FormKind.APOLOGY
    if form == "05":
        return forms.control_sheet_pdf(dossier), forms.FormKind.CONTROL_SHEET
    raise Http404("Không có mẫu này.")


@staff_view("read")
def dossier_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    dossier = staff_queries.access_dossier_for_staff(request.user, code)
    pdf, kind = _pdf(dossier, form)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{forms.form_filename(kind, dossier)}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_view("read")
def agency_register(request: HttpRequest, agency_id: int, year: int, fmt: str) -> HttpResponse:
    """Mẫu 06 of one agency's one-stop office for one year, PDF to print or XLSX to work on."""
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
