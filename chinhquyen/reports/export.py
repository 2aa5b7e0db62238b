"""The staff statistics table as a workbook (openpyxl, as the register of Mẫu 06): a title, the
agency and period, the column heads, the total row and one row per part of the agency."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from chinhquyen.org.models import Agency
from chinhquyen.reports.period import Period
from chinhquyen.reports.statistics import AgencyStatistics

RATE_HEAD = "Tỷ lệ đúng hạn (%)"


def statistics_xlsx(
    agency: Agency,
    period: Period,
    columns: Sequence[tuple[str, str]],
    total: tuple[str, AgencyStatistics],
    rows: Sequence[tuple[str, AgencyStatistics]],
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Thống kê")
    sheet.column_dimensions["A"].width = 48
    sheet.append([_bold(sheet, "THỐNG KÊ TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH")])
    sheet.append([_text(sheet, f"{agency.name} (mã định danh {agency.identifier_code})")])
    sheet.append([f"Từ ngày {period.first:%d/%m/%Y} đến ngày {period.last:%d/%m/%Y}"])
    sheet.append([_bold(sheet, head) for head in ("Cơ quan, đơn vị", *dict(columns).values())]
                 + [_bold(sheet, RATE_HEAD)])  # fmt: skip
    sheet.append(_line(sheet, *total, columns, bold=True))
    for label, numbers in rows:
        sheet.append(_line(sheet, label, numbers, columns))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _line(
    sheet: Any,
    label: str,
    numbers: AgencyStatistics,
    columns: Sequence[tuple[str, str]],
    *,
    bold: bool = False,
) -> list[Any]:
    values: list[Any] = [_text(sheet, label), *(getattr(numbers, key) for key, _ in columns)]
    values.append(numbers.on_time_rate)
    return [_bold(sheet, value) for value in values] if bold else values


def _text(sheet: Any, value: str) -> Cell:
    """A name as text even when it starts with "=" (openpyxl would store a formula)."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _bold(sheet: Any, value: Any) -> Cell:
    cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell
