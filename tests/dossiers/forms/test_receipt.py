"""Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả, read back from the PDF."""

from __future__ import annotations

from datetime import date

from chinhquyen.dossiers import forms
from chinhquyen.dossiers.actions import tracking_url
from chinhquyen.dossiers.models import Dossier
from chinhquyen.workdays.calendar import add_working_days
from tests import dossier_helpers as h
from tests.conftest import Personas

from . import pdf_text
from .conftest import RECEIVED


def test_receipt_prints_the_dossier_with_diacritics_and_the_stored_dates(
    accepted: Dossier, personas: Personas
) -> None:
    pdf = forms.receipt_pdf(accepted)
    text = pdf_text.text_of(pdf)

    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Mã hồ sơ: {accepted.code}" in text
    assert "Ông/Bà: Nguyễn Văn An" in text
    assert f"Số định danh cá nhân/tổ chức: {h.PERSONAL_ID}" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký khai sinh" in text
    assert "Sở Tư pháp đã tiếp nhận hồ sơ" in text
    assert "Giấy chứng sinh do cơ sở y tế cấp" in text  # a submitted document, listed
    assert "5 ngày làm việc" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 12/02/2026" in text
    assert "Quyển số: 2026, Số thứ tự: 1" in text
    assert str(personas.officer_a) in text  # the officer who accepted
    # Received 12/02/2026: the TT 03/2025 edition (in force 30/10/2025, forms.editions).
    assert "Mẫu 01 ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in text


def test_due_date_is_the_workdays_date_after_tet_2026(accepted: Dossier) -> None:
    due = add_working_days(RECEIVED, 5)
    # Thu 12/02 → Fri 13/02 (1), Tết 16–20/02 off, 23, 24, 25, 26/02 (5): same clock time.
    assert due.date() == date(2026, 2, 26) and accepted.due_at == due

    text = pdf_text.text_of(forms.receipt_pdf(accepted))

    assert f"Thời gian trả kết quả giải quyết hồ sơ: {due:%H} giờ {due:%M} phút" in text
    assert "ngày 26/02/2026" in text
    assert "ngày 19/02/2026" not in text  # five calendar-ish days, ignoring Tết, would be wrong


def test_receipt_is_a5_with_embedded_vietnamese_font(accepted: Dossier) -> None:
    pdf = forms.receipt_pdf(accepted)

    assert pdf_text.page_sizes_mm(pdf) == [pdf_text.A5]
    fonts = pdf_text.embedded_fonts(pdf)
    assert fonts and all("CQ-Serif" in line for line in fonts)
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts)  # emb sub uni


def test_receipt_qr_code_is_the_tracking_url(accepted: Dossier) -> None:
    pdf = forms.receipt_pdf(accepted)
    url = tracking_url(accepted.code)

    [qr] = pdf_text.images(pdf)
    expected = pdf_text.qr_matrix_of_text(url)
    assert pdf_text.qr_matrix_of_image(qr, len(expected)) == expected
    assert expected != pdf_text.qr_matrix_of_text(url + "0")
    assert pdf_text.link_uris(pdf) == {url}  # a link on it, for the screen
    assert f"Tra cứu tình trạng hồ sơ (quét mã QR): {url}" in pdf_text.text_of(pdf)


def test_receipt_needs_an_accepted_dossier(version: object, personas: Personas) -> None:
    import pytest

    from chinhquyen.core.errors import DomainError

    dossier = h.submitted_dossier(personas.citizen, version)  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="chưa được tiếp nhận"):
        forms.receipt_pdf(dossier)
