"""Mẫu 06, the register of dossiers (sổ theo dõi hồ sơ) of one receiving agency for one year.

TT 01/2018/TT-VPCP Art. 10: one register a year, numbered continuously from 01 to the end of the
year; an electronic register holding every field may replace the paper book. The register is kept
by the one-stop office that received the dossiers, so it lists the dossiers whose
`receiving_agency` is the agency and whose reception date (Vietnam time) falls in the year, in
order of reception. A dossier never received (refused at reception, withdrawn first) is not in it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from chinhquyen.dossiers.models import Dossier
from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import DeliveryOption

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

REGISTER_COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Tên tổ chức, cá nhân",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Phương thức nhận kết quả",
    "Ký nhận",
)
_WIDTHS = (6, 28, 44, 28, 32, 30, 17, 17, 17, 26, 12)  # XLSX, in characters
# The printed A4 landscape columns (272 mm between the margins); None takes what is left.
REGISTER_WIDTHS_MM = (9, 33, None, 30, 28, 26, 23, 23, 23, 25, 14)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The Vietnamese calendar year as [start, end) instants."""
    return datetime(year, 1, 1, tzinfo=VIETNAM), datetime(year + 1, 1, 1, tzinfo=VIETNAM)


def register_queryset(agency: Agency, year: int) -> QuerySet[Dossier]:
    start, end = year_bounds(year)
    return (
        Dossier.objects.filter(receiving_agency=agency, received_at__gte=start, received_at__lt=end)
        .select_related("procedure_version", "handling_agency")
        .order_by("received_at", "pk")
    )


def register_position(dossier: Dossier) -> tuple[int, int]:
    """(book year, number in the book) of a received dossier: its place in its agency's register,
    printed on Mẫu 01 as “Quyển số”, “Số thứ tự”."""
    if dossier.received_at is None:
        raise ValueError("Hồ sơ chưa được tiếp nhận nên chưa vào sổ.")
    year = dossier.received_at.astimezone(VIETNAM).year
    start, _end = year_bounds(year)
    before = Dossier.objects.filter(
        receiving_agency_id=dossier.receiving_agency_id, received_at__gte=start
    ).filter(
        Q(received_at__lt=dossier.received_at)
        | Q(received_at=dossier.received_at, pk__lte=dossier.pk)
    )
    return year, before.count()


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the register; times in Vietnam time."""

    number: int
    code: str
    procedure: str
    applicant: str
    contact: str
    handling_agency: str
    received_at: datetime | None
    due_at: datetime | None
    returned_at: datetime | None
    delivery: str

    def cells(self) -> list[str | int | datetime | None]:
        """The values under REGISTER_COLUMNS (the last, Ký nhận, is signed on paper)."""
        return [
            self.number,
            self.code,
            self.procedure,
            self.applicant,
            self.contact,
            self.handling_agency,
            self.received_at,
            self.due_at,
            self.returned_at,
            self.delivery,
            "",
        ]


def _local(at: datetime | None) -> datetime | None:
    return None if at is None else at.astimezone(VIETNAM)


def _applicant(dossier: Dossier) -> str:
    if dossier.organisation_name:
        return f"{dossier.organisation_name} ({dossier.applicant_name})"
    return dossier.applicant_name


def _delivery(option: str) -> str:
    return str(DeliveryOption(option).label) if option in DeliveryOption.values else option


def register_entries(agency: Agency, year: int) -> Iterator[RegisterEntry]:
    """The register's lines in order, numbered from 1 (TT 01/2018 Art. 10: from 01 each year)."""
    dossiers = register_queryset(agency, year).iterator(chunk_size=2000)
    for number, dossier in enumerate(dossiers, start=1):
        contact = ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p)
        yield RegisterEntry(
            number=number,
            code=dossier.code,
            procedure=dossier.procedure_version.name,
            applicant=_applicant(dossier),
            contact=contact,
            handling_agency=dossier.handling_agency.name,
            received_at=_local(dossier.received_at),
            due_at=_local(dossier.due_at),
            returned_at=_local(dossier.returned_at),
            delivery=_delivery(dossier.delivery_option),
        )


def register_xlsx(agency: Agency, year: int) -> bytes:
    """The register as a workbook: a title, the agency, the column heads, one row per dossier.
    Times are real date-time cells in Vietnam time (Excel has no time zone)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"Sổ theo dõi {year}")
    for index, width in enumerate(_WIDTHS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A4"
    sheet.append([_cell(sheet, f"SỔ THEO DÕI HỒ SƠ NĂM {year}", bold=True)])
    sheet.append([_cell(sheet, f"{agency.name} (mã định danh {agency.identifier_code})")])
    sheet.append([_cell(sheet, head, bold=True, wrap=True) for head in REGISTER_COLUMNS])
    for entry in register_entries(agency, year):
        sheet.append([_value(sheet, value) for value in entry.cells()])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: str, *, bold: bool = False, wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return cell


def _value(sheet: Any, value: str | int | datetime | None) -> Any:
    if not isinstance(value, datetime):
        return value
    cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
    cell.number_format = "dd/mm/yyyy hh:mm"
    return cell
