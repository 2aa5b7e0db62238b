"""Mẫu 06 Sổ theo dõi hồ sơ of one receiving agency for one year: one line per dossier it received
that year (Vietnam time), numbered from 1, nothing of another agency or year; XLSX and A4 PDF."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from chinhquyen.dossiers import forms
from chinhquyen.dossiers.forms.registers import REGISTER_COLUMNS
from chinhquyen.dossiers.models import Channel, Dossier, Status
from chinhquyen.org.models import Agency
from chinhquyen.procedures.models import ProcedureVersion
from tests.conftest import Province

from . import pdf_text
from .conftest import VN


def _dossier(
    version: ProcedureVersion,
    agency: Agency,
    code: str,
    received: datetime | None,
    **fields: object,
) -> Dossier:
    defaults: dict[str, object] = {
        "procedure_version": version,
        "receiving_agency": agency,
        "handling_agency": agency,
        "channel": Channel.COUNTER,
        "status": Status.ACCEPTED if received else Status.SUBMITTED,
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "001085012345",
        "applicant_address": "Số 1, phố Hiến Nam",
        "applicant_phone": "0912345678",
        "delivery_option": "counter",
        "fee_total": Decimal(0),
        "submitted_at": received or datetime(2026, 5, 5, 8, 0, tzinfo=VN),
        "received_at": received,
        "due_at": received + timedelta(days=3) if received else None,
    }
    return Dossier.objects.create(code=code, **{**defaults, **fields})


@pytest.fixture
def book(version: ProcedureVersion, province: Province) -> list[Dossier]:
    """Agency A's 2026 register, in reception order, and dossiers that must stay out of it."""
    a, b = province.agency_a, province.agency_b
    lines = [
        _dossier(version, a, "A-0001", datetime(2026, 1, 1, 0, 5, tzinfo=VN)),  # 31/12 17:05 UTC
        _dossier(
            version,
            a,
            "A-0003",
            datetime(2026, 3, 2, 9, 0, tzinfo=VN),
            applicant_name="Lê Thị Thu Hà",
            organisation_name="Công ty TNHH Ánh Dương",
            returned_at=datetime(2026, 3, 3, 15, 45, tzinfo=VN),
            delivery_option="post",
        ),
        _dossier(version, a, "A-0002", datetime(2026, 3, 2, 9, 0, tzinfo=VN)),  # same instant
        _dossier(version, a, "A-0004", datetime(2026, 12, 31, 23, 55, tzinfo=VN)),
    ]
    _dossier(version, a, "A-2025", datetime(2025, 12, 31, 23, 55, tzinfo=VN))
    _dossier(version, a, "A-2027", datetime(2027, 1, 1, 0, 1, tzinfo=VN))
    _dossier(version, a, "A-NOT-RECEIVED", None)
    _dossier(version, b, "B-0001", datetime(2026, 6, 1, 10, 0, tzinfo=VN))
    _dossier(version, b, "B-0002", datetime(2026, 6, 1, 10, 0, tzinfo=VN), handling_agency=a)
    return sorted(lines, key=lambda d: (d.received_at, d.pk))


def test_xlsx_has_one_row_per_dossier_of_the_agency_and_year(
    book: list[Dossier], province: Province
) -> None:
    sheet = load_workbook(io.BytesIO(forms.register_xlsx(province.agency_a, 2026))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0][0] == "SỔ THEO DÕI HỒ SƠ NĂM 2026"
    assert "Sở Tư pháp" in str(rows[1][0])
    assert rows[2] == REGISTER_COLUMNS
    body = rows[3:]
    assert [row[1] for row in body] == [d.code for d in book]
    assert [row[0] for row in body] == [1, 2, 3, 4]
    assert {row[5] for row in body} == {"Sở Tư pháp"}
    assert [row[6] for row in body] == [
        d.received_at.astimezone(VN).replace(tzinfo=None) for d in book if d.received_at
    ]
    firm = next(row for row in body if row[1] == "A-0003")
    assert firm[3] == "Công ty TNHH Ánh Dương (Lê Thị Thu Hà)"
    assert firm[4] == "Số 1, phố Hiến Nam, 0912345678"
    assert firm[8] == datetime(2026, 3, 3, 15, 45)
    assert firm[9] == "Nhận qua dịch vụ bưu chính công ích"


def test_agency_b_sees_only_its_own_book(book: list[Dossier], province: Province) -> None:
    sheet = load_workbook(io.BytesIO(forms.register_xlsx(province.agency_b, 2026))).active
    assert sheet is not None
    codes = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert codes == ["B-0001", "B-0002"]
    empty = load_workbook(io.BytesIO(forms.register_xlsx(province.agency_b, 2025))).active
    assert empty is not None and empty.max_row == 3


def test_register_pdf_is_a4_and_lists_the_same_dossiers(
    book: list[Dossier], province: Province
) -> None:
    pdf = forms.register_pdf(province.agency_a, 2026)
    text = pdf_text.text_of(pdf)

    assert set(pdf_text.page_sizes_mm(pdf)) == {pdf_text.A4_LANDSCAPE}
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Năm 2026 — Sở Tư pháp" in text
    positions = [text.index(d.code) for d in book]
    assert positions == sorted(positions)  # in reception order
    for other in ("A-2025", "A-2027", "A-NOT-RECEIVED", "B-0001", "B-0002"):
        assert other not in text
    assert "01/01/2026 00:05" in text and "31/12/2026 23:55" in text
    assert "Công ty TNHH Ánh Dương" in text


def test_receipt_number_is_the_place_in_the_register(
    book: list[Dossier], province: Province
) -> None:
    third = book[2]
    assert forms.registers.register_position(third) == (2026, 3)
