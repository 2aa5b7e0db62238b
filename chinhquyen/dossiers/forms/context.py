"""What each form prints, built from a dossier, its transitions and the back office's inputs.

Field lists: TT 01/2018/TT-VPCP Art. 9 and its Mẫu 01–06 (onestop.md §2.3), kept by TT 03/2025,
which adds the stop notice (Decree 118/2025 Art. 21; onestop.md §1.7). Every time is shown
in Vietnam time exactly as stored (due dates are computed by `workdays` when the dossier is
accepted and never recomputed here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from chinhquyen.core.errors import DomainError
from chinhquyen.dossiers.actions import tracking_url
from chinhquyen.dossiers.forms.editions import FormEdition, FormKind, edition_on, register_edition
from chinhquyen.dossiers.forms.registers import (
    REGISTER_COLUMNS,
    REGISTER_WIDTHS_MM,
    register_entries,
    register_position,
)
from chinhquyen.dossiers.models import (
    ApplicantKind,
    Channel,
    DocumentRole,
    Dossier,
    DossierTransition,
    Status,
)
from chinhquyen.dossiers.process import ACTIONS, Verdict, verdict_of
from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import DeliveryOption
from chinhquyen.workdays.calendar import DurationUnit

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
BLANK = "……………………"

# Actions written outside the back office's process (the citizen's side, reception by channel);
# the process's own actions carry their labels in `process.ACTIONS`.
OTHER_ACTION_LABELS = {
    "submit": "Nộp hồ sơ",
    "receive": "Tiếp nhận hồ sơ",
    "withdraw": "Công dân rút hồ sơ",
}


# --- Formatting (Vietnam time) ------------------------------------------------------------------


def local(at: datetime) -> datetime:
    if timezone.is_naive(at):
        raise ValueError("Thời điểm phải có múi giờ (naive datetime bị từ chối).")
    return at.astimezone(VIETNAM)


def clock_and_date(at: datetime | None) -> str:
    """“09 giờ 30 phút, ngày 26/02/2026”: the way Mẫu 01 and 04 print an appointment."""
    if at is None:
        return BLANK
    at = local(at)
    return f"{at:%H} giờ {at:%M} phút, ngày {at:%d/%m/%Y}"


def short_time(at: datetime | None) -> str:
    """“26/02/2026 09:30” (a no-break space: one line in a narrow column of Mẫu 05)."""
    return "" if at is None else f"{local(at):%d/%m/%Y\u00a0%H:%M}"


def date_line(place: str, at: datetime) -> str:
    """“Hưng Yên, ngày 12 tháng 02 năm 2026” (Decree 30/2020 App. I, box 4)."""
    at = local(at)
    return f"{place}, ngày {at:%d} tháng {at:%m} năm {at:%Y}"


def person_name(user: Any) -> str:
    return str(user) if user is not None else ""


def time_limit(dossier: Dossier) -> str:
    version = dossier.procedure_version
    value = version.time_limit_value.normalize()
    unit = version.time_limit_unit
    label = DurationUnit(unit).label if unit in DurationUnit.values else unit
    return f"{value:f} {str(label).lower()}"


# --- Header common to every form ----------------------------------------------------------------


def place_of(agency: Agency) -> str:
    """The place name of the date line: the agency's administrative unit, or its parent's, without
    its division type (“Tỉnh Hưng Yên” → “Hưng Yên”)."""
    current: Agency | None = agency
    while current is not None:
        unit = current.administrative_unit
        if unit is not None:
            kind = unit.division_type.strip()
            name = unit.name.strip()
            if kind and name.lower().startswith(kind.lower() + " "):
                return name[len(kind) + 1 :]
            return name
        current = current.parent
    return BLANK


def header(edition: FormEdition, issuer: Agency, at: datetime, number: str = "") -> dict[str, Any]:
    parent = issuer.parent
    return {
        "edition": edition,
        "issuer_parent": parent.name.upper() if parent else "",
        "issuer": issuer.name.upper(),
        "number": number or "……",
        "date_line": date_line(place_of(issuer), at),
    }


def edition_for(kind: FormKind, dossier: Dossier) -> FormEdition:
    """The edition in force on the day the dossier was received (submitted, if never received)."""
    return edition_on(kind, local(dossier.received_at or dossier.submitted_at).date())


def applicant(dossier: Dossier) -> dict[str, Any]:
    is_organisation = dossier.applicant_kind != ApplicantKind.CITIZEN and dossier.organisation_name
    return {
        "name": dossier.applicant_name,
        "organisation": dossier.organisation_name if is_organisation else "",
        "id_number": dossier.applicant_id_number,
        "address": dossier.applicant_address or BLANK,
        "phone": dossier.applicant_phone or BLANK,
        "email": dossier.applicant_email or BLANK,
    }


def dossier_facts(dossier: Dossier) -> dict[str, Any]:
    url = tracking_url(dossier.code)
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "applicant": applicant(dossier),
        "tracking_url": url,
        "received_at": clock_and_date(dossier.received_at),
        "due_at": clock_and_date(dossier.due_at),
    }


def _lines(items: Sequence[str], field: str, message: str) -> list[str]:
    lines = [item.strip() for item in items if item and item.strip()]
    if not lines:
        raise DomainError(message, field=field)
    return lines


def _acted_at(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


# --- Mẫu 01 -------------------------------------------------------------------------------------


def _officer_of(dossier: Dossier, status: int) -> str:
    """The officer of the latest move into `status` (who received, who refused)."""
    row = dossier.transitions.filter(to_status=status).select_related("actor").order_by("-seq")
    first = row.first()
    return person_name(first.actor) if first is not None else ""


def _submitted_documents(dossier: Dossier) -> list[dict[str, Any]]:
    documents = dossier.documents.filter(role=DocumentRole.SUBMITTED).select_related(
        "required_document"
    )
    rows = []
    for document in documents:
        required = document.required_document
        rows.append(
            {
                "name": document.name,
                "originals": required.originals if required else "",
                "copies": required.copies if required else "",
            }
        )
    return rows


def receipt_context(dossier: Dossier, *, officer_name: str = "") -> dict[str, Any]:
    """Mẫu 01, issued when the dossier is accepted: received_at and due_at as stored."""
    if dossier.received_at is None or dossier.due_at is None:
        raise DomainError(
            "Hồ sơ chưa được tiếp nhận (chưa có ngày tiếp nhận, ngày hẹn trả).", code="bad_state"
        )
    edition = edition_for(FormKind.RECEIPT, dossier)
    year, position = register_position(dossier)
    delivery = dossier.delivery_option
    return {
        # Số: the dossier's number in the year's register (TT 01/2018 Art. 10: from 01).
        **header(edition, dossier.receiving_agency, dossier.received_at, f"{position:02d}"),
        **dossier_facts(dossier),
        "receiving_agency": dossier.receiving_agency.name,
        "handling_agency": dossier.handling_agency.name,
        "channel": Channel(dossier.channel).label,
        "documents": _submitted_documents(dossier),
        "time_limit": time_limit(dossier),
        "delivery": DeliveryOption(delivery).label if delivery in DeliveryOption.values else "",
        "delivery_address": dossier.delivery_address,
        "register_book": year,
        "register_position": position,
        "officer": officer_name or _officer_of(dossier, Status.ACCEPTED),
    }


# --- Mẫu 02, 03, 04 and the stop notice ----------------------------------------------------------


def supplement_request_context(
    dossier: Dossier,
    *,
    missing_items: Sequence[str],
    reason: str,
    officer_name: str,
    contact_phone: str = "",
    at: datetime | None = None,
) -> dict[str, Any]:
    """Mẫu 02: everything missing at once (Decree 61/2018 Art. 15(2)(b), “một lần đầy đủ”)."""
    items = _lines(missing_items, "items", "Nêu rõ các giấy tờ, nội dung cần bổ sung.")
    at = _acted_at(at)
    return {
        **header(edition_for(FormKind.SUPPLEMENT_REQUEST, dossier), dossier.receiving_agency, at),
        **dossier_facts(dossier),
        "items": items,
        "reason": reason.strip() or BLANK,
        "officer": officer_name,
        "contact_phone": contact_phone or BLANK,
    }


def refusal_context(
    dossier: Dossier,
    *,
    reasons: Sequence[str],
    officer_name: str = "",
    at: datetime | None = None,
) -> dict[str, Any]:
    """Mẫu 03: the specific reasons for refusing the dossier (Decree 61/2018 Art. 15(2)(c))."""
    lines = _lines(reasons, "reasons", "Nêu rõ lý do từ chối tiếp nhận hồ sơ.")
    at = _acted_at(at)
    return {
        **header(edition_for(FormKind.REFUSAL, dossier), dossier.receiving_agency, at),
        **dossier_facts(dossier),
        "receiving_agency": dossier.receiving_agency.name,
        "reasons": lines,
        "officer": officer_name or _officer_of(dossier, Status.REFUSED),
    }


def apology_context(
    dossier: Dossier,
    *,
    reason: str,
    new_due_at: datetime,
    head_name: str,
    head_title: str = "THỦ TRƯỞNG CƠ QUAN",
    original_due_at: datetime | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Mẫu 04, signed by the head of the handling agency (Decree 61/2018 Art. 19(6)): the
    appointment not met, the reason and the new date. `original_due_at` defaults to the stored
    due date; pass it when the new date has already been stored."""
    original = original_due_at or dossier.due_at
    if dossier.received_at is None or original is None:
        raise DomainError("Hồ sơ chưa được tiếp nhận, chưa có ngày hẹn trả.", code="bad_state")
    if new_due_at <= original:
        raise DomainError(
            "Ngày hẹn trả mới phải sau ngày hẹn trả cũ"
            f" ({clock_and_date(original)}); nếu đã lưu ngày hẹn mới, truyền ngày hẹn cũ.",
            field="new_due_at",
        )
    if not reason.strip():
        raise DomainError("Nêu rõ lý do chậm trả kết quả.", field="reason")
    if not head_name.strip():
        raise DomainError("Phiếu xin lỗi do thủ trưởng cơ quan ký: nêu tên.", field="head_name")
    at = _acted_at(at)
    return {
        **header(edition_for(FormKind.APOLOGY, dossier), dossier.handling_agency, at),
        **dossier_facts(dossier),
        "handling_agency": dossier.handling_agency.name,
        "received_date": f"{local(dossier.received_at):%d/%m/%Y}",
        "original_due_at": clock_and_date(original),
        "new_due_at": clock_and_date(new_due_at),
        "reason": reason.strip(),
        "head_name": head_name.strip(),
        "head_title": head_title.strip().upper(),
    }


def stop_notice_context(
    dossier: Dossier,
    *,
    reason: str,
    stopped_at: datetime,
    officer_name: str = "",
    requested_by: str = "",
) -> dict[str, Any]:
    """Thông báo dừng giải quyết hồ sơ (TT 03/2025 Mẫu 05; Decree 118/2025 Art. 21): sent by the
    one-stop office that received the dossier once it is stopped at the citizen's request — who
    asked (the applicant unless told otherwise), when, why. Only for a stopped dossier."""
    if dossier.status != Status.STOPPED:
        raise DomainError(
            "Hồ sơ chưa dừng giải quyết: chưa có thông báo dừng giải quyết hồ sơ.", code="bad_state"
        )
    if not reason.strip():
        raise DomainError("Nêu rõ lý do dừng giải quyết hồ sơ.", field="reason")
    received = dossier.received_at or dossier.submitted_at
    return {
        **header(edition_for(FormKind.STOP_NOTICE, dossier), dossier.receiving_agency, stopped_at),
        **dossier_facts(dossier),
        "receiving_agency": dossier.receiving_agency.name,
        "handling_agency": dossier.handling_agency.name,
        "received_date": f"{local(received):%d/%m/%Y}",
        "requested_by": requested_by.strip() or dossier.applicant_name,
        "requested_date": f"{local(stopped_at):%d/%m/%Y}",
        "stopped_at": clock_and_date(stopped_at),
        "reason": reason.strip(),
        "officer": officer_name or _officer_of(dossier, Status.STOPPED),
    }


