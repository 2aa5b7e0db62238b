"""The official one-stop forms (TT 01/2018/TT-VPCP Mẫu 01–06; TT 03/2025/TT-VPCP Mẫu 01–07 with the
stop notice) as PDFs, and the register as XLSX.

The back office calls one function per form with the dossier and what only it knows (the items
missing, the reasons, the new date); received_at and due_at are read from the dossier as stored.
Each form is the edition in force on the dossier's reception date (`editions.FORM_EDITIONS`).
Every form but the register is A5 with a QR code to the public tracking page; the register is A4.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chinhquyen.dossiers.forms import context as _context
from chinhquyen.dossiers.forms.context import edition_for
from chinhquyen.dossiers.forms.editions import (
    FORM_EDITIONS,
    FormEdition,
    FormKind,
    edition_by_number,
    edition_on,
    label,
    register_edition,
)
from chinhquyen.dossiers.forms.registers import register_entries, register_xlsx
from chinhquyen.dossiers.forms.render import FormFontMissing, render_form_pdf
from chinhquyen.dossiers.models import Dossier
from chinhquyen.org.models import Agency

__all__ = [
    "FORM_EDITIONS",
    "FormEdition",
    "FormFontMissing",
    "FormKind",
    "apology_pdf",
    "control_sheet_pdf",
    "edition_by_number",
    "edition_for",
    "edition_on",
    "form_filename",
    "label",
    "receipt_pdf",
    "refusal_pdf",
    "register_edition",
    "register_entries",
    "register_pdf",
    "register_xlsx",
    "render_form_pdf",
    "stop_notice_pdf",
    "supplement_request_pdf",
]


def receipt_pdf(dossier: Dossier, *, officer_name: str = "") -> bytes:
    """Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả (after acceptance: received_at, due_at
    set). `officer_name` defaults to the actor of the latest move to “Được tiếp nhận”."""
    context = _context.receipt_context(dossier, officer_name=officer_name)
    return render_form_pdf(context["edition"], context)


def supplement_request_pdf(
    dossier: Dossier,
    *,
    missing_items: Sequence[str],
    reason: str,
    officer_name: str,
    contact_phone: str = "",
    at: datetime | None = None,
) -> bytes:
    """Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: every item missing, the reason, and who
    guides the applicant (name, phone)."""
    context = _context.supplement_request_context(
        dossier,
        missing_items=missing_items,
        reason=reason,
        officer_name=officer_name,
        contact_phone=contact_phone,
        at=at,
    )
    return render_form_pdf(context["edition"], context)


def refusal_pdf(
    dossier: Dossier, *, reasons: Sequence[str], officer_name: str = "", at: datetime | None = None
) -> bytes:
    """Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ with its reasons."""
    context = _context.refusal_context(dossier, reasons=reasons, officer_name=officer_name, at=at)
    return render_form_pdf(context["edition"], context)


def apology_pdf(
    dossier: Dossier,
    *,
    reason: str,
    new_due_at: datetime,
    head_name: str,
    head_title: str = "THỦ TRƯỞNG CƠ QUAN",
    original_due_at: datetime | None = None,
    at: datetime | None = None,
) -> bytes:
    """Mẫu 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả, signed by the head of the handling
    agency. Pass `original_due_at` if the dossier's due_at already holds the new date."""
    context = _context.apology_context(
        dossier,
        reason=reason,
        new_due_at=new_due_at,
        head_name=head_name,
        head_title=head_title,
        original_due_at=original_due_at,
        at=at,
    )
    return render_form_pdf(context["edition"], context)


def stop_notice_pdf(
    dossier: Dossier,
    *,
    reason: str,
    stopped_at: datetime,
    officer_name: str = "",
    requested_by: str = "",
) -> bytes:
    """Thông báo dừng giải quyết hồ sơ (TT 03/2025 Mẫu 05; under the 2018 forms a notice with the
    same content citing Decree 118/2025 Art. 21), for a stopped dossier only."""
    context = _context.stop_notice_context(
        dossier,
        reason=reason,
        stopped_at=stopped_at,
        officer_name=officer_name,
        requested_by=requested_by,
    )
    return render_form_pdf(context["edition"], context)


def control_sheet_pdf(dossier: Dossier, *, at: datetime | None = None) -> bytes:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05 of 2018, 06 of 2025): every transition
    row, in order."""
    context = _context.control_sheet_context(dossier, at=at)
    return render_form_pdf(context["edition"], context)


def register_pdf(agency: Agency, year: int, *, at: datetime | None = None) -> bytes:
    """Sổ theo dõi hồ sơ (Mẫu 06 of 2018, 07 of 2025) of the agency's one-stop office for the
    year (A4 landscape)."""
    context = _context.register_context(agency, year, at=at)
    return render_form_pdf(context["edition"], context)


def form_filename(kind: FormKind, dossier: Dossier) -> str:
    """“mau-01-000.00.12.H29-251015-0007.pdf”: a stable name to store the PDF under (a notice
    with no form number: “thong-bao-dung-….pdf”)."""
    number = edition_for(kind, dossier).number
    if not number:
        return f"thong-bao-dung-{dossier.code}.pdf"
    return f"mau-{number.split()[-1]}-{dossier.code}.pdf"