# --- Control sheet (Mẫu 05 of 2018, 06 of 2025) --------------------------------------------------


def action_label(row: DossierTransition) -> str:
    rule = ACTIONS.get(row.action)
    if rule is not None:
        return rule.label
    return OTHER_ACTION_LABELS.get(row.action) or str(Status(row.to_status).label)


def verdict_label(row: DossierTransition) -> str:
    """The step's result as the engine recorded it (`data["verdict"]`); for a row without one,
    judged the engine's way: the row closes the step it was taken in, due at `step_due_at`."""
    data = row.data if isinstance(row.data, dict) else {}
    verdict = data.get("verdict")
    if verdict in Verdict.values:
        return str(Verdict(verdict).label)
    if row.step_due_at is None or not data.get("closes_step", True):
        return ""
    return str(Verdict(verdict_of(row.at, row.step_due_at)).label)


def _step_rows(transitions: Sequence[DossierTransition]) -> list[dict[str, Any]]:
    return [
        {
            "seq": row.seq,
            "agency": row.agency.name,
            "action": action_label(row),
            "status": Status(row.to_status).label,
            "at": short_time(row.at),
            "actor": person_name(row.actor),
            "step_due_at": short_time(row.step_due_at),
            "verdict": verdict_label(row),
            "note": row.note,
        }
        for row in transitions
    ]


def control_sheet_context(dossier: Dossier, *, at: datetime | None = None) -> dict[str, Any]:
    """Mẫu 05, generated from every transition row in order (Decree 61/2018 Art. 26: every step
    logged; TT 01/2018 Mẫu 05: one row per hand-off with the step's result)."""
    transitions = list(dossier.transitions.select_related("agency", "actor").order_by("seq"))
    own = {dossier.receiving_agency_id, dossier.handling_agency_id}
    coordinating = list(dict.fromkeys(t.agency.name for t in transitions if t.agency_id not in own))
    at = _acted_at(at)
    return {
        **header(edition_for(FormKind.CONTROL_SHEET, dossier), dossier.receiving_agency, at),
        **dossier_facts(dossier),
        "handling_agency": dossier.handling_agency.name,
        "coordinating": coordinating,
        "steps": _step_rows(transitions),
    }


# --- Register (Mẫu 06 of 2018, 07 of 2025) -------------------------------------------------------


def register_context(agency: Agency, year: int, *, at: datetime | None = None) -> dict[str, Any]:
    """Mẫu 06 for the agency's one-stop office and the year, in register order."""
    at = _acted_at(at)
    return {
        **header(register_edition(year), agency, at, str(year)),
        "year": year,
        "agency_name": agency.name,
        "agency_code": agency.identifier_code,
        "columns": REGISTER_COLUMNS,
        "widths": REGISTER_WIDTHS_MM,
        "rows": list(register_entries(agency, year)),
    }
